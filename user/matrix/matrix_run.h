/* SPDX-License-Identifier: GPL-2.0 */
/* `peelbench matrix`, the orchestration: guests, processes, progress,
 * history and plots.  The inner matrix (matrix_inner.c) runs one kernel's
 * cells of one round in that kernel; the outer (matrix_run.c) runs the
 * batches (matrix_batch.c), one guest per kernel per round, then prints
 * the table and pools the repeats for the plots (matrix_pool.c).  The
 * process and file helpers they share are in matrix_proc.c. */
#ifndef PEELBENCH_MATRIX_RUN_H
#define PEELBENCH_MATRIX_RUN_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "matrix.h"

/* Set by SIGINT and SIGTERM while the outer matrix runs its batches. */
extern volatile sig_atomic_t mx_interrupted;

/* The two modes of the command; both return its exit code. */
int mx_inner_main(const struct mx_opts *o);
int mx_outer_main(struct mx_opts *o);

/* ---- the outer matrix's state (matrix_run.c, matrix_batch.c) ---- */

struct pb_history;

struct mx_run {
	struct mx_opts *o;
	struct mx_matrix m;
	struct pb_history *h;
	char dir[PATH_MAX];
	char mem[32];
	size_t nout;			/* runs in the plan: m.out's length */
	size_t total, done;
	double t0;
	bool tty, history_failed;
	/* a kernel the runner refused (2) or could not boot for want of a
	 * tool (3) is not tried again in later rounds: that would fail alike */
	int dead_code[MX_MAX_KERNELS];
	char dead_why[MX_MAX_KERNELS][200];
};

/* m.out for every run of plan (whose o is w->o); 0, or PB_EXIT_RUNTIME
 * after one line. */
int mx_run_alloc(struct mx_run *w, struct mx_plan *plan);
/* The outcomes with their results, the history, the plan. */
void mx_run_free(struct mx_run *w);
/* DIR (default results/matrix-TIME, in defdir) and DIR/KERNEL, which
 * kernels run natively, the history database (opened first: nothing is
 * made when it cannot be) and the guests' memory. */
int mx_outer_setup(struct mx_run *w, struct mx_opts *o, char *defdir, size_t size);
/* Every batch in the interleaved order (only round only_round when not
 * 0), until done, interrupted or `run` refused the options; total is the
 * number of runs for the progress line. */
int mx_run_batches(struct mx_run *w, size_t total, unsigned only_round);
/* Each kernel's release: env.kernel of its first result. */
void mx_find_releases(struct mx_matrix *m);
/* --check: a failed case, or a check that did not run. */
bool mx_check_bad(const struct mx_matrix *m);
/* matrix.json, the table or its JSON, the figures; the exit code. */
int mx_report(struct mx_run *w);

/* Run one batch (kernel k, round): fills its outcomes.  Returns
 * PB_EXIT_USAGE when `run` refused every cell's options (no point in
 * going on), else 0. */
int mx_run_batch(struct mx_run *w, unsigned round, size_t k);

/* Argument vector of a batch: the VM runner around `peelbench matrix
 * --inner`, or the latter alone for a native kernel.  Strings made here
 * live in runner and strs; NULL when they do not fit (free the vector). */
char **mx_batch_argv(const struct mx_run *w, unsigned round, size_t k, bool native,
		     char *runner, size_t runner_size, char *strs, size_t strs_size);

/* Why a batch that exited with code did not run a cell. */
const char *mx_batch_why(int code);

/* The progress line on a terminal (w->tty), and its erasure. */
void mx_progress(const struct mx_run *w, unsigned round, size_t k);
void mx_progress_clear(const struct mx_run *w);

/* Pool the repeats of every (kernel, cell) into DIR/pooled and draw the
 * figures into DIR/plots with `peelbench plot` (matrix_pool.c). */
void mx_make_plots(const struct mx_run *w);
/* One pooled result file: metrics the medians over the repeats, rounds
 * the repeats; its path into path.  -1 when no repeat succeeded. */
int mx_write_pooled(const struct mx_run *w, size_t k, size_t c, char *path,
		    size_t size);

/* ---- process and file helpers (matrix_proc.c) ---- */

/* snprintf for names and messages that may be cut: paths are checked
 * where they are made (realpath, PATH_MAX), a message may lose its tail. */
void mx_strf(char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
double mx_now(void);
int mx_mkdir_p(const char *path);
/* The last non-empty line of a log, at most size - 1 characters. */
void mx_last_line(const char *path, char *out, size_t size);
/* Start argv[0] with stdin from /dev/null, stdout and stderr into log;
 * returns its pid, or -1. */
pid_t mx_spawn_logged(char *const *argv, const char *log);
/* The exit code of a wait status: 128 + N for signal N. */
int mx_exit_code(int status);
int mx_wait_child(pid_t pid);
/* The binary each run execs: $PEELBENCH_MATRIX_EXEC (a developer hook:
 * a fake `peelbench` for tests), else this very peelbench. */
void mx_run_binary(char *out, size_t size);

#endif
