// SPDX-License-Identifier: GPL-2.0
/* `peelbench trace`: the tracer alone, over the whole system (-p: one
 * process; -c: a command and its children, started once the probes are
 * attached).  Prints per-phase latency, peeloff outcomes and accept()
 * migrations; --json / -o give the result object (README, "trace"). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "commands.h"
#include "events.h"
#include "jsonfile.h"
#include "opts.h"
#include "peelbench.h"
#include "probes.h"
#include "trace.h"

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	stop = 1;
}

struct trace_cfg {
	struct trace_opts topts;
	unsigned int pid;
	const char *cmd;
	const char *out;
	char events_path[PATH_MAX];	/* the sidecar of out, with --events */
	bool events_zstd;		/* --events-zstd */
	unsigned long long duration_ns;
	bool json;
	int verbose;
};

#define O(field) PB_OPT_OFF(struct trace_cfg, field)
static const struct pb_opt trace_opts[] = {
	PB_OPT(PB_OPT_UINT, 'p', "pid", O(pid), "PID", "trace only process PID",
	  .min = 1, .max = 4194304, .bad = "bad pid '%s'"),
	PB_OPT(PB_OPT_STRING, 'c', "command", O(cmd), "CMD",
	  "run CMD with /bin/sh -c once attached, trace it and\n"
	  "its children, stop when it exits"),
	PB_OPT(PB_OPT_DURATION, 'd', "duration", O(duration_ns), "SECS",
	  "stop after this long (default: Ctrl-C or CMD exit)",
	  .min = 1, .what = "duration", .range = "e.g. 10, 10s, 500ms"),
	PB_OPT(PB_OPT_FLAG, 'e', "events", O(topts.events), NULL,
	  "per-peeloff events: exact percentiles and the\n"
	  "migration-cost features (queue lengths, assocs);\n"
	  "with -o FILE written to FILE's sidecar, one JSON\n"
	  "line each (FILE.events.ndjson)"),
	PB_OPT(PB_OPT_FLAG, 0, "events-zstd", O(events_zstd), NULL,
	  "--events, the sidecar zstd-compressed\n"
	  "(FILE.events.ndjson.zst; needs -o)"),
	PB_OPT(PB_OPT_FLAG, 'j', "json", O(json), NULL, "print the result as JSON instead of text"),
	PB_OPT(PB_OPT_OUTFILE, 'o', "output", O(out), "FILE",
	  "also write the JSON result to FILE (atomically)"),
	PB_OPT(PB_OPT_CUSTOM, 'P', "phases", O(topts.phases), "LIST",
	  "trace only these phases (comma-separated: "
	  PROBE_FUNC_PHASE_CHOICES "; syscall is always traced); fewer phases, less overhead",
	  .wrap = true, .what = "phase list", .range = PROBE_PHASE_CHOICES, .parse = probe_phases_opt),
	PB_OPT(PB_OPT_FLAG, 'k', "kprobe", O(topts.force_kprobe), NULL,
	  "kprobes (and the syscall tracepoints) even where\n"
	  "fentry works, to compare their cost"),
	PB_OPT(PB_OPT_UINT, 'w', "walk-cap", O(topts.walk_cap), "N",
	  "with --events, also count the parent's associations\n"
	  "(walk ep->asocs, at most N; costly: off by default)",
	  .min = 1, .max = 1000000, .what = "walk cap", .range = "1 .. 1000000"),
	PB_OPT(PB_OPT_COUNT, 'v', "verbose", O(verbose), NULL, "libbpf's log"),
	PB_OPT_TABLE_END,
};
#undef O

