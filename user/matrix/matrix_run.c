// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix`: the outer matrix (matrix_run.h).
 *
 * Booting a guest costs 15-30 s under TCG, more than a small run, so the
 * unit of work is a batch: one guest per kernel per round, in which
 * `peelbench matrix --inner K --round R` runs every cell of that kernel
 * for that round (matrix_inner.c).  Batches go round by round, kernel by
 * kernel (matrix.h, mx_order), so every kernel sees the same drift of
 * this machine.  Then the table or matrix.json, and the figures. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "history.h"
#include "jsonfile.h"
#include "matrix_run.h"
#include "peelbench.h"
#include "result.h"

volatile sig_atomic_t mx_interrupted;

static void on_stop(int sig)
{
	mx_interrupted = 1;
}

static bool kernel_native(const char *label)
{
	struct utsname u;
	size_t n = strlen(label);
	int fd;

	if (!strcmp(label, "host"))
		return true;
	if (uname(&u) || strncmp(u.release, label, n) ||
	    (u.release[n] && u.release[n] != '.' && u.release[n] != '-'))
		return false;
	fd = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

bool mx_check_bad(const struct mx_matrix *m)
{
	size_t k;

	for (k = 0; k < m->plan->o->nkernels; k++)
		if (m->kinfo[k].checked && (m->kinfo[k].fail || m->kinfo[k].check_reason[0]))
			return true;
	return false;
}

int mx_outer_setup(struct mx_run *w, struct mx_opts *o, char *defdir, size_t size)
{
	char path[PATH_MAX];
	size_t k;

	if (!o->no_history) {
		int ret = pb_history_open(o->db ? o->db : pb_history_default_path(), true, &w->h);

		if (ret)
			return ret;
	}
	if (!o->outdir) {
		time_t t = time(NULL);
		struct tm tm;

		strftime(defdir, size, "results/matrix-%Y%m%d-%H%M%S", localtime_r(&t, &tm));
		o->outdir = defdir;
	}
	if (mx_mkdir_p(o->outdir) || !realpath(o->outdir, w->dir)) {
		pb_err("matrix: cannot create %s: %s", o->outdir, strerror(errno));
		return PB_EXIT_RUNTIME;
	}
	w->m.dir = w->dir;
	for (k = 0; k < o->nkernels; k++) {
		mx_strf(path, sizeof(path), "%s/%s", w->dir, o->kernels[k]);
		if (mx_mkdir_p(path)) {
			pb_err("matrix: cannot create %s: %s", path, strerror(errno));
			return PB_EXIT_RUNTIME;
		}
		w->m.kinfo[k].native = !o->kpath[k].label[0] && kernel_native(o->kernels[k]);
	}
	if (o->vm_mem)
		mx_strf(w->mem, sizeof(w->mem), "%s", o->vm_mem);
	else	/* as `run` sizes its own guest */
		mx_strf(w->mem, sizeof(w->mem), "%llu", pb_guest_mem_mib(mx_max_number(o, "assocs")));
	/* the runner's out-of-memory line in a batch log names our option */
	setenv("PEELBENCH_VM_MEM_OPT", "--vm-mem", 1);
	return 0;
}

int mx_run_batches(struct mx_run *w, size_t nout, unsigned only_round)
{
	const struct mx_opts *o = w->o;
	/* every step of the plan: mx_order fills them all, even when only
	 * one round (a cell) runs */
	struct mx_step *steps = calloc((size_t)o->repeat * o->nkernels * w->m.plan->ncells,
				       sizeof(*steps));
	size_t i, nsteps;
	int ret = 0;

	if (!steps) {
		pb_err("matrix: out of memory");
		return PB_EXIT_RUNTIME;
	}
	w->total = nout;
	w->tty = isatty(STDERR_FILENO);
	w->t0 = mx_now();
	pb_catch_stop_signals(on_stop);
	/* a batch: the steps of one kernel in one round, all its cells in
	 * the guest's one boot */
	nsteps = mx_order(w->m.plan, steps);
	for (i = 0; i < nsteps && !mx_interrupted && !ret; i++) {
		if (steps[i].cell != 0 || (only_round && steps[i].round != only_round))
			continue;
		mx_progress(w, steps[i].round, steps[i].kernel);
		ret = mx_run_batch(w, steps[i].round, steps[i].kernel);
	}
	free(steps);
	mx_progress_clear(w);
	pb_release_stop_signals();
	return ret;
}

void mx_find_releases(struct mx_matrix *m)
{
	const struct mx_opts *o = m->plan->o;
	size_t k, c;
	unsigned r;

	for (k = 0; k < o->nkernels; k++)
		for (r = 1; r <= o->repeat && !m->kinfo[k].release[0]; r++)
			for (c = 0; c < m->plan->ncells; c++) {
				struct mx_outcome *x = mx_at(m, r, k, c);

				if (x->state == MX_OK && x->res->kernel[0]) {
					mx_strf(m->kinfo[k].release, sizeof(m->kinfo[k].release),
						"%s", x->res->kernel);
					break;
				}
			}
}

int mx_report(struct mx_run *w)
{
	const struct mx_opts *o = w->o;
	char path[PATH_MAX];
	struct json_object *j;
	int ret;

	w->m.interrupted = mx_interrupted;
	mx_find_releases(&w->m);
	j = mx_json(&w->m);
	mx_strf(path, sizeof(path), "%s/matrix.json", w->dir);
	ret = pb_write_json_atomic(path, j);
	if (o->json)
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		mx_print_table(&w->m, stdout);
	json_object_put(j);
	if (!o->json)
		printf("\nresults: %s (matrix.json, %s)\n", w->dir, w->m.machines ?
		       "pooled/ and plots/; the runs are in the history" :
		       "KERNEL/CELL-rN.json and .log");
	if (!o->no_plot && !mx_interrupted)
		mx_make_plots(w);
	if (w->history_failed)
		pb_err("matrix: some results could not be stored in the history database");
	if (mx_interrupted)
		return PB_EXIT_INTR;
	if (mx_failed_count(&w->m) || mx_check_bad(&w->m))
		return PB_EXIT_FOUND;
	if (!ret && w->history_failed)
		return PB_EXIT_RUNTIME;
	return ret;
}

int mx_run_alloc(struct mx_run *w, struct mx_plan *plan)
{
	w->m.plan = plan;
	w->nout = (size_t)w->o->repeat * w->o->nkernels * plan->ncells;
	w->m.out = calloc(w->nout, sizeof(*w->m.out));
	if (w->m.out)
		return 0;
	pb_err("matrix: out of memory");
	return PB_EXIT_RUNTIME;
}

void mx_run_free(struct mx_run *w)
{
	size_t c;

	for (c = 0; w->m.out && c < w->nout; c++)
		pb_result_free(w->m.out[c].res);
	for (c = 0; c < MX_MAX_KERNELS; c++) {
		json_object_put(w->m.kinfo[c].check);
		w->m.kinfo[c].check = NULL;
	}
	free(w->m.out);
	w->m.out = NULL;
	if (w->h)
		pb_history_close(w->h);
	w->h = NULL;
	mx_plan_free(w->m.plan);
}

int mx_outer_main(struct mx_opts *o)
{
	struct mx_run w = { .o = o };
	struct mx_plan plan;
	char defdir[64];
	int ret;

	if ((ret = mx_plan_build(o, &plan)))
		return ret;
	if (!(ret = mx_run_alloc(&w, &plan)) &&
	    !(ret = mx_outer_setup(&w, o, defdir, sizeof(defdir))) &&
	    !(ret = mx_run_batches(&w, w.nout, 0)))
		ret = mx_report(&w);
	mx_run_free(&w);
	return ret;
}
