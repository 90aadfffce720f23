/* SPDX-License-Identifier: GPL-2.0 */
/* What the matrix's unit tests (test_matrix.c, test_matrix_cells.c)
 * share: a double assertion and mx_parse on a NULL-terminated list. */
#ifndef PEELBENCH_TEST_MATRIX_HELPERS_H
#define PEELBENCH_TEST_MATRIX_HELPERS_H

#include <math.h>
#include <stdarg.h>

#include "matrix.h"

/* cmocka 1.1 has no double assertion: |a - b| <= eps, both printed. */
#define assert_near(a, b, eps) do { \
	double a_ = (a), b_ = (b); \
	if (!(fabs(a_ - b_) <= (eps))) \
		fail_msg("%s = %.17g, want %.17g", #a, a_, b_); \
} while (0)

/* mx_parse of "matrix" and the arguments up to NULL. */
static inline int parse(struct mx_opts *o, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	argv[argc++] = "matrix";
	va_start(ap, o);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return mx_parse(argc, argv, o);
}

#endif
