// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix`: one workload across kernels and sweeps.  The
 * options, the plan, the batches of guests, the table and the figures
 * are the matrix library's (user/matrix: matrix.h, matrix_run.h); this
 * is the command's entry: parse, then the outer matrix on the host or,
 * with --inner, one kernel's cells of one round in its guest; with
 * --plan, the plan's file, one of its cells, or its table. */
#include <stdlib.h>

#include "commands.h"
#include "matrix.h"
#include "matrix_plan.h"
#include "matrix_run.h"
#include "peelbench.h"

/* Every cell's run options, as run will check them in each guest: a bad
 * value is one line before the first boot, not one failure per run. */
static int check_cells(const struct mx_opts *o)
{
	struct mx_plan plan;
	const char **args;
	size_t c, n;
	int ret;

	if ((ret = mx_plan_build(o, &plan)))
		return ret;
	for (c = 0; c < plan.ncells && !ret; c++) {
		n = mx_cell_args(&plan, c, &args);
		ret = args ? run_args_check((int)n, args) : PB_EXIT_RUNTIME;
		free(args);
	}
	mx_plan_free(&plan);
	return ret;
}

int cmd_matrix(int argc, char **argv)
{
	struct mx_opts o;
	int ret = mx_parse(argc, argv, &o);

	if (ret) {
		mx_opts_free(&o);
		return ret < 0 ? PB_EXIT_OK : ret;
	}
	/* Every run option of every cell is checked before the first boot
	 * (a plan's, when it is written: its cells run what it holds). */
	if (!o.inner && !o.cell && !o.collect && (ret = check_cells(&o))) {
		mx_opts_free(&o);
		return ret;
	}
	if (o.inner)
		ret = mx_inner_main(&o);
	else if (o.cell)
		ret = mx_cell_main(&o);
	else if (o.collect)
		ret = mx_collect_main(&o);
	else if (o.plan)
		ret = mx_plan_write(&o);
	else
		ret = mx_outer_main(&o);
	mx_opts_free(&o);
	return ret;
}
