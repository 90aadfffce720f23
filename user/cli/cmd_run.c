// SPDX-License-Identifier: GPL-2.0
/* `peelbench run` (the default command): the tracer around the driver,
 * a compact summary, and a result file.  On a kernel without SCTP it
 * re-executes itself inside a guest through the VM runner. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "calib.h"
#include "commands.h"
#include "events.h"
#include "driver.h"
#include "opts.h"
#include "peelbench.h"
#include "phase.h"
#include "probes.h"
#include "result_write.h"
#include "sctp_avail.h"
#include "trace.h"
#include "vm.h"

struct run_opts {
	struct bench_config cfg;
	const char *output;
	bool no_trace, no_vm;
	unsigned int phases;	/* --phases mask; 0: all */
	const char *vm_kernel, *vm_mem;
};

struct run_state {
	struct tracer *tracer;
};

/* An option of bench_options: the driver words its own errors. */
static int set_bench(const struct pb_opt *o, const char *val, void *cfg)
{
	struct run_opts *ro = cfg;
	char err[256];

	if (bench_config_set(&ro->cfg, bench_option_find(o->name), val, err, sizeof(err)))
		return 0;
	pb_err("%s", err);
	return PB_EXIT_USAGE;
}

static int set_vm_mem(const struct pb_opt *o, const char *val, void *cfg)
{
	unsigned long long mem;

	if (!pb_parse_count_opt("", "--vm-mem", val, PB_VM_MEM_MIN, PB_VM_MEM_MAX, &mem))
		return PB_EXIT_USAGE;
	((struct run_opts *)cfg)->vm_mem = val;
	return 0;
}

#define O(field) PB_OPT_OFF(struct run_opts, field)
/* After the driver's options (bench_options). */
static const struct pb_opt run_own_opts[] = {
	PB_OPT(PB_OPT_OUTFILE, 'o', "output", O(output), "FILE",
	  "result file (default results/run-KERNEL-TIME.json)"),
	PB_OPT(PB_OPT_FLAG, 0, "no-trace", O(no_trace), NULL, "run the driver alone, without BPF"),
	PB_OPT(PB_OPT_CUSTOM, 0, "phases", O(phases), "LIST",
	  "trace only these phases (as in 'trace --phases')",
	  .what = "phase list", .range = PROBE_PHASE_CHOICES, .parse = probe_phases_opt),
	PB_OPT(PB_OPT_FLAG, 0, "no-vm", O(no_vm), NULL,
	  "never re-run in a guest (a kernel without SCTP: exit 3)"),
	PB_OPT(PB_OPT_STRING, 0, "vm-kernel", O(vm_kernel), "VERSION",
	  "guest kernel when this one has no SCTP (default 6.1)"),
	PB_OPT(PB_OPT_CALL, 0, "vm-mem", 0, "MIB",
	  "guest memory (default: 2048 + assocs/10)", .call = set_vm_mem),
	PB_OPT(PB_OPT_HELP, 'h', "help", 0, NULL, "this text"),
	PB_OPT_TABLE_END,
};

#define N_OWN (sizeof(run_own_opts) / sizeof(run_own_opts[0]))
#define N_RUN_OPTS 48

/* The whole table: one row per bench_options entry, then run's own. */
static const struct pb_opt *run_opts_table(void)
{
	static struct pb_opt t[N_RUN_OPTS];
	const struct bench_option *b;
	size_t n = 0, i;

	if (t[0].kind != PB_OPT_END)
		return t;
	for (b = bench_options; b->name && n < N_RUN_OPTS - N_OWN; b++)
		t[n++] = (struct pb_opt)PB_OPT(PB_OPT_CALL, 0, b->name, 0, b->metavar,
					       b->help, .call = set_bench);
	for (i = 0; i < N_OWN; i++)
		t[n++] = run_own_opts[i];
	return t;
}
#undef O