static const struct pb_cmd_spec trace_spec = {
	.name = "trace",
	.head = "usage: peelbench trace [-p PID | -c 'CMD'] [-d SECONDS] [--events] [--events-zstd]\n"
		"                       [--json] [-o FILE] [--phases LIST] [--kprobe] [--walk-cap N]\n"
		"                       [-v]\n\n"
		"Time each phase of the SCTP peeloff path (getsockopt SCTP_SOCKOPT_PEELOFF)\n"
		"system-wide, in one process, or in a command run until it exits.\n\n",
	.tail = "\nExit: 0 done, 2 bad option or unknown PID, 3 not root / no BPF, BTF or\n"
		"SCTP, 4 load or attach failed, 130 interrupted (what was gathered is\n"
		"printed).  With -c, once the trace succeeded: CMD's own exit status,\n"
		"or 128+N when signal N ended it (as strace and perf stat return).\n",
	.opts = trace_opts,
	.help_col = 23,
	.extra_hint = " (quote the command: -c 'CMD')",
};

static int parse(int argc, char **argv, struct trace_cfg *cfg)
{
	int first, err;

	err = pb_opts_parse(&trace_spec, argc, argv, cfg, &first);
	if (err)
		return err;
	if (cfg->cmd && cfg->pid) {
		pb_err("trace: -p and -c exclude each other");
		return PB_EXIT_USAGE;
	}
	cfg->topts.pid = (pid_t)cfg->pid;
	if (cfg->events_zstd && !cfg->out) {
		pb_err("trace: --events-zstd needs -o FILE (the sidecar goes beside it)");
		return PB_EXIT_USAGE;
	}
	cfg->topts.events |= cfg->events_zstd;
	if (cfg->topts.events && cfg->out) {
		if (pb_events_sidecar_path(cfg->out, cfg->events_zstd, cfg->events_path,
					   sizeof(cfg->events_path))) {
			pb_err("trace: path too long: %s", cfg->out);
			return PB_EXIT_USAGE;
		}
		cfg->topts.events_path = cfg->events_path;
	}
	pb.verbose += cfg->verbose;
	return PB_EXIT_OK;
}

