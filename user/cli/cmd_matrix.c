// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix`: one workload across kernels and sweeps.  The
 * options, the plan, the batches of guests, the table and the figures
 * are the matrix library's (user/matrix: matrix.h, matrix_run.h); this
 * is the command's entry: parse, then the outer matrix on the host or,
 * with --inner, one kernel's cells of one round in its guest. */
#include "commands.h"
#include "matrix.h"
#include "matrix_run.h"
#include "peelbench.h"

int cmd_matrix(int argc, char **argv)
{
	struct mx_opts o;
	int ret = mx_parse(argc, argv, &o);

	if (ret) {
		mx_opts_free(&o);
		return ret < 0 ? PB_EXIT_OK : ret;
	}
	ret = o.inner ? mx_inner_main(&o) : mx_outer_main(&o);
	mx_opts_free(&o);
	return ret;
}
