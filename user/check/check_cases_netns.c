// SPDX-License-Identifier: GPL-2.0
/* `peelbench check` case: no peeloff into another network namespace
 * (CVE-2017-15115). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_cases.h"
#include "check_fixture.h"
#include "peelbench.h"

/* A new network namespace for this process: CLONE_NEWNET as root, else
 * with a user namespace (unprivileged users on most distributions). */
static int enter_new_netns(void)
{
	if (!unshare(CLONE_NEWNET))
		return 0;
	if (errno == EPERM && !unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return 0;
	return -1;
}

/* What the child in the other netns saw: stage 0, the peeloff ran (err
 * its errno, 0 if it worked); stage 1, unshare failed with err. */
struct netns_try {
	int stage, err;
};

/* In the child: move to a new netns, try to peel the server's first
 * association off with the inherited descriptor, tell the parent. */
static void __attribute__((noreturn)) netns_child(const struct fixture *fx, int wfd)
{
	struct netns_try r = { 1, EIO };
	int fd;

	alarm(WAIT_MS / 1000);
	if (enter_new_netns()) {
		r.err = errno;
	} else {
		r.stage = 0;
		fd = sctp_peeloff(fx->server, fx->id[0]);
		r.err = fd < 0 ? errno : 0;
	}
	if (write(wfd, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(0);
}

/* sctp_do_peeloff() refuses when the caller's netns is not the socket's
 * (df80cd9b28b9, CVE-2017-15115, Linux 4.15): a child moves to a new
 * netns and tries with the inherited descriptor.  0 with what it saw in
 * r, or -1 with the setup failure observed. */
static int try_from_other_netns(struct fixture *fx, struct netns_try *r)
{
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return fx_setup_fail(fx, "pipe", errno);
	fx_track(fx, p[0]);
	fx_track(fx, p[1]);
	pid = fork();
	if (pid < 0)
		return fx_setup_fail(fx, "fork", errno);
	if (pid == 0)
		netns_child(fx, p[1]);
	fx_close_now(fx, p[1]);
	n = read(p[0], r, sizeof(*r));
	waitpid(pid, &status, 0);
	if (n != sizeof(*r))
		return fx_setup_fail(fx, "netns child died", ECHILD);
	if (r->stage == 1)
		return fx_setup_fail(fx, "unshare(CLONE_NEWNET)", r->err);
	return 0;
}

void case_netns_refused(char *obs, size_t len)
{
	struct netns_try r;
	struct fixture fx;
	int fd;

	if (fx_open(&fx, 1, obs, len))
		goto out;
	if (try_from_other_netns(&fx, &r))
		goto out;
	if (!r.err) {
		fx_observe(&fx, "peeled across netns");
		goto out;
	}
	/* EINVAL alone would also come from a bad id: the same id must
	 * still peel off from the socket's own netns. */
	fd = sctp_peeloff(fx.server, fx.id[0]);
	if (fd < 0) {
		fx_setup_fail(&fx, "peeloff from its own netns", errno);
		goto out;
	}
	fx_track(&fx, fd);
	fx_observe(&fx, "%s", pb_errno_name(r.err));
out:
	fx_close(&fx);
}