static struct pb_cmd_spec run_spec = {
	.name = "run",
	.head = "usage: peelbench run [OPTIONS]\n\n"
		"Sets up many SCTP associations on one one-to-many socket (loopback), peels\n"
		"them off with sctp_peeloff(3) / sctp_peeloff_flags under load, verifies every\n"
		"peeled socket, traces the kernel's peeloff path, and writes a result file.\n\n",
	.tail = "\nCounts take k/m/g (10k); exit codes as in README.md; port in use: exit 4.\n",
	.help_col = 37,
	.bare_errors = true,
	.extra_hint = "; see 'peelbench run --help'",
};

/* 0 to run, -1 for --help (exit 0), or PB_EXIT_USAGE (printed). */
static int parse_args(int argc, char **argv, struct run_opts *ro)
{
	char err[256];
	int first, ret;

	memset(ro, 0, sizeof(*ro));
	bench_config_defaults(&ro->cfg);
	ro->vm_kernel = "6.1";
	run_spec.opts = run_opts_table();
	ret = pb_opts_parse(&run_spec, argc, argv, ro, &first);
	if (ret)
		return ret;
	if (!bench_config_check(&ro->cfg, err, sizeof(err))) {
		pb_err("%s", err);
		return PB_EXIT_USAGE;
	}
	return 0;
}

/* "run" and then argv, for parse_args; *mem frees it. */
static char **run_argv(int argc, const char **argv, char ***mem)
{
	char **v = calloc((size_t)argc + 2, sizeof(*v));
	int i;

	*mem = v;
	if (!v)
		return NULL;
	v[0] = "run";
	for (i = 0; i < argc; i++)
		v[i + 1] = (char *)argv[i];
	optind = 0;
	return v;
}

int run_args_check(int argc, const char **argv)
{
	struct run_opts ro;
	char **v, **mem;
	int ret;

	if (!(v = run_argv(argc, argv, &mem))) {
		pb_err("out of memory");
		return PB_EXIT_RUNTIME;
	}
	ret = parse_args(argc + 1, v, &ro);
	free(mem);
	optind = 0;
	return ret > 0 ? ret : 0;
}

unsigned long long run_args_guest_mem(int argc, char **argv)
{
	struct bench_config c;
	int i;

	bench_config_defaults(&c);
	for (i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		char err[256];

		if (!strcmp(argv[i], "--assocs") && i + 1 < argc)
			bench_config_set(&c, bench_option_find("assocs"), argv[++i], err, sizeof(err));
		else if (!strncmp(argv[i], "--assocs=", 9))
			bench_config_set(&c, bench_option_find("assocs"), argv[i] + 9, err, sizeof(err));
	}
	return pb_guest_mem_mib(c.assocs);
}

/* The folder the result goes to, created (and given to the sudo caller)
 * so that the VM runner can share it writable. */
static int results_dir(const struct run_opts *ro, char *out, size_t len)
{
	char buf[PATH_MAX], *dir;
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");

	snprintf(buf, sizeof(buf), "%s", ro->output ? ro->output : "results/x");
	dir = dirname(buf);
	if (mkdir(dir, 0755) == 0 && u && g && geteuid() == 0) {
		if (chown(dir, (uid_t)atol(u), (gid_t)atol(g)))
			pb_debug("cannot chown %s: %s", dir, strerror(errno));
	}
	if (!realpath(dir, out) || strlen(out) >= len) {
		pb_err("cannot use the result folder %s: %s", dir, strerror(errno));
		return PB_EXIT_RUNTIME;
	}
	return 0;
}

/* Replace this process by the VM runner running `peelbench run ARGS
 * --no-vm` in a guest, with the result folder writable there. */
