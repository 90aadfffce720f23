// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix`: one workload across kernels and sweeps.
 *
 * Booting a guest costs 15-30 s under TCG, more than a small run, so the
 * unit of work is a batch: one guest per kernel per round, in which
 * `peelbench matrix --inner K --round R` runs every cell of that kernel
 * for that round, each as its own `peelbench run --no-vm`, and appends
 * "CELL<TAB>EXIT" to DIR/K/status-rR.tsv as each one ends.  Batches go
 * round by round, kernel by kernel (matrix.h, mx_order), so every kernel
 * sees the same drift of this machine.  The host reads the status file
 * while the guest runs (progress) and after (which cell failed how); a
 * cell without a status line is charged the guest's own failure (exit 5
 * boot/panic, 6 timeout, 2 unknown kernel, ...).  Results are stored in
 * the history database one transaction per batch. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "commands.h"
#include "history.h"
#include "jsonfile.h"
#include "matrix.h"
#include "peelbench.h"
#include "result.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = 1;
}

/* snprintf for names and messages that may be cut: paths are checked
 * where they are made (realpath, PATH_MAX), a message may lose its tail. */
static void strf(char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void strf(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0775) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, 0775) && errno != EEXIST ? -1 : 0;
}

/* The last non-empty line of a log, at most size - 1 characters. */
static void last_line(const char *path, char *out, size_t size)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		/* a terminal's progress lines end in \r; keep the last part */
		if ((e = strrchr(s, '\r')) && e[1] && e[1] != '\n')
			s = e + 1;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
			*--e = '\0';
		if (*s)
			strf(out, size, "%s", s);
	}
	fclose(f);
}

/* Start argv[0] with stdout and stderr into log; returns its pid or -1. */
static pid_t spawn_logged(char *const *argv, const char *log)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid;
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0664);
	int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(PB_EXIT_RUNTIME);
	execv(argv[0], argv);
	dprintf(2, "peelbench: matrix: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(PB_EXIT_ENV);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return PB_EXIT_RUNTIME;
}

static int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return PB_EXIT_RUNTIME;
	return exit_code(st);
}

/* The binary each run execs: $PEELBENCH_MATRIX_EXEC (a developer hook:
 * a fake `peelbench` for tests), else this very peelbench. */
static void run_binary(char *out, size_t size)
{
	const char *hook = getenv("PEELBENCH_MATRIX_EXEC");

	if (hook && *hook)
		strf(out, size, "%s", hook);
	else
		strf(out, size, "%s/peelbench", pb.root);
}

/* ---- inner: one kernel's cells of one round, in this kernel ---- */

