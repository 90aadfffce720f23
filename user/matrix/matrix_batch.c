// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix`: one batch, the cells of one kernel in one round in
 * one guest (matrix_run.h).  The host reads the guest's status file while
 * it runs (progress) and after (which cell failed how); a cell without a
 * status line is charged the guest's own failure (exit 5 boot/panic, 6
 * timeout, 2 unknown kernel, ...).  A batch's results are stored in the
 * history database in one transaction. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "history.h"
#include "matrix_run.h"
#include "peelbench.h"
#include "result.h"

void mx_progress(const struct mx_run *w, unsigned round, size_t k)
{
	double el = mx_now() - w->t0;
	char eta[48] = "estimating";

	if (!w->tty)
		return;
	if (w->done) {
		double left = el / w->done * (w->total - w->done);

		mx_strf(eta, sizeof(eta), "~%dm%02ds left", (int)left / 60, (int)left % 60);
	}
	fprintf(stderr, "\r\033[Kmatrix: %zu/%zu runs done, round %u/%u, %s: %s",
		w->done, w->total, round, w->o->repeat, w->o->kernels[k], eta);
	fflush(stderr);
}

void mx_progress_clear(const struct mx_run *w)
{
	if (w->tty)
		fprintf(stderr, "\r\033[K");
}

static size_t count_status_lines(const char *path, bool cells_only)
{
	char line[512];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strchr(line, '\n') && !(cells_only && !strncmp(line, "check\t", 6)))
			n++;
	fclose(f);
	return n;
}

const char *mx_batch_why(int code)
{
	switch (code) {
	case PB_EXIT_USAGE:	return "the VM runner refused it (unknown kernel version or bad option)";
	case PB_EXIT_ENV:	return "qemu or a tool the VM runner needs is missing";
	case PB_EXIT_RUNTIME:	return "the VM runner failed (kernel download, disk)";
	case PB_EXIT_VM:	return "the guest failed (boot failure, panic or out of memory)";
	case PB_EXIT_TIMEOUT:	return "the guest exceeded its time limit";
	case PB_EXIT_INTR:	return "mx_interrupted";
	case 0:			return "the guest ended before this cell ran";
	default:		return "the guest's command failed";
	}
}

/* Argument vector of the batch: the VM runner around `peelbench matrix
 * --inner`, or the latter alone for a native kernel. */
char **mx_batch_argv(const struct mx_run *w, unsigned round, size_t k, bool native,
			 char *runner, size_t runner_size, char *strs, size_t strs_size)
{
	const struct mx_opts *o = w->o;
	char **a = calloc(32 + 2 * o->nsweeps + o->nrun_args, sizeof(*a));
	const char *hook = getenv("PEELBENCH_MATRIX_VMRUN");
	size_t n = 0, i, j, off = 0;

	if (!a)
		return NULL;
	/* strings built here live in strs, one after the other */
#define KEEP(...) ({ char *s_ = strs + off; \
	off += snprintf(s_, off < strs_size ? strs_size - off : 0, __VA_ARGS__) + 1; \
	off <= strs_size ? s_ : (char *)""; })
	if (!native) {
		if (hook && *hook)
			mx_strf(runner, runner_size, "%s", hook);
		else
			mx_strf(runner, runner_size, "%s/scripts/vm-run", pb.root);
		a[n++] = runner;
		a[n++] = "--share";
		a[n++] = (char *)w->dir;
		a[n++] = "--mem";
		a[n++] = (char *)w->mem;
		if (o->vm_timeout) {
			a[n++] = "--timeout";
			a[n++] = (char *)o->vm_timeout;
		}
		if (o->kpath[k].deb) {
			a[n++] = "--deb";
			a[n++] = (char *)o->kpath[k].deb;
		} else if (o->kpath[k].image) {
			a[n++] = "--kernel-image";
			a[n++] = (char *)o->kpath[k].image;
			a[n++] = "--modules";
			a[n++] = (char *)o->kpath[k].modules;
		} else {
			a[n++] = (char *)o->kernels[k];
		}
		a[n++] = "--";
	}
	a[n++] = KEEP("%s/peelbench", pb.root);
	a[n++] = "matrix";
	a[n++] = "--inner";
	a[n++] = (char *)o->kernels[k];
	a[n++] = "--round";
	a[n++] = KEEP("%u", round);
	a[n++] = "--repeat";
	a[n++] = KEEP("%u", o->repeat);
	a[n++] = "-o";
	a[n++] = (char *)w->dir;
	if (o->check)
		a[n++] = "--check";
	for (i = 0; i < o->nsweeps; i++) {
		size_t start = off;

		a[n++] = "--sweep";
		off += snprintf(strs + off, off < strs_size ? strs_size - off : 0, "%s=",
				o->sweeps[i].key);
		for (j = 0; j < o->sweeps[i].n; j++)
			off += snprintf(strs + off, off < strs_size ? strs_size - off : 0,
					"%s%s", j ? "," : "", o->sweeps[i].values[j]);
		off++;
		a[n++] = off <= strs_size ? strs + start : "";
	}
	/* --run-repeat goes back to the inner matrix as its own option: after
	 * "--" a plain "--repeat" would be refused as the matrix's to set. */
	for (i = 0; i + 1 < o->nrun_args; i++)
		if (o->run_args[i] == mx_run_repeat_flag) {
			a[n++] = "--run-repeat";
			a[n++] = (char *)o->run_args[++i];
		}
	a[n++] = "--";
	for (i = 0; i < o->nrun_args; i++) {
		if (o->run_args[i] == mx_run_repeat_flag && i + 1 < o->nrun_args) {
			i++;
			continue;
		}
		a[n++] = (char *)o->run_args[i];
	}