static int reexec_in_guest(const struct run_opts *ro, int argc, char **argv, int err)
{
	static char share[PATH_MAX], mem[32];
	struct vm_opts vm = { .version = ro->vm_kernel, .share = share };
	char **args;
	int i, ret;

	ret = results_dir(ro, share, sizeof(share));
	if (ret)
		return ret;
	if (ro->vm_mem) {
		vm.mem = ro->vm_mem;
	} else {
		snprintf(mem, sizeof(mem), "%llu", pb_guest_mem_mib(ro->cfg.assocs));
		vm.mem = mem;
	}
	args = calloc(argc + 2, sizeof(*args));
	if (!args) {
		pb_err("out of memory");
		return PB_EXIT_RUNTIME;
	}
	for (i = 0; i < argc; i++)
		args[i] = argv[i];
	args[argc] = "--no-vm";	/* one hop, never a guest in a guest */
	fprintf(stderr, "peelbench: this kernel has no SCTP (%s): running in a %s guest\n",
		pb_errno_name(err), ro->vm_kernel);
	setenv("PEELBENCH_GUEST", "1", 1);
	ret = vm_exec(&vm, argc + 1, args);
	free(args);
	return ret;
}

/* 0: SCTP is here.  Otherwise the exit code, or -1 to go to a guest. */
static int check_sctp(const struct run_opts *ro, int *errp)
{
	int err = bench_sctp_avail(ro->cfg.family);

	*errp = err;
	if (!err)
		return 0;
	if (!pb_sctp_missing_errno(err)) {
		pb_err("cannot create an SCTP socket: %s", strerror(err));
		return err == EAFNOSUPPORT ? PB_EXIT_ENV : PB_EXIT_RUNTIME;
	}
	if (ro->no_vm) {
		pb_err("this kernel has no SCTP (socket: %s, modprobe sctp did not help) and --no-vm forbids a guest",
		       pb_errno_name(err));
		return PB_EXIT_ENV;
	}
	return -1;
}

static void on_stop(int sig)
{
	bench_request_stop();
}

static void hook_round(void *ctx, unsigned long long round, bool warm)
{
	struct run_state *st = ctx;

	if (st->tracer)
		tracer_round(st->tracer);
}

static void hook_tick(void *ctx)
{
	struct run_state *st = ctx;

	if (st->tracer)
		tracer_poll(st->tracer, 0);
}

/* "812 ns", "12.3 us", "4.56 ms" */
static const char *fmt_ns(double ns, char *buf, size_t len)
{
	static const char *const fmt[4] = { "%.0f ns", "%.1f us", "%.2f ms", NULL };

	return pb_fmt_ns(ns, fmt, buf, len);
}

static void print_kernel_phases(struct json_object *trace)
{
	struct json_object *ph, *one, *v;
	char a[32], b[32], c[32];
	unsigned int i;

	if (!trace || !json_object_object_get_ex(trace, "phases", &ph))
		return;
	for (i = 0; i < PB_PH_MAX; i++) {
		double p50 = 0, p99 = 0, p999 = 0;

		if (!json_object_object_get_ex(ph, pb_phase_name(i), &one))
			continue;
		if (json_object_object_get_ex(one, "count", &v) && !json_object_get_int64(v))
			continue;
		if (json_object_object_get_ex(one, "p50_ns", &v))
			p50 = json_object_get_double(v);
		if (json_object_object_get_ex(one, "p99_ns", &v))
			p99 = json_object_get_double(v);
		if (json_object_object_get_ex(one, "p999_ns", &v))
			p999 = json_object_get_double(v);
		printf("  kernel %-13s p50 %-9s p99 %-9s p99.9 %s", pb_phase_name(i),
		       fmt_ns(p50, a, sizeof(a)), fmt_ns(p99, b, sizeof(b)),
		       fmt_ns(p999, c, sizeof(c)));
		if (json_object_object_get_ex(one, "compensated", &v) &&
		    json_object_object_get_ex(v, "p50_ns", &v))
			printf("   compensated p50 %s", fmt_ns(json_object_get_double(v), a, sizeof(a)));
		printf("\n");
	}
	if (json_object_object_get_ex(trace, "calibration", &v)) {
		printf("  ");
		calib_print_json(v, stdout);
	}
}

/* "migration  44.1 ns [40.2, 47.9] per message queued on the parent
 * (migrate, Theil-Sen over N events)" from trace.migration_fit. */
