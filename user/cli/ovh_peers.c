// SPDX-License-Identifier: GPL-2.0
/* overhead's peer modes: the tools a user would otherwise pick, each a
 * process started before its block and stopped after it (overhead.h).
 *   bpftrace     a kfunc/kretfunc histogram of sctp_do_peeloff, this pid
 *   funclatency  libbpf-tools' funclatency -p PID sctp_do_peeloff
 *   baseline     --baseline PATH: PATH trace -p PID [--phases LIST]
 *   build        the same command run by this binary
 * A peer is ready when it says so on its output after attaching:
 * bpftrace's BEGIN probe fires once every probe is attached, funclatency
 * prints "Tracing" after its attach (line-buffered through stdbuf),
 * peelbench trace "peelbench: tracing" once attached (and calibrated).  The
 * time to start and attach is outside the block, as a tracer's attach is. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "overhead.h"
#include "peelbench.h"
#include "probes.h"

#define PEER_READY_S	180	/* bpftrace starts slowly under TCG */
#define PEER_STOP_S	60
#define PEER_FUNC	"sctp_do_peeloff"

static bool is_peelbench(unsigned int m)
{
	return m == M_BASELINE || m == M_BUILD;
}

static const char *peer_tool(unsigned int m)
{
	return m == M_BPFTRACE ? "bpftrace" : m == M_FUNCLAT ? "funclatency" :
	       ovh_modes[m].name;
}

static const char *peer_ready(unsigned int m)
{
	return m == M_BPFTRACE ? "ready" : m == M_FUNCLAT ? "Tracing" : "peelbench: tracing";
}

/* The peelbench binary of a build peer: --baseline's, or this one. */
static const char *peelbench_path(const struct ovh *o, unsigned int m, char *buf, size_t len)
{
	ssize_t n;

	if (m == M_BASELINE)
		return o->cfg.baseline;
	n = readlink("/proc/self/exe", buf, len - 1);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

/* overhead's --phases as trace takes it ("" : every phase). */
static void phase_list(unsigned int mask, char *buf, size_t len)
{
	size_t used = 0;
	__u32 ph;

	buf[0] = 0;
	for (ph = 0; ph < PB_PH_MAX && mask; ph++)
		if (mask & (1u << ph))
			used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 used ? "," : "", probe_phase_name(ph));
}