#undef KEEP
	if (off > strs_size) {
		free(a);
		return NULL;
	}
	return a;
}

static void fail(struct mx_outcome *x, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct mx_outcome *x, int code, const char *fmt, ...)
{
	va_list ap;

	x->state = MX_FAILED;
	x->code = code;
	va_start(ap, fmt);
	vsnprintf(x->reason, sizeof(x->reason), fmt, ap);
	va_end(ap);
}

static void read_check(struct mx_run *w, size_t k, int code, bool have,
		       int batch_code, const char *batch_log)
{
	struct mx_kernel_info *ki = &w->m.kinfo[k];
	char path[PATH_MAX], line[200];
	struct json_object *cases, *c, *v;
	struct pb_result *r;
	size_t i;

	ki->checked = true;
	ki->check_code = have ? code : batch_code;
	if (!have) {
		mx_last_line(batch_log, line, sizeof(line));
		mx_strf(ki->check_reason, sizeof(ki->check_reason), "%s%s%s",
			 mx_batch_why(batch_code), line[0] ? ": " : "", line);
		return;
	}
	mx_strf(path, sizeof(path), "%s/%s/check.json", w->dir, w->o->kernels[k]);
	if ((code != PB_EXIT_OK && code != PB_EXIT_FOUND) || pb_result_load(path, &r)) {
		mx_strf(path, sizeof(path), "%s/%s/check.log", w->dir, w->o->kernels[k]);
		mx_last_line(path, line, sizeof(line));
		mx_strf(ki->check_reason, sizeof(ki->check_reason), "%s",
			 line[0] ? line : "no usable check.json");
		return;
	}
	if (r->check && json_object_object_get_ex(r->check, "cases", &cases) &&
	    json_object_is_type(cases, json_type_array))
		for (i = 0; i < json_object_array_length(cases); i++) {
			const char *verdict = "";

			c = json_object_array_get_idx(cases, i);
			if (json_object_object_get_ex(c, "verdict", &v) &&
			    json_object_is_type(v, json_type_string))
				verdict = json_object_get_string(v);
			if (!strcmp(verdict, "pass"))
				ki->pass++;
			else if (!strcmp(verdict, "known deviation"))
				ki->deviation++;
			else if (!strcmp(verdict, "not applicable"))
				ki->not_applicable++;
			else
				ki->fail++;
		}
	if (r->check)
		ki->check = json_object_get(r->check);
	pb_result_free(r);
}