static void print_migration_fit(struct json_object *fit)
{
	struct json_object *v, *ci;
	double lo = NAN, hi = NAN;

	if (json_object_object_get_ex(fit, "ci95", &ci) && json_object_array_length(ci) == 2) {
		lo = json_object_get_double(json_object_array_get_idx(ci, 0));
		hi = json_object_get_double(json_object_array_get_idx(ci, 1));
	}
	json_object_object_get_ex(fit, "ns_per_msg", &v);
	printf("migration  %.1f ns [%.1f, %.1f] per message queued on the parent", json_object_get_double(v), lo, hi);
	json_object_object_get_ex(fit, "phase", &v);
	printf(" (%s, Theil-Sen", json_object_get_string(v));
	json_object_object_get_ex(fit, "events", &v);
	printf(" over %lld events)\n", (long long)json_object_get_int64(v));
}

static void print_errors(const struct bench_result *r)
{
	int i;

	printf("errors     %llu", bench_errors_total(&r->errs));
	for (i = 0; i < r->errs.len; i++)
		printf("%s%s %llu", i ? ", " : " (", r->errs.e[i].name, r->errs.e[i].n);
	printf("%s\n", r->errs.len ? ")" : "");
	for (unsigned long long k = 0; k < r->nrounds; k++) {
		const struct bench_round *rd = &r->rounds[k];
		const struct bench_failure *f = &rd->fail[0];
		char why[768];

		if (!bench_round_explain(rd, why, sizeof(why)))
			continue;
		printf("why        round %llu: %s\n", k + 1, why);
		if (rd->nfail)
			printf("first      association %d (peel #%llu): %s at stage %s, "
			       "%llu queued messages received (driver.failures)\n",
			       f->assoc_id, f->index + 1, f->error, f->info.stage,
			       f->info.queued);
	}
}

static void print_summary(const struct run_opts *ro, const struct bench_result *r,
			  const struct result_env *env, struct json_object *trace,
			  bool traced, unsigned long long tracer_ok, const char *path)
{
	const struct bench_config *c = &ro->cfg;
	struct json_object *ov, *fit;
	char a[32], b[32], d[32], e[32];

	printf("peelbench run: %s%s, %s, %llu assocs x %llu round%s, %llu thread%s, sctp_%s%s%s%s\n",
	       env->kernel, env->vm ? " (guest)" : "",
	       c->family == BENCH_INET6 ? "inet6" : "inet", c->assocs, c->repeat,
	       c->repeat == 1 ? "" : "s", c->threads, c->threads == 1 ? "" : "s",
	       bench_call_name(c->call),
	       c->call == BENCH_CALL_PEELOFF_FLAGS ? "(" : "",
	       c->call == BENCH_CALL_PEELOFF_FLAGS ? bench_flags_name(c->flags) : "",
	       c->call == BENCH_CALL_PEELOFF_FLAGS ? ")" : "");
	printf("setup      %.0f assocs/s (%s)\n", r->setup_per_s,
	       c->connect == BENCH_CONNECT_BLOCKING ? "blocking connects" : "non-blocking connects, epoll");
	printf("peeloff    %.0f /s   peeled %llu, verified %llu of %llu\n",
	       r->peel_per_s, r->peeled, r->verified, r->assocs);
	printf("latency    user p50 %s  p99 %s  p99.9 %s  max %s\n",
	       fmt_ns((double)r->sum.p50_ns, a, sizeof(a)), fmt_ns((double)r->sum.p99_ns, b, sizeof(b)),
	       fmt_ns((double)r->sum.p999_ns, d, sizeof(d)), fmt_ns((double)r->sum.max_ns, e, sizeof(e)));
	print_kernel_phases(trace);
	if (trace && json_object_object_get_ex(trace, "migration_fit", &fit))
		print_migration_fit(fit);
	print_errors(r);
	if (traced) {
		printf("tracer     %llu successful peeloffs seen, driver made %llu (warm-up included): %s\n",
		       tracer_ok, r->peeled + r->warmup_peeled,
		       tracer_ok == r->peeled + r->warmup_peeled ? "agree" : "DISAGREE");
		if (trace && json_object_object_get_ex(trace, "overhead", &ov))
			printf("overhead   %s\n", json_object_to_json_string(ov));
	} else {
		printf("tracer     off (--no-trace)\n");
	}
	if (!r->complete)
		printf("incomplete: interrupted, %llu of %llu rounds reached\n", r->nrounds, c->repeat);
	if (path)
		printf("result     %s\n", path);
}