/* Fork CMD, held on a pipe until the probes are attached. */
static pid_t start_held(const char *cmd, int *release_fd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (!pid) {
		close(p[1]);
		/* EOF without a byte: the tracer failed; do not run untraced */
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		close(p[0]);
		/* CMD starts as it would from a shell: SIGPIPE is ignored
		 * here (pb_catch_stop_signals), and SIG_IGN survives exec */
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	*release_fd = p[1];
	return pid;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* One trace: the tracer, and the command it runs (-c). */
struct trace_run {
	struct tracer *t;
	pid_t child;		/* 0: no command */
	int release;		/* write end that holds the child, or -1 */
	int status;
	bool child_done;
};

/* Start CMD held (-c), load and attach the tracer, then let CMD go. */
static int trace_start(struct trace_cfg *cfg, struct trace_run *r)
{
	int err;

	if (cfg->cmd) {
		r->child = start_held(cfg->cmd, &r->release);
		if (r->child < 0) {
			r->child = 0;
			pb_err("trace: cannot start '%s': %s", cfg->cmd, strerror(errno));
			return PB_EXIT_RUNTIME;
		}
		cfg->topts.pid = r->child;
		cfg->topts.follow_children = true;
	}
	cfg->topts.calibrate = true;
	err = tracer_open(&cfg->topts, &r->t);
	if (err)
		return err;
	if (r->release >= 0) {
		if (write(r->release, "g", 1) != 1) {
			pb_err("trace: cannot start '%s': %s", cfg->cmd, strerror(errno));
			return PB_EXIT_RUNTIME;
		}
		close(r->release);
		r->release = -1;
	}
	return 0;
}

/* Until Ctrl-C, the duration or CMD's exit; then drain what the last
 * calls sent. */
static int trace_wait(const struct trace_cfg *cfg, struct trace_run *r)
{
	unsigned long long t0 = now_ns();

	while (!stop) {
		if (tracer_poll(r->t, 100) < 0)
			return PB_EXIT_RUNTIME;
		if (r->child && waitpid(r->child, &r->status, WNOHANG) == r->child) {
			r->child_done = true;
			break;
		}
		if (cfg->duration_ns && now_ns() - t0 >= cfg->duration_ns)
			break;
	}
	tracer_poll(r->t, 0);
	return 0;
}

/* The result's "command" object (-c): CMD, its pid, how it ended. */
static void add_command(struct json_object *res, const struct trace_cfg *cfg,
			const struct trace_run *r)
{
	struct json_object *cmdo = json_object_new_object();

	json_object_object_add(cmdo, "cmd", json_object_new_string(cfg->cmd));
	json_object_object_add(cmdo, "pid", json_object_new_int(r->child));
	if (r->child_done && WIFEXITED(r->status))
		json_object_object_add(cmdo, "exit_status",
				       json_object_new_int(WEXITSTATUS(r->status)));
	else if (r->child_done && WIFSIGNALED(r->status))
		json_object_object_add(cmdo, "signal", json_object_new_int(WTERMSIG(r->status)));
	else
		json_object_object_add(cmdo, "exit_status", NULL);
	json_object_object_add(res, "command", cmdo);
}

static void print_result(struct json_object *res, const struct trace_cfg *cfg,
			 const struct trace_run *r)
{
	if (cfg->json) {
		puts(json_object_to_json_string_ext(res, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		tracer_print(r->t, stdout);
		if (cfg->cmd && r->child_done && WIFEXITED(r->status))
			printf("command exited with status %d\n", WEXITSTATUS(r->status));
		else if (cfg->cmd && r->child_done && WIFSIGNALED(r->status))
			printf("command killed by signal %d\n", WTERMSIG(r->status));
	}
	fflush(stdout);
}

/* What trace -c returns when the trace itself succeeded: CMD's status,
 * 128+signal when a signal ended it. */
static int command_status(const struct trace_run *r)
{
	if (WIFEXITED(r->status))
		return WEXITSTATUS(r->status);
	return WIFSIGNALED(r->status) ? 128 + WTERMSIG(r->status) : PB_EXIT_OK;
}

/* Detach before waiting for anything; a held child exits without
 * running CMD; a running one is stopped when the trace failed. */
static void trace_end(struct trace_run *r, int err)
{
	tracer_close(r->t);
	if (r->release >= 0)
		close(r->release);
	if (r->child > 0 && !r->child_done) {
		if (err && err != PB_EXIT_INTR)
			kill(r->child, SIGTERM);
		waitpid(r->child, &r->status, 0);
	}
}

int cmd_trace(int argc, char **argv)
{
	struct trace_cfg cfg = { 0 };
	struct trace_run r = { .release = -1 };
	struct json_object *res = NULL;
	struct rusage ru;
	int err;

	err = parse(argc, argv, &cfg);
	if (err)
		return err < 0 ? PB_EXIT_OK : err;

	pb_catch_stop_signals(on_stop);

	err = trace_start(&cfg, &r);
	if (err)
		goto cleanup;
	if (!cfg.json && !cfg.cmd)
		fprintf(stderr, "peelbench: tracing%s; Ctrl-C to stop\n",
			cfg.duration_ns ? " for the given duration" : "");
	err = trace_wait(&cfg, &r);
	if (err)
		goto cleanup;
	res = tracer_json(r.t);
	if (!res) {
		pb_err("trace: out of memory");
		err = PB_EXIT_RUNTIME;
		goto cleanup;
	}
	json_object_object_add(res, "complete", json_object_new_boolean(!stop));
	/* the tracer's own peak memory, not its command's: what --events costs */
	if (!getrusage(RUSAGE_SELF, &ru))
		json_object_object_add(res, "peak_rss_kib", json_object_new_int64(ru.ru_maxrss));
	if (cfg.cmd)
		add_command(res, &cfg, &r);
	print_result(res, &cfg, &r);
	if (cfg.out) {
		/* the sidecar first: a result never names a missing file */
		err = tracer_events_commit(r.t);
		if (!err && (err = pb_write_json_atomic(cfg.out, res)) && cfg.topts.events_path)
			unlink(cfg.topts.events_path);
		if (err)
			goto cleanup;
	}
	err = stop ? PB_EXIT_INTR : PB_EXIT_OK;
cleanup:
	json_object_put(res);
	trace_end(&r, err);
	if (!err && r.child > 0)
		err = command_status(&r);
	return err;
}