static void store_batch(struct mx_run *w, unsigned round, size_t k)
{
	struct pb_result **rs;
	size_t n = 0, c, added, skipped;

	if (!w->h)
		return;
	rs = calloc(w->m.plan->ncells, sizeof(*rs));
	if (!rs)
		return;
	for (c = 0; c < w->m.plan->ncells; c++)
		if (mx_at(&w->m, round, k, c)->state == MX_OK)
			rs[n++] = mx_at(&w->m, round, k, c)->res;
	if (n && pb_history_add(w->h, rs, n, &added, &skipped))
		w->history_failed = true;
	free(rs);
}

/* One batch in progress: its files, and what it left behind. */
struct batch {
	const char *kname;
	char status[PATH_MAX], log[PATH_MAX];
	int code;		/* the batch's exit code */
	char why[200];		/* why it failed; "": the last line of its log */
	int *codes;		/* per cell: its run's exit code, -1 without one */
	bool have_check;
	int check_code;
	size_t ran;		/* cells with a status line */
};

static void batch_reset(const struct mx_run *w, unsigned round, struct batch *b)
{
	const struct mx_plan *p = w->m.plan;
	char path[PATH_MAX];
	size_t c;

	for (c = 0; c < p->ncells; c++) {
		b->codes[c] = -1;
		mx_run_path(w->dir, b->kname, p->cells[c].name, round, "json", path, sizeof(path));
		unlink(path);	/* never mistake an old result for this run's */
	}
	mx_strf(b->status, sizeof(b->status), "%s/%s/status-r%u.tsv", w->dir, b->kname, round);
	mx_strf(b->log, sizeof(b->log), "%s/%s/batch-r%u.log", w->dir, b->kname, round);
	unlink(b->status);
}

/* Start the batch's guest (or the inner matrix, natively): its pid, or
 * -1 with b->code and b->why. */
static pid_t batch_start(const struct mx_run *w, unsigned round, size_t k, struct batch *b)
{
	char runner[PATH_MAX], strs[8192];
	bool native = w->m.kinfo[k].native;
	char **argv;
	pid_t pid;

	if (w->dead_code[k]) {
		b->code = w->dead_code[k];
		mx_strf(b->why, sizeof(b->why), "not retried after round 1: %s", w->dead_why[k]);
		return -1;
	}
	argv = mx_batch_argv(w, round, k, native, runner, sizeof(runner), strs, sizeof(strs));
	if (!argv) {
		b->code = PB_EXIT_USAGE;
		mx_strf(b->why, sizeof(b->why), "options too long for the guest's command");
		return -1;
	}
	if (!native && access(runner, X_OK)) {
		b->code = PB_EXIT_ENV;
		mx_strf(b->why, sizeof(b->why), "no VM runner at %s: %s", runner, strerror(errno));
		free(argv);
		return -1;
	}
	pid = mx_spawn_logged(argv, b->log);
	free(argv);
	if (pid < 0) {
		b->code = PB_EXIT_RUNTIME;
		mx_strf(b->why, sizeof(b->why), "cannot fork: %s", strerror(errno));
	}
	return pid;
}

/* Wait for the batch, with the progress line counting its status lines. */
static void batch_wait(struct mx_run *w, unsigned round, size_t k, struct batch *b,
		       pid_t pid)
{
	size_t base = w->done;
	bool forwarded = false;

	for (;;) {
		struct timespec ts = { 0, 250 * 1000 * 1000 };
		int s;
		pid_t r = waitpid(pid, &s, WNOHANG);

		/* a SIGTERM or SIGHUP sent to us alone: the guest's runner
		 * stops its qemu on it, and nothing is left running */
		if (mx_interrupted && !forwarded && r == 0) {
			kill(pid, SIGTERM);
			forwarded = true;
		}

		if (r == pid) {
			b->code = mx_exit_code(s);
			break;
		}
		if (r < 0 && errno != EINTR) {
			b->code = PB_EXIT_RUNTIME;
			break;
		}
		w->done = base + count_status_lines(b->status, true);
		mx_progress(w, round, k);
		nanosleep(&ts, NULL);
	}
	b->why[0] = '\0';
}

