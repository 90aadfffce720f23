/* SPDX-License-Identifier: GPL-2.0 */
/* `peelbench bisect`'s real measurement: a two-kernel `peelbench matrix`
 * per step (bisect_run.c). */
#ifndef PEELBENCH_BISECT_RUN_H
#define PEELBENCH_BISECT_RUN_H

#include "bisect.h"

struct bs_runner {
	const char *metric;
	double threshold, alpha;
	const char *dir;		/* steps go to DIR/step-N-VERSION */
	const char *const *args;	/* matrix options: --repeat, --sweep, run options */
	size_t nargs;
	unsigned nsteps;
};

/* A bs_measure_fn; ctx is a struct bs_runner. */
int bs_matrix_measure(void *ctx, const char *good, const char *cand, struct bs_step *s);

#endif
