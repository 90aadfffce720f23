// SPDX-License-Identifier: GPL-2.0
/* `peelbench trace`: the tracer alone, over the whole system (-p: one
 * process; -c: a command and its children, started once the probes are
 * attached).  Prints per-phase latency, peeloff outcomes and accept()
 * migrations; --json / -o give the result object (README, "trace"). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "commands.h"
#include "jsonfile.h"
#include "peelbench.h"
#include "probes.h"
#include "trace.h"

static volatile sig_atomic_t stop;

static void on_sigint(int sig)
{
	stop = 1;
}

#define HELP_COL 23
#define HELP_WIDTH 80

/* text, broken at spaces into lines of at most HELP_WIDTH columns, the
 * lines after the first indented to HELP_COL. */
static void print_wrapped(FILE *f, const char *text)
{
	const char *p = text, *brk;
	size_t room = HELP_WIDTH;

	while (strlen(p) > room) {
		for (brk = p + room; brk > p && *brk != ' '; brk--)
			;
		if (brk == p)
			break;
		fprintf(f, "%.*s\n%*s", (int)(brk - p), p, HELP_COL, "");
		p = brk + 1;
		room = HELP_WIDTH - HELP_COL;
	}
	fprintf(f, "%s\n", p);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: peelbench trace [-p PID | -c 'CMD'] [-d SECONDS] [--events] [--json]\n"
		"                       [-o FILE] [--phases LIST] [--kprobe] [--walk-cap N] [-v]\n\n"
		"Time each phase of the SCTP peeloff path (getsockopt SCTP_SOCKOPT_PEELOFF)\n"
		"system-wide, in one process, or in a command run until it exits.\n\n"
		"  -p, --pid PID        trace only process PID\n"
		"  -c, --command CMD    run CMD with /bin/sh -c once attached, trace it and\n"
		"                       its children, stop when it exits\n"
		"  -d, --duration SECS  stop after this long (default: Ctrl-C or CMD exit)\n"
		"  -e, --events         per-peeloff events: exact percentiles and the\n"
		"                       migration-cost features (queue lengths, assocs)\n"
		"  -j, --json           print the result as JSON instead of text\n"
		"  -o, --output FILE    also write the JSON result to FILE (atomically)\n");
	print_wrapped(f,
		"  -P, --phases LIST    trace only these phases (comma-separated: "
		PROBE_FUNC_PHASE_CHOICES "; syscall is always traced); fewer phases, less overhead");
	fprintf(f,
		"  -k, --kprobe         kprobes (and the syscall tracepoints) even where\n"
		"                       fentry works, to compare their cost\n"
		"  -w, --walk-cap N     with --events, also count the parent's associations\n"
		"                       (walk ep->asocs, at most N; costly: off by default)\n"
		"  -v, --verbose        libbpf's log\n\n"
		"Exit: 0 done, 2 bad option or unknown PID, 3 not root / no BPF, BTF or\n"
		"SCTP, 4 load or attach failed, 130 interrupted (what was gathered is\n"
		"printed).  CMD's own exit status is reported, not returned.\n");
}

struct trace_cfg {
	struct trace_opts topts;
	const char *cmd;
	const char *out;
	unsigned long long duration_ns;
	bool json;
};