/* "CELL<TAB>EXIT" lines into b->codes, "check<TAB>EXIT" into b->check_code. */
static void batch_read_status(const struct mx_plan *p, struct batch *b)
{
	char line[512];
	FILE *st = fopen(b->status, "r");
	size_t c;

	while (st && fgets(line, sizeof(line), st)) {
		char *tab = strchr(line, '\t');

		if (!tab || !strchr(tab, '\n'))
			continue;	/* a line the guest did not finish */
		*tab = '\0';
		if (!strcmp(line, "check")) {
			b->have_check = true;
			b->check_code = atoi(tab + 1);
			continue;
		}
		for (c = 0; c < p->ncells; c++)
			if (!strcmp(line, p->cells[c].name))
				b->codes[c] = atoi(tab + 1);
		b->ran++;
	}
	if (st)
		fclose(st);
}

/* One cell's outcome from its run's exit code, result file and log, or
 * from the batch's failure; false when it did not run (interrupted). */
static bool charge_cell(struct mx_run *w, unsigned round, size_t k, size_t c,
			const struct batch *b)
{
	const struct mx_plan *p = w->m.plan;
	struct mx_outcome *x = mx_at(&w->m, round, k, c);
	char path[PATH_MAX], clog[PATH_MAX], line[512];
	int code = b->codes[c];

	mx_run_path(w->dir, b->kname, p->cells[c].name, round, "json", path, sizeof(path));
	mx_run_path(w->dir, b->kname, p->cells[c].name, round, "log", clog, sizeof(clog));
	if (code == 0) {
		if (pb_result_load(path, &x->res))
			fail(x, PB_EXIT_RUNTIME, "run exited 0 but %s is unusable", path);
		else
			x->state = MX_OK;
	} else if (code > 0) {
		mx_last_line(clog, line, sizeof(line));
		fail(x, code, "run exited %d: %s", code, line[0] ? line : "no message");
	} else if (b->code == PB_EXIT_INTR || mx_interrupted) {
		return false;	/* not run */
	} else {
		fail(x, b->code ? b->code : PB_EXIT_VM, "%s%s%s", mx_batch_why(b->code),
		     b->why[0] ? ": " : "", b->why);
	}
	if (x->state == MX_FAILED) {
		mx_progress_clear(w);
		pb_err("matrix: %s %s r%u failed (exit %d): %s", b->kname,
		       p->cells[c].name, round, x->code, x->reason);
	}
	return true;
}

/* Charge every cell of the batch; how many `run` refused (exit 2). */
static size_t batch_charge(struct mx_run *w, unsigned round, size_t k, struct batch *b)
{
	char line[512];
	size_t c, usage = 0;

	if (w->o->check && round == 1)
		read_check(w, k, b->check_code, b->have_check, b->code, b->log);
	if (!b->why[0]) {
		mx_last_line(b->log, line, sizeof(line));
		mx_strf(b->why, sizeof(b->why), "%s", line);
	}
	if (!b->ran && !b->have_check &&
	    (b->code == PB_EXIT_USAGE || b->code == PB_EXIT_ENV)) {
		w->dead_code[k] = b->code;
		mx_strf(w->dead_why[k], sizeof(w->dead_why[k]), "%s", b->why);
	}
	for (c = 0; c < w->m.plan->ncells; c++)
		if (charge_cell(w, round, k, c, b))
			usage += b->codes[c] == PB_EXIT_USAGE;
	return usage;
}

int mx_run_batch(struct mx_run *w, unsigned round, size_t k)
{
	const struct mx_plan *p = w->m.plan;
	struct batch b = { .kname = w->o->kernels[k] };
	size_t base = w->done, usage;
	pid_t pid;

	b.codes = calloc(p->ncells, sizeof(*b.codes));
	if (!b.codes)
		return PB_EXIT_RUNTIME;
	batch_reset(w, round, &b);
	pid = batch_start(w, round, k, &b);
	if (pid >= 0) {
		batch_wait(w, round, k, &b, pid);
		batch_read_status(p, &b);
	}
	usage = batch_charge(w, round, k, &b);
	w->done = base + p->ncells;
	store_batch(w, round, k);
	free(b.codes);
	if (usage == p->ncells && round == 1 && k == 0) {
		mx_progress_clear(w);
		pb_err("matrix: run refused the options of every cell; see %s/%s/*.log",
		       w->dir, b.kname);
		return PB_EXIT_USAGE;
	}
	return 0;
}