int cmd_run(int argc, char **argv)
{
	struct trace_opts topts = { .pid = getpid(), .events = true, .calibrate = true };
	struct bench_hooks hooks = { .round_end = hook_round, .tick = hook_tick };
	struct run_state st = { 0 };
	struct json_object *result = NULL, *trace = NULL;
	unsigned long long tracer_ok = 0;
	struct bench_result r = { 0 };
	struct result_env env;
	struct run_opts ro;
	char path[PATH_MAX], events_path[PATH_MAX];
	time_t created;
	int ret, werr, sctp_err;

	ret = parse_args(argc, argv, &ro);
	if (ret)
		return ret < 0 ? PB_EXIT_OK : ret;
	ret = check_sctp(&ro, &sctp_err);
	if (ret < 0)
		return reexec_in_guest(&ro, argc, argv, sctp_err);
	if (ret)
		return ret;
	/* the loops look at the stop flag */
	pb_catch_stop_signals(on_stop);
	/* Where the result goes is known before the run: the tracer streams
	 * the events to its sidecar as they come. */
	created = time(NULL);
	result_env_probe(&env);
	if (ro.output)
		snprintf(path, sizeof(path), "%s", ro.output);
	else
		result_default_path(path, sizeof(path), &env, created);
	if (pb_events_sidecar_path(path, false, events_path, sizeof(events_path))) {
		pb_err("path too long: %s", path);
		return PB_EXIT_USAGE;
	}
	topts.events_path = events_path;
	if (!ro.no_trace) {
		topts.phases = ro.phases;
		ret = tracer_open(&topts, &st.tracer);
		if (ret) {
			pb_err("the tracer could not start; 'peelbench run --no-trace' runs without it");
			return ret;
		}
	}
	hooks.ctx = &st;
	ret = bench_run(&ro.cfg, &hooks, &r);
	if (st.tracer) {
		tracer_poll(st.tracer, 0);
		trace = tracer_json(st.tracer);
		tracer_ok = tracer_peeloff_ok(st.tracer);
	}
	/* A run that could not start (bad limits, port in use) leaves no
	 * result file: there is nothing in it to compare. */
	if (ret == 0 || ret == PB_EXIT_INTR || r.nrounds) {
		/* the sidecar first, renamed into place: the result names it
		 * and the migration fit reads it */
		werr = st.tracer ? tracer_events_commit(st.tracer) : 0;
		result = result_build(&ro.cfg, &r, &env, trace, path, tracer_ok, st.tracer != NULL, created);
		trace = NULL;
		if (!werr && (werr = result_write(path, result)) && st.tracer)
			unlink(events_path);
		print_summary(&ro, &r, &env, result ? json_object_object_get(result, "trace") : NULL,
			      st.tracer != NULL, tracer_ok, werr ? NULL : path);
		if (werr && (ret == 0 || ret == PB_EXIT_INTR))
			ret = werr;
	}
	if (ret == 0 && r.verified != r.peeled) {
		pb_err("%llu peeled sockets failed verification", r.peeled - r.verified);
		ret = PB_EXIT_FOUND;
	}
	if (ret == 0 && st.tracer && tracer_ok != r.peeled + r.warmup_peeled) {
		pb_err("the tracer saw %llu successful peeloffs, the driver made %llu",
		       tracer_ok, r.peeled + r.warmup_peeled);
		ret = PB_EXIT_FOUND;
	}
	json_object_put(result);
	json_object_put(trace);
	if (st.tracer)
		tracer_close(st.tracer);
	bench_result_free(&r);
	return ret;
}