static int parse(int argc, char **argv, struct trace_cfg *cfg)
{
	static const struct option opts[] = {
		{ "pid",      required_argument, NULL, 'p' },
		{ "command",  required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "events",   no_argument,       NULL, 'e' },
		{ "json",     no_argument,       NULL, 'j' },
		{ "output",   required_argument, NULL, 'o' },
		{ "phases",   required_argument, NULL, 'P' },
		{ "kprobe",   no_argument,       NULL, 'k' },
		{ "walk-cap", required_argument, NULL, 'w' },
		{ "verbose",  no_argument,       NULL, 'v' },
		{ "help",     no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:c:d:ejo:P:kw:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (!pb_parse_u64(optarg, 1, 4194304, &v)) {
				pb_err("trace: bad pid '%s'", optarg);
				return PB_EXIT_USAGE;
			}
			cfg->topts.pid = (pid_t)v;
			break;
		case 'c':
			cfg->cmd = optarg;
			break;
		case 'd':
			if (!pb_parse_duration_ns(optarg, &cfg->duration_ns) || !cfg->duration_ns) {
				pb_err("trace: bad duration '%s' (e.g. 10, 10s, 500ms)", optarg);
				return PB_EXIT_USAGE;
			}
			break;
		case 'e':
			cfg->topts.events = true;
			cfg->topts.keep_events = true;
			break;
		case 'j':
			cfg->json = true;
			break;
		case 'o':
			cfg->out = optarg;
			break;
		case 'P':
			if (probe_phases_parse(optarg, &cfg->topts.phases)) {
				pb_err("trace: bad phase list '%s' (" PROBE_PHASE_CHOICES ")", optarg);
				return PB_EXIT_USAGE;
			}
			break;
		case 'k':
			cfg->topts.force_kprobe = true;
			break;
		case 'w':
			if (!pb_parse_u64(optarg, 1, 1000000, &v)) {
				pb_err("trace: bad walk cap '%s' (1 .. 1000000)", optarg);
				return PB_EXIT_USAGE;
			}
			cfg->topts.walk_cap = (unsigned int)v;
			break;
		case 'v':
			pb.verbose++;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return pb_opt_error("trace", opt, argv[optind - 1]);
		}
	}
	if (optind < argc) {
		pb_err("trace: unexpected argument '%s' (quote the command: -c 'CMD')", argv[optind]);
		return PB_EXIT_USAGE;
	}
	if (cfg->cmd && cfg->topts.pid) {
		pb_err("trace: -p and -c exclude each other");
		return PB_EXIT_USAGE;
	}
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
		signal(SIGINT, SIG_DFL);
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

int cmd_trace(int argc, char **argv)
{
	struct trace_cfg cfg = { 0 };
	struct tracer *t = NULL;
	struct json_object *res = NULL, *cmdo;
	struct sigaction sa = { .sa_handler = on_sigint };
	unsigned long long t0;
	int err, release = -1, status = 0;
	pid_t child = 0;
	bool child_done = false;

	err = parse(argc, argv, &cfg);
	if (err)
		return err < 0 ? PB_EXIT_OK : err;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (cfg.cmd) {
		child = start_held(cfg.cmd, &release);
		if (child < 0) {
			pb_err("trace: cannot start '%s': %s", cfg.cmd, strerror(errno));
			return PB_EXIT_RUNTIME;
		}
		cfg.topts.pid = child;
		cfg.topts.follow_children = true;
	}
	err = tracer_open(&cfg.topts, &t);
	if (err)
		goto cleanup;
	if (release >= 0) {
		if (write(release, "g", 1) != 1) {
			pb_err("trace: cannot start '%s': %s", cfg.cmd, strerror(errno));
			err = PB_EXIT_RUNTIME;
			goto cleanup;
		}
		close(release);
		release = -1;
	}
	if (!cfg.json && !cfg.cmd)
		fprintf(stderr, "peelbench: tracing%s; Ctrl-C to stop\n",
			cfg.duration_ns ? " for the given duration" : "");

	t0 = now_ns();
	while (!stop) {
		if (tracer_poll(t, 100) < 0) {
			err = PB_EXIT_RUNTIME;
			goto cleanup;
		}
		if (child && waitpid(child, &status, WNOHANG) == child) {
			child_done = true;
			break;
		}
		if (cfg.duration_ns && now_ns() - t0 >= cfg.duration_ns)
			break;
	}
	tracer_poll(t, 0);	/* drain what the last calls sent */

	res = tracer_json(t);
	if (!res) {
		pb_err("trace: out of memory");
		err = PB_EXIT_RUNTIME;
		goto cleanup;
	}
	json_object_object_add(res, "complete", json_object_new_boolean(!stop));
	if (cfg.cmd) {
		cmdo = json_object_new_object();
		json_object_object_add(cmdo, "cmd", json_object_new_string(cfg.cmd));
		json_object_object_add(cmdo, "pid", json_object_new_int(child));
		if (child_done && WIFEXITED(status))
			json_object_object_add(cmdo, "exit_status",
					       json_object_new_int(WEXITSTATUS(status)));
		else if (child_done && WIFSIGNALED(status))
			json_object_object_add(cmdo, "signal", json_object_new_int(WTERMSIG(status)));
		else
			json_object_object_add(cmdo, "exit_status", NULL);
		json_object_object_add(res, "command", cmdo);
	}
	if (cfg.json) {
		puts(json_object_to_json_string_ext(res, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		tracer_print(t, stdout);
		if (cfg.cmd && child_done && WIFEXITED(status))
			printf("command exited with status %d\n", WEXITSTATUS(status));
		else if (cfg.cmd && child_done && WIFSIGNALED(status))
			printf("command killed by signal %d\n", WTERMSIG(status));
	}
	fflush(stdout);
	if (cfg.out) {
		err = pb_write_json_atomic(cfg.out, res);
		if (err)
			goto cleanup;
	}
	err = stop ? PB_EXIT_INTR : PB_EXIT_OK;
cleanup:
	json_object_put(res);
	tracer_close(t);	/* detach before waiting for anything */
	if (release >= 0)
		close(release);	/* a held child exits without running CMD */
	if (child > 0 && !child_done) {
		if (err && err != PB_EXIT_INTR)
			kill(child, SIGTERM);
		waitpid(child, &status, 0);
	}
	return err;
}
