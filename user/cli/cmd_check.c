// SPDX-License-Identifier: GPL-2.0
/* `peelbench check [--json] [-o FILE]`: run every case of check_cases.c,
 * each in its own child process (a case that crashes or hangs is a fail
 * of its own, never of the next one), then print the table or JSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "check.h"
#include "commands.h"
#include "jsonfile.h"
#include "opts.h"
#include "peelbench.h"
#include "sctp_avail.h"

/* Per case, killed by SIGALRM past this: the longest waits (accounting,
 * busy association) are bounded at 20 s each. */
#define CASE_TIMEOUT_S 60

struct check_opts {
	bool json;
	const char *path;
};

static const struct pb_opt check_opts[] = {
	PB_OPT(PB_OPT_FLAG, 0, "json", PB_OPT_OFF(struct check_opts, json), NULL,
	  "print the result object (peelbench-result/1) on stdout"),
	PB_OPT(PB_OPT_OUTFILE, 'o', "output", PB_OPT_OFF(struct check_opts, path), "F",
	  "also write it to F (atomically)", .missing = "-o needs a file name"),
	PB_OPT(PB_OPT_HELP, 'h', "help", 0, NULL, "this text"),
	PB_OPT_TABLE_END,
};

static const struct pb_cmd_spec check_spec = {
	.name = "check",
	.head = "usage: peelbench check [--json] [-o FILE]\n\n"
		"Tests this kernel against what sctp_peeloff(3), RFC 6458 9.2 and the\n"
		"kernel's own history promise, one case per promise, on 127.0.0.1:\n"
		"errors, flags, socket accounting over 1000 peel+close cycles, socket\n"
		"options inherited by the peeled socket, busy and loaded associations.\n"
		"Each case: pass, fail, known deviation (with its reference) or not\n"
		"applicable; a WARNING, BUG or refcount_t line in the kernel log while\n"
		"a case runs fails it.\n\n",
	.tail = "\nexit: 0 no case failed, 1 a case failed, 2 bad option,\n"
		"      3 no SCTP in this kernel, 4 cannot write F\n",
	.opts = check_opts,
	.help_col = 18,
};

static int require_sctp(void)
{
	int err = pb_sctp_avail(AF_INET);

	if (!err)
		return 0;
	pb_err("no sctp in this kernel (socket: %s, also after 'modprobe sctp'); try 'peelbench --vm 6.1 check'",
	       pb_errno_name(err));
	return PB_EXIT_ENV;
}

/* The case in a child; the parent reads what it observed. */
static void run_case(const struct check_case *c, struct check_outcome *o)
{
	size_t off = 0;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	o->c = c;
	o->observed[0] = '\0';
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(o->observed, sizeof(o->observed), "setup: pipe: %s",
			 pb_errno_name(errno));
		goto verdict;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(o->observed, sizeof(o->observed), "setup: fork: %s",
			 pb_errno_name(errno));
		close(p[0]);
		close(p[1]);
		goto verdict;
	}
	if (pid == 0) {
		char obs[CHECK_OBSERVED_MAX] = "";

		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		alarm(CASE_TIMEOUT_S);
		if (c->run_arg)
			c->run_arg(c->arg, obs, sizeof(obs));
		else
			c->run(obs, sizeof(obs));
		if (write(p[1], obs, strlen(obs)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	while (off < sizeof(o->observed) - 1) {
		n = read(p[0], o->observed + off, sizeof(o->observed) - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	o->observed[off] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		snprintf(o->observed, sizeof(o->observed),
			 "timeout after %d s", CASE_TIMEOUT_S);
	else if (WIFSIGNALED(status))
		snprintf(o->observed, sizeof(o->observed), "crashed: %s",
			 strsignal(WTERMSIG(status)));
	else if (!off)
		snprintf(o->observed, sizeof(o->observed), "no result");
verdict:
	o->verdict = check_outcome_verdict(o);
	pb_debug("%s: %s (%s)", c->name, o->observed,
		 check_verdict_name(o->verdict));
}

/* run_case(), then read the kernel log: what the kernel logged since the
 * previous case's read that looks like a bug goes with this case.
 * Teardown that the kernel finishes after a case returned (a SHUTDOWN
 * after close, an RCU free) is charged to the next case at the latest. */
static void run_case_watched(const struct check_case *c,
			     struct check_outcome *o, int klog)
{
	char line[CHECK_KLOG_MAX] = "";

	o->kernel_log[0] = '\0';
	run_case(c, o);
	if (check_klog_read(klog, line, sizeof(line))) {
		snprintf(o->kernel_log, sizeof(o->kernel_log), "%s", line);
		o->verdict = check_outcome_verdict(o);
	}
}

static void now_utc(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int emit_json(const struct check_outcome *o, size_t n, bool to_stdout,
		     const char *path)
{
	struct utsname u;
	char created[32];
	struct check_env env;
	struct json_object *root;
	int ret = 0;

	uname(&u);
	now_utc(created, sizeof(created));
	env = (struct check_env){ u.release, u.machine, created };
	root = check_result_json(&env, o, n);
	if (!root) {
		pb_err("cannot build the result object: out of memory");
		return PB_EXIT_RUNTIME;
	}
	if (to_stdout)
		printf("%s\n", json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	if (path)
		ret = pb_write_json_atomic(path, root);
	json_object_put(root);
	return ret;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o = { 0 };
	struct check_outcome *out;
	int first, ret, klog;
	size_t i;

	ret = pb_opts_parse(&check_spec, argc, argv, &o, &first);
	if (ret)
		return ret < 0 ? PB_EXIT_OK : ret;
	ret = require_sctp();
	if (ret)
		return ret;

	out = calloc(check_ncases, sizeof(*out));
	if (!out) {
		pb_err("out of memory");
		return PB_EXIT_RUNTIME;
	}
	/* No /dev/kmsg (a container without it): the cases still run. */
	klog = check_klog_open(getenv("PEELBENCH_KMSG") ? getenv("PEELBENCH_KMSG")
							 : "/dev/kmsg");
	if (klog < 0)
		pb_debug("no kernel log watch: %s", pb_errno_name(errno));
	for (i = 0; i < check_ncases; i++)
		run_case_watched(&check_cases[i], &out[i], klog);
	if (klog >= 0)
		close(klog);

	if (!o.json)
		check_print_table(stdout, out, check_ncases);
	ret = 0;
	if (o.json || o.path)
		ret = emit_json(out, check_ncases, o.json, o.path);
	if (!ret)
		ret = check_exit_code(out, check_ncases);
	free(out);
	return ret;
}
