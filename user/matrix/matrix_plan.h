/* SPDX-License-Identifier: GPL-2.0 */
/* `peelbench matrix --plan FILE`: the matrix as independent cells that a
 * job engine (GNU parallel, a Slurm array, a Kubernetes Indexed Job) runs
 * on any host.  Cell N is round N of the matrix: every kernel and sweep
 * cell once, kernels interleaved as the single-process matrix does, each
 * kernel in one guest.  `--cell N` runs it and adds its results to the
 * shared history tagged with the plan's id and N; `--collect` builds the
 * table from the history, ratios within each machine, pooled across
 * machines (matrix_machines.c).
 *
 * The plan file (docs/matrix.md): {schema "peelbench-plan/1", id,
 * created, nonce, argv[] (the matrix options, parsed again on reading),
 * kernels[], sweeps{}, repeat, run_args[], cells[{cell, runs[{kernel,
 * sweep}]}]}.  id is a hash of everything else: a plan edited by hand no
 * longer matches it. */
#ifndef PEELBENCH_MATRIX_PLAN_H
#define PEELBENCH_MATRIX_PLAN_H

#include <limits.h>

#include "matrix.h"

#define MX_PLAN_SCHEMA "peelbench-plan/1"
#define MX_PLAN_TAG "matrix_plan"	/* the key results are tagged under */

struct json_object;

struct mx_planfile {
	const char *path;
	char id[17];
	struct json_object *root;	/* owns the strings of argv and o */
	char **argv;
	int argc;
	struct mx_opts o;		/* the plan's matrix options */
};

/* --plan FILE with the matrix's options: write the plan (a new file,
 * atomically) and say how to run its cells. */
int mx_plan_write(const struct mx_opts *o);
/* Read and check a plan: one line and PB_EXIT_USAGE when it is not one,
 * was edited, or its options conflict. */
int mx_plan_read(const char *path, struct mx_planfile *pf);
void mx_planfile_free(struct mx_planfile *pf);

/* --cell N and --collect: cmd holds the command line's own options (-o,
 * --db, --json, --no-plot). */
int mx_cell_main(const struct mx_opts *cmd);
int mx_collect_main(const struct mx_opts *cmd);

#endif