static int inner_one(const char *status_path, const char *name, char **argv,
		     const char *log)
{
	pid_t pid = spawn_logged(argv, log);
	int code = pid < 0 ? PB_EXIT_RUNTIME : wait_child(pid);
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

static int inner_main(const struct mx_opts *o)
{
	char bin[PATH_MAX], path[PATH_MAX], log[PATH_MAX], status[PATH_MAX], round[16];
	struct mx_plan plan;
	const char **cargs;
	char **argv;
	size_t c, n, i, j;
	int ret;

	if ((ret = mx_plan_build(o, &plan)))
		return ret;
	run_binary(bin, sizeof(bin));
	strf(path, sizeof(path), "%s/%s", o->outdir, o->inner);
	if (mkdir_p(path)) {
		pb_err("matrix: cannot create %s: %s", path, strerror(errno));
		mx_plan_free(&plan);
		return PB_EXIT_RUNTIME;
	}
	strf(status, sizeof(status), "%s/%s/status-r%u.tsv", o->outdir, o->inner,
		 o->round);
	strf(round, sizeof(round), "%u", o->round);
	/* for the developer hooks: which run this is */
	setenv("PEELBENCH_MATRIX_KERNEL", o->inner, 1);
	setenv("PEELBENCH_MATRIX_ROUND", round, 1);
	if (o->check && o->round == 1) {
		char *cv[] = { bin, "check", "--json", "-o", path, NULL };

		strf(path, sizeof(path), "%s/%s/check.json", o->outdir, o->inner);
		strf(log, sizeof(log), "%s/%s/check.log", o->outdir, o->inner);
		if ((ret = inner_one(status, "check", cv, log)))
			goto out;
	}
	for (c = 0; c < plan.ncells && !interrupted; c++) {
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
	ret = interrupted ? PB_EXIT_INTR : 0;
out:
	mx_plan_free(&plan);
	return ret;
}

/* ---- outer: batches, progress, history, table, plots ---- */

struct outer {
	struct mx_opts *o;
	struct mx_matrix m;
	struct pb_history *h;
	char dir[PATH_MAX];
	char mem[32];
	size_t total, done;
	double t0;
	bool tty, history_failed;
	/* a kernel the runner refused (2) or could not boot for want of a
	 * tool (3) is not tried again in later rounds: that would fail alike */
	int dead_code[MX_MAX_KERNELS];
	char dead_why[MX_MAX_KERNELS][200];
};

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

static void progress(struct outer *w, unsigned round, size_t k)
{
	double el = now_s() - w->t0;
	char eta[48] = "estimating";

	if (!w->tty)
		return;
	if (w->done) {
		double left = el / w->done * (w->total - w->done);

		strf(eta, sizeof(eta), "~%dm%02ds left", (int)left / 60, (int)left % 60);
	}
	fprintf(stderr, "\r\033[Kmatrix: %zu/%zu runs done, round %u/%u, %s: %s",
		w->done, w->total, round, w->o->repeat, w->o->kernels[k], eta);
	fflush(stderr);
}

static void progress_clear(struct outer *w)
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

static const char *batch_why(int code)
{
	switch (code) {
	case PB_EXIT_USAGE:	return "the VM runner refused it (unknown kernel version or bad option)";
	case PB_EXIT_ENV:	return "qemu or a tool the VM runner needs is missing";
	case PB_EXIT_RUNTIME:	return "the VM runner failed (kernel download, disk)";
	case PB_EXIT_VM:	return "the guest failed (boot failure, panic or out of memory)";
	case PB_EXIT_TIMEOUT:	return "the guest exceeded its time limit";
	case PB_EXIT_INTR:	return "interrupted";
	case 0:			return "the guest ended before this cell ran";
	default:		return "the guest's command failed";
	}
}

/* Argument vector of the batch: the VM runner around `peelbench matrix
 * --inner`, or the latter alone for a native kernel. */
static char **batch_argv(struct outer *w, unsigned round, size_t k, bool native,
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
			strf(runner, runner_size, "%s", hook);
		else
			strf(runner, runner_size, "%s/scripts/vm-run", pb.root);
		a[n++] = runner;
		a[n++] = "--share";
		a[n++] = w->dir;
		a[n++] = "--mem";
		a[n++] = w->mem;
		if (o->vm_timeout) {
			a[n++] = "--timeout";
			a[n++] = (char *)o->vm_timeout;
		}
		a[n++] = (char *)o->kernels[k];
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
	a[n++] = w->dir;
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

static void read_check(struct outer *w, size_t k, int code, bool have,
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
		last_line(batch_log, line, sizeof(line));
		strf(ki->check_reason, sizeof(ki->check_reason), "%s%s%s",
			 batch_why(batch_code), line[0] ? ": " : "", line);
		return;
	}
	strf(path, sizeof(path), "%s/%s/check.json", w->dir, w->o->kernels[k]);
	if ((code != PB_EXIT_OK && code != PB_EXIT_FOUND) || pb_result_load(path, &r)) {
		strf(path, sizeof(path), "%s/%s/check.log", w->dir, w->o->kernels[k]);
		last_line(path, line, sizeof(line));
		strf(ki->check_reason, sizeof(ki->check_reason), "%s",
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
			else
				ki->fail++;
		}
	pb_result_free(r);
}

static void store_batch(struct outer *w, unsigned round, size_t k)
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

/* Run one batch; fills its outcomes.  Returns PB_EXIT_USAGE when `run`
 * refused every cell's options (no point in going on), else 0. */
static int run_batch(struct outer *w, unsigned round, size_t k)
{
	const struct mx_opts *o = w->o;
	struct mx_plan *p = w->m.plan;
	const char *kname = o->kernels[k];
	char runner[PATH_MAX], status[PATH_MAX], log[PATH_MAX], path[PATH_MAX];
	char strs[8192], line[512], why[200];
	bool native = w->m.kinfo[k].native, have_check = false;
	int *codes = calloc(p->ncells, sizeof(*codes)), code, check_code = 0;
	size_t c, base = w->done, usage = 0, ran = 0;
	char **argv;
	FILE *st;
	pid_t pid;

	if (!codes)
		return PB_EXIT_RUNTIME;
	for (c = 0; c < p->ncells; c++) {
		codes[c] = -1;
		mx_run_path(w->dir, kname, p->cells[c].name, round, "json", path, sizeof(path));
		unlink(path);	/* never mistake an old result for this run's */
	}
	strf(status, sizeof(status), "%s/%s/status-r%u.tsv", w->dir, kname, round);
	strf(log, sizeof(log), "%s/%s/batch-r%u.log", w->dir, kname, round);
	unlink(status);

	if (w->dead_code[k]) {
		code = w->dead_code[k];
		strf(why, sizeof(why), "not retried after round 1: %s", w->dead_why[k]);
		goto charge;
	}
	argv = batch_argv(w, round, k, native, runner, sizeof(runner), strs, sizeof(strs));
	if (!argv) {
		code = PB_EXIT_USAGE;
		strf(why, sizeof(why), "options too long for the guest's command");
		goto charge;
	}
	if (!native && access(runner, X_OK)) {
		code = PB_EXIT_ENV;
		strf(why, sizeof(why), "no VM runner at %s: %s", runner, strerror(errno));
		free(argv);
		goto charge;
	}
	pid = spawn_logged(argv, log);
	free(argv);
	if (pid < 0) {
		code = PB_EXIT_RUNTIME;
		strf(why, sizeof(why), "cannot fork: %s", strerror(errno));
		goto charge;
	}
	for (;;) {
		struct timespec ts = { 0, 250 * 1000 * 1000 };
		int s;
		pid_t r = waitpid(pid, &s, WNOHANG);

		if (r == pid) {
			code = exit_code(s);
			break;
		}
		if (r < 0 && errno != EINTR) {
			code = PB_EXIT_RUNTIME;
			break;
		}
		w->done = base + count_status_lines(status, true);
		progress(w, round, k);
		nanosleep(&ts, NULL);
	}
	why[0] = '\0';
	st = fopen(status, "r");
	while (st && fgets(line, sizeof(line), st)) {
		char *tab = strchr(line, '\t');

		if (!tab || !strchr(tab, '\n'))
			continue;	/* a line the guest did not finish */
		*tab = '\0';
		if (!strcmp(line, "check")) {
			have_check = true;
			check_code = atoi(tab + 1);
			continue;
		}
		for (c = 0; c < p->ncells; c++)
			if (!strcmp(line, p->cells[c].name))
				codes[c] = atoi(tab + 1);
		ran++;
	}
	if (st)
		fclose(st);
charge:
	if (o->check && round == 1)
		read_check(w, k, check_code, have_check, code, log);
	if (!why[0]) {
		last_line(log, line, sizeof(line));
		strf(why, sizeof(why), "%s", line);
	}
	if (!ran && !have_check && (code == PB_EXIT_USAGE || code == PB_EXIT_ENV)) {
		w->dead_code[k] = code;
		strf(w->dead_why[k], sizeof(w->dead_why[k]), "%s", why);
	}
	for (c = 0; c < p->ncells; c++) {
		struct mx_outcome *x = mx_at(&w->m, round, k, c);
		char clog[PATH_MAX];

		mx_run_path(w->dir, kname, p->cells[c].name, round, "json", path, sizeof(path));
		mx_run_path(w->dir, kname, p->cells[c].name, round, "log", clog, sizeof(clog));
		if (codes[c] == 0) {
			if (pb_result_load(path, &x->res))
				fail(x, PB_EXIT_RUNTIME, "run exited 0 but %s is unusable", path);
			else
				x->state = MX_OK;
		} else if (codes[c] > 0) {
			last_line(clog, line, sizeof(line));
			fail(x, codes[c], "run exited %d: %s", codes[c],
			     line[0] ? line : "no message");
			usage += codes[c] == PB_EXIT_USAGE;
		} else if (code == PB_EXIT_INTR || interrupted) {
			continue;	/* not run */
		} else {
			fail(x, code ? code : PB_EXIT_VM, "%s%s%s", batch_why(code),
			     why[0] ? ": " : "", why);
		}
		if (x->state == MX_FAILED) {
			progress_clear(w);
			pb_err("matrix: %s %s r%u failed (exit %d): %s", kname,
			       p->cells[c].name, round, x->code, x->reason);
		}
	}
	w->done = base + p->ncells;
	store_batch(w, round, k);
	free(codes);
	if (usage == p->ncells && round == 1 && k == 0) {
		progress_clear(w);
		pb_err("matrix: run refused the options of every cell; see %s/%s/*.log",
		       w->dir, kname);
		return PB_EXIT_USAGE;
	}
	return 0;
}

/* ---- the pooled result per (kernel, cell), for the plots ---- */

/* One result file per kernel and cell: metrics are the medians over the
 * repeats, rounds the repeats, so that the plot code's CIs come from the
 * spread between runs (the honest one: runs differ by +-15% between
 * boots under TCG). */
static int write_pooled(struct outer *w, size_t k, size_t c, char *path, size_t size)
{
	const struct mx_opts *o = w->o;
	struct json_object *root, *metrics, *rounds, *trace, *probes;
	const struct pb_result *first = NULL;
	unsigned r;
	int ret;

	for (r = 1; r <= o->repeat && !first; r++)
		if (mx_at(&w->m, r, k, c)->state == MX_OK)
			first = mx_at(&w->m, r, k, c)->res;
	if (!first)
		return -1;
	root = json_object_new_object();
	json_object_object_add(root, "schema", json_object_new_string(PB_RESULT_SCHEMA));
	json_object_object_add(root, "complete", json_object_new_boolean(true));
	if (first->env)
		json_object_object_add(root, "env", json_object_get(first->env));
	if (first->config)
		json_object_object_add(root, "config", json_object_get(first->config));
	metrics = json_object_new_object();
	json_object_object_foreach(first->metrics, name, v) {
		struct mx_value mv;

		(void)v;
		mx_value(&w->m, c, k, name, &mv);
		if (mv.n && isfinite(mv.median))
			json_object_object_add(metrics, name, json_object_new_double(mv.median));
		mx_value_free(&mv);
	}
	json_object_object_add(root, "metrics", metrics);
	rounds = json_object_new_array();
	for (r = 1; r <= o->repeat; r++) {
		struct mx_outcome *x = mx_at(&w->m, r, k, c);
		struct json_object *one;

		if (x->state != MX_OK)
			continue;
		one = json_object_new_object();
		json_object_object_add(one, "metrics", json_object_get(x->res->metrics));
		json_object_array_add(rounds, one);
	}
	json_object_object_add(root, "rounds", rounds);
	if (first->trace && json_object_object_get_ex(first->trace, "probes", &probes)) {
		trace = json_object_new_object();
		json_object_object_add(trace, "probes", json_object_get(probes));
		json_object_object_add(root, "trace", trace);
	}
	strf(path, size, "%s/pooled/%s-%s.json", w->dir, o->kernels[k],
		 w->m.plan->cells[c].name);
	ret = pb_write_json_atomic(path, root);
	json_object_put(root);
	return ret ? -1 : 0;
}

/* `peelbench plot -o OUT FILES...`, output into DIR/plots/plot.log. */
static int plot(struct outer *w, const char *out, char **files, size_t n)
{
	char bin[PATH_MAX], log[PATH_MAX];
	char **argv = calloc(n + 5, sizeof(*argv));
	size_t i, j = 0;
	pid_t pid;
	int fd, code;

	if (!argv)
		return PB_EXIT_RUNTIME;
	strf(bin, sizeof(bin), "%s/peelbench", pb.root);
	strf(log, sizeof(log), "%s/plots/%s.log", w->dir, out);
	argv[j++] = bin;
	argv[j++] = "plot";
	argv[j++] = "-o";
	argv[j++] = (char *)out;
	for (i = 0; i < n; i++)
		argv[j++] = files[i];
	fflush(NULL);
	pid = fork();
	if (!pid) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0664);
		if (fd < 0 || chdir(w->dir) || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(PB_EXIT_RUNTIME);
		/* -o is relative to DIR: plots/NAME */
		argv[3] = malloc(strlen(out) + 8);
		if (!argv[3])
			_exit(PB_EXIT_RUNTIME);
		sprintf(argv[3], "plots/%s", out);
		execv(bin, argv);
		_exit(PB_EXIT_ENV);
	}
	code = pid < 0 ? PB_EXIT_RUNTIME : wait_child(pid);
	free(argv);
	return code;
}

static size_t sweep_index(const struct mx_opts *o, const char *key)
{
	size_t s;

	for (s = 0; s < o->nsweeps; s++)
		if (!strcmp(o->sweeps[s].key, key))
			return s;
	return (size_t)-1;
}

static bool same_but(const struct mx_plan *p, size_t a, size_t b, size_t skip)
{
	size_t s;

	for (s = 0; s < p->o->nsweeps; s++)
		if (s != skip && p->cells[a].idx[s] != p->cells[b].idx[s])
			return false;
	return true;
}

static void make_plots(struct outer *w)
{
	const struct mx_opts *o = w->o;
	struct mx_plan *p = w->m.plan;
	size_t nk = o->nkernels, nc = p->ncells, k, c, c2, n, i, figs = 0, bad = 0;
	size_t sa = sweep_index(o, "assocs");
	char **paths = calloc(nk * nc, sizeof(*paths)), **files, out[MX_NAME_MAX + 64];

	files = calloc(nk * nc + 1, sizeof(*files));
	if (!paths || !files)
		goto out;
	strf(out, sizeof(out), "%s/plots", w->dir);
	if (mkdir_p(out)) {
		pb_err("matrix: cannot create %s: %s", out, strerror(errno));
		goto out;
	}
	for (k = 0; k < nk; k++)
		for (c = 0; c < nc; c++) {
			paths[k * nc + c] = malloc(PATH_MAX);
			if (paths[k * nc + c] &&
			    write_pooled(w, k, c, paths[k * nc + c], PATH_MAX)) {
				free(paths[k * nc + c]);
				paths[k * nc + c] = NULL;
			}
		}
	/* per cell: the phases of every kernel side by side */
	for (c = 0; c < nc && nk >= 2; c++) {
		for (k = n = 0; k < nk; k++)
			if (paths[k * nc + c])
				files[n++] = paths[k * nc + c];
		if (n < 2)
			continue;
		strf(out, sizeof(out), "kernels-%s", p->cells[c].name);
		if (plot(w, out, files, n))
			bad++;
		else
			figs++;
	}
	/* per kernel and setting of the other sweeps: the association sweep */
	for (k = 0; sa != (size_t)-1 && o->sweeps[sa].n >= 2 && k < nk; k++)
		for (c = 0; c < nc; c++) {
			size_t off;

			if (p->cells[c].idx[sa] != 0)
				continue;
			for (c2 = n = 0; c2 < nc; c2++)
				if (same_but(p, c, c2, sa) && paths[k * nc + c2])
					files[n++] = paths[k * nc + c2];
			if (n < 2)
				continue;
			off = snprintf(out, sizeof(out), "sweep-%s", o->kernels[k]);
			for (i = 0; i < o->nsweeps; i++)
				if (i != sa)
					off += snprintf(out + off, off < sizeof(out) ? sizeof(out) - off : 0,
							"+%s=%s", o->sweeps[i].key,
							o->sweeps[i].values[p->cells[c].idx[i]]);
			if (plot(w, out, files, n))
				bad++;
			else
				figs++;
		}
	if (bad)
		pb_err("matrix: %zu plot%s failed; see %s/plots/*.log", bad,
		       bad == 1 ? "" : "s", w->dir);
	if (figs && !o->json)
		printf("plots: %zu set%s of figures in %s/plots\n", figs,
		       figs == 1 ? "" : "s", w->dir);
out:
	for (i = 0; paths && i < nk * nc; i++)
		free(paths[i]);
	free(paths);
	free(files);
}

/* --check: a failed case, or a check that did not run, counts as a
 * failure of the matrix. */
static bool check_bad(const struct mx_matrix *m)
{
	size_t k;

	for (k = 0; k < m->plan->o->nkernels; k++)
		if (m->kinfo[k].checked && (m->kinfo[k].fail || m->kinfo[k].check_reason[0]))
			return true;
	return false;
}

static int outer_main(struct mx_opts *o)
{
	struct outer w = { .o = o };
	struct mx_plan plan;
	struct sigaction sa = { .sa_handler = on_sigint }, old_int, old_term;
	struct json_object *j = NULL;
	char defdir[64], path[PATH_MAX];
	struct mx_step *steps;
	unsigned long long assocs;
	size_t k, c, nout, i, nsteps;
	unsigned r;
	int ret;

	if ((ret = mx_plan_build(o, &plan)))
		return ret;
	w.m.plan = &plan;
	if (!o->outdir) {
		time_t t = time(NULL);
		struct tm tm;

		strftime(defdir, sizeof(defdir), "results/matrix-%Y%m%d-%H%M%S",
			 localtime_r(&t, &tm));
		o->outdir = defdir;
	}
	if (mkdir_p(o->outdir) || !realpath(o->outdir, w.dir)) {
		pb_err("matrix: cannot create %s: %s", o->outdir, strerror(errno));
		mx_plan_free(&plan);
		return PB_EXIT_RUNTIME;
	}
	w.m.dir = w.dir;
	for (k = 0; k < o->nkernels; k++) {
		strf(path, sizeof(path), "%s/%s", w.dir, o->kernels[k]);
		if (mkdir_p(path)) {
			pb_err("matrix: cannot create %s: %s", path, strerror(errno));
			mx_plan_free(&plan);
			return PB_EXIT_RUNTIME;
		}
		w.m.kinfo[k].native = kernel_native(o->kernels[k]);
	}
	if (!o->no_history &&
	    (ret = pb_history_open(o->db ? o->db : pb_history_default_path(), true, &w.h))) {
		mx_plan_free(&plan);
		return ret;
	}
	if (o->vm_mem) {
		strf(w.mem, sizeof(w.mem), "%s", o->vm_mem);
	} else {
		/* as `run` sizes its own guest: both ends of every association
		 * live in the guest's kernel */
		assocs = mx_max_number(o, "assocs");
		strf(w.mem, sizeof(w.mem), "%llu", 2048 + assocs / 10);
	}
	nout = (size_t)o->repeat * o->nkernels * plan.ncells;
	w.m.out = calloc(nout, sizeof(*w.m.out));
	if (!w.m.out) {
		pb_err("matrix: out of memory");
		ret = PB_EXIT_RUNTIME;
		goto out;
	}
	w.total = nout;
	w.tty = isatty(STDERR_FILENO);
	w.t0 = now_s();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	steps = calloc(nout, sizeof(*steps));
	if (!steps) {
		pb_err("matrix: out of memory");
		ret = PB_EXIT_RUNTIME;
		goto out;
	}
	/* a batch: the steps of one kernel in one round, all its cells in
	 * the guest's one boot */
	ret = 0;
	nsteps = mx_order(&plan, steps);
	for (i = 0; i < nsteps && !interrupted && !ret; i++) {
		if (steps[i].cell != 0)
			continue;
		progress(&w, steps[i].round, steps[i].kernel);
		ret = run_batch(&w, steps[i].round, steps[i].kernel);
	}
	free(steps);
	progress_clear(&w);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (ret)
		goto out;
	w.m.interrupted = interrupted;

	for (k = 0; k < o->nkernels; k++)
		for (r = 1; r <= o->repeat && !w.m.kinfo[k].release[0]; r++)
			for (c = 0; c < plan.ncells; c++) {
				struct mx_outcome *x = mx_at(&w.m, r, k, c);

				if (x->state == MX_OK && x->res->kernel[0]) {
					strf(w.m.kinfo[k].release, sizeof(w.m.kinfo[k].release),
						 "%s", x->res->kernel);
					break;
				}
			}
	j = mx_json(&w.m);
	strf(path, sizeof(path), "%s/matrix.json", w.dir);
	ret = pb_write_json_atomic(path, j);
	if (o->json)
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		mx_print_table(&w.m, stdout);
	if (!o->json)
		printf("\nresults: %s (matrix.json, KERNEL/CELL-rN.json and .log)\n", w.dir);
	if (!o->no_plot && !interrupted)
		make_plots(&w);
	if (w.history_failed)
		pb_err("matrix: some results could not be stored in the history database");
	if (interrupted)
		ret = PB_EXIT_INTR;
	else if (mx_failed_count(&w.m) || check_bad(&w.m))
		ret = PB_EXIT_FOUND;
	else if (!ret && w.history_failed)
		ret = PB_EXIT_RUNTIME;
out:
	json_object_put(j);
	for (c = 0; w.m.out && c < nout; c++)
		pb_result_free(w.m.out[c].res);
	free(w.m.out);
	if (w.h)
		pb_history_close(w.h);
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
	ret = o.inner ? inner_main(&o) : outer_main(&o);
	mx_opts_free(&o);
	return ret;
}