/* The tool in PATH (or /usr/sbin, where Debian puts funclatency). */
static bool in_path(const char *tool)
{
	const char *path = getenv("PATH");
	char buf[4096], dir[4096], *tok, *save = NULL;

	snprintf(dir, sizeof(dir), "%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
	for (tok = strtok_r(dir, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/%s", tok, tool);
		if (!access(buf, X_OK))
			return true;
	}
	return false;
}

static void peer_exec(const struct ovh *o, unsigned int m, pid_t target)
{
	char prog[512], pid[16], self[4096], phases[128];
	const char *pb;

	snprintf(pid, sizeof(pid), "%d", (int)target);
	if (is_peelbench(m)) {
		pb = peelbench_path(o, m, self, sizeof(self));
		phase_list(o->cfg.phases, phases, sizeof(phases));
		if (pb && *phases)
			execl(pb, pb, "trace", "-p", pid, "--phases", phases, (char *)NULL);
		else if (pb)
			execl(pb, pb, "trace", "-p", pid, (char *)NULL);
	} else if (m == M_BPFTRACE) {
		snprintf(prog, sizeof(prog),
			 "BEGIN { printf(\"ready\\n\"); } "
			 "kfunc:sctp:" PEER_FUNC " /pid == %d/ { @s[tid] = nsecs; } "
			 "kretfunc:sctp:" PEER_FUNC " /@s[tid]/ "
			 "{ @ns = hist(nsecs - @s[tid]); delete(@s[tid]); }", (int)target);
		execlp("bpftrace", "bpftrace", "-B", "line", "-e", prog, (char *)NULL);
	} else {
		setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 0);
		execlp("stdbuf", "stdbuf", "-oL", "funclatency", "-p", pid, PEER_FUNC,
		       (char *)NULL);
	}
	_exit(127);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read the peer's output until want shows (true) or EOF / timeout (false);
 * its last non-empty line in last. */
static bool read_until(int fd, const char *want, double timeout_s, char *last, size_t len)
{
	char buf[8192];
	size_t used = 0;
	double end = now_s() + timeout_s;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (now_s() < end) {
		char *nl, *line;
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = read(fd, buf + used, sizeof(buf) - 1 - used);
		if (n <= 0)
			return false;
		used += (size_t)n;
		buf[used] = 0;
		for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
			*nl = 0;
			if (*line)
				snprintf(last, len, "%s", line);
			if (want && strstr(line, want))
				return true;
		}
		used = strlen(line);
		memmove(buf, line, used + 1);
		if (used == sizeof(buf) - 1)
			used = 0;
	}
	return false;
}

int ovh_peer_start(struct ovh *o, unsigned int m)
{
	struct ovh_peer *p = &o->peer[m];
	char last[160] = "", why[sizeof(p->reason)];
	pid_t self = getpid();
	int fds[2];

	if (!is_peelbench(m) && !in_path(peer_tool(m))) {
		snprintf(p->reason, sizeof(p->reason), "%s: not found (Debian package %s)",
			 peer_tool(m), m == M_BPFTRACE ? "bpftrace" : "libbpf-tools");
		return -1;
	}
	if (pipe(fds)) {
		snprintf(p->reason, sizeof(p->reason), "%s: pipe: %s", peer_tool(m),
			 pb_errno_name(errno));
		return -1;
	}
	p->pid = fork();
	if (p->pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		/* not the round's sockets, the tracers' fds, the pipe */
		close_range(3, ~0u, 0);
		peer_exec(o, m, self);
	}
	close(fds[1]);
	p->fd = fds[0];
	if (p->pid > 0 && read_until(p->fd, peer_ready(m), PEER_READY_S, last, sizeof(last)))
		return 0;
	snprintf(why, sizeof(why), "%s: cannot attach to %s: %s", peer_tool(m),
		 is_peelbench(m) ? "this process" : PEER_FUNC,
		 p->pid < 0 ? pb_errno_name(errno) : *last ? last : "no output");
	ovh_peer_stop(o, m);
	snprintf(p->reason, sizeof(p->reason), "%s", why);
	return -1;
}

int ovh_peer_stop(struct ovh *o, unsigned int m)
{
	struct ovh_peer *p = &o->peer[m];
	char last[160] = "";
	int status = -1;

	if (p->pid > 0) {
		kill(p->pid, SIGINT);
		double end = now_s() + 5;
		pid_t w;

		read_until(p->fd, NULL, PEER_STOP_S, last, sizeof(last));
		while ((w = waitpid(p->pid, &status, WNOHANG)) == 0 && now_s() < end)
			usleep(10000);
		if (w != p->pid) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
		}
	}
	if (p->fd > 0)
		close(p->fd);
	p->pid = 0;
	p->fd = -1;
	/* trace stopped by SIGINT exits 130 (PB_EXIT_INTR): its normal end */
	if (WIFEXITED(status) && (!WEXITSTATUS(status) ||
				  (is_peelbench(m) && WEXITSTATUS(status) == PB_EXIT_INTR)))
		return 0;
	/* why, for the probe's skip line: its status and its last words */
	if (WIFEXITED(status))
		snprintf(p->reason, sizeof(p->reason), "%s: exit %d after SIGINT: %s",
			 ovh_modes[m].name, WEXITSTATUS(status), *last ? last : "no output");
	else
		snprintf(p->reason, sizeof(p->reason), "%s: killed by signal %d after SIGINT: %s",
			 ovh_modes[m].name, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
			 *last ? last : "no output");
	return -1;
}

void ovh_peers_probe(struct ovh *o)
{
	unsigned int m;

	for (m = 0; m < M_MAX; m++) {
		if (!ovh_is_peer(m) || !(o->cfg.mode_mask & (1u << m)))
			continue;
		if (!ovh_peer_start(o, m)) {
			if (!ovh_peer_stop(o, m))
				continue;
		}
		o->peer[m].skipped = true;
		o->cfg.mode_mask &= ~(1u << m);
		pb_err("overhead: %s skipped: %s", ovh_modes[m].name, o->peer[m].reason);
	}
}
