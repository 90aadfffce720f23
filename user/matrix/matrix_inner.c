// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix --inner K --round R`: one kernel's cells of one
 * round, here (in the guest, or natively for `host`).  Each cell is its
 * own `peelbench run --no-vm`; as each one ends, "CELL<TAB>EXIT" is
 * appended to DIR/K/status-rR.tsv, which the outer matrix reads while
 * the guest runs (progress) and after (which cell failed how). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "matrix_run.h"
#include "peelbench.h"

static int inner_one(const char *status_path, const char *name, char **argv,
		     const char *log)
{
	pid_t pid = mx_spawn_logged(argv, log);
	int code = pid < 0 ? PB_EXIT_RUNTIME : mx_wait_child(pid);
	FILE *st = fopen(status_path, "a");

	if (!st) {
		pb_err("matrix: cannot append to %s: %s", status_path, strerror(errno));
		return PB_EXIT_RUNTIME;
	}
	fprintf(st, "%s\t%d\n", name, code);
	fflush(st);
	fsync(fileno(st));
	fclose(st);
	return 0;
}

int mx_inner_main(const struct mx_opts *o)
{
	char bin[PATH_MAX], path[PATH_MAX], log[PATH_MAX], status[PATH_MAX], round[16];
	struct mx_plan plan;
	const char **cargs;
	char **argv;
	size_t c, n, i, j;
	int ret;

	if ((ret = mx_plan_build(o, &plan)))
		return ret;
	mx_run_binary(bin, sizeof(bin));
	mx_strf(path, sizeof(path), "%s/%s", o->outdir, o->inner);
	if (mx_mkdir_p(path)) {
		pb_err("matrix: cannot create %s: %s", path, strerror(errno));
		mx_plan_free(&plan);
		return PB_EXIT_RUNTIME;
	}
	mx_strf(status, sizeof(status), "%s/%s/status-r%u.tsv", o->outdir, o->inner,
		 o->round);
	mx_strf(round, sizeof(round), "%u", o->round);
	/* for the developer hooks: which run this is */
	setenv("PEELBENCH_MATRIX_KERNEL", o->inner, 1);
	setenv("PEELBENCH_MATRIX_ROUND", round, 1);
	if (o->check && o->round == 1) {
		char *cv[] = { bin, "check", "--json", "-o", path, NULL };

		mx_strf(path, sizeof(path), "%s/%s/check.json", o->outdir, o->inner);
		mx_strf(log, sizeof(log), "%s/%s/check.log", o->outdir, o->inner);
		if ((ret = inner_one(status, "check", cv, log)))
			goto out;
	}
	for (c = 0; c < plan.ncells && !mx_interrupted; c++) {
		n = mx_cell_args(&plan, c, &cargs);
		argv = calloc(n + 6, sizeof(*argv));
		if (!cargs || !argv) {
			free(cargs);
			free(argv);
			ret = PB_EXIT_RUNTIME;
			goto out;
		}
		mx_run_path(o->outdir, o->inner, plan.cells[c].name, o->round, "json",
			    path, sizeof(path));
		mx_run_path(o->outdir, o->inner, plan.cells[c].name, o->round, "log",
			    log, sizeof(log));
		j = 0;
		argv[j++] = bin;
		argv[j++] = "run";
		for (i = 0; i < n; i++)
			argv[j++] = (char *)cargs[i];
		argv[j++] = "--no-vm";	/* never a guest in the guest */
		argv[j++] = "-o";
		argv[j++] = path;
		ret = inner_one(status, plan.cells[c].name, argv, log);
		free(cargs);
		free(argv);
		if (ret)
			goto out;
	}
	ret = mx_interrupted ? PB_EXIT_INTR : 0;
out:
	mx_plan_free(&plan);
	return ret;
}
