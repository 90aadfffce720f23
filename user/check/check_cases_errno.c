// SPDX-License-Identifier: GPL-2.0
/* `peelbench check` cases for sctp_peeloff(3)'s RETURN VALUE and ERRORS
 * (lksctp-tools man/sctp_peeloff.3): a new descriptor on success, EBADF,
 * ENOTSOCK, and EINVAL for every way an association id can be invalid. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_cases.h"
#include "check_fixture.h"
#include "peelbench.h"

void case_returns_new_fd(char *obs, size_t len)
{
	struct sockaddr_in local, *peer;
	struct sockaddr *addrs = NULL;
	socklen_t alen = sizeof(local);
	struct fixture fx;
	int fd, n;

	if (fx_open(&fx, 1, obs, len))
		goto out;
	if (getsockname(fx.client[0], (struct sockaddr *)&local, &alen)) {
		fx_setup_fail(&fx, "client getsockname", errno);
		goto out;
	}
	fd = sctp_peeloff(fx.server, fx.id[0]);
	if (fd < 0) {
		fx_observe(&fx, "%s", pb_errno_name(errno));
		goto out;
	}
	fx_track(&fx, fd);
	if (fd == fx.server) {
		fx_observe(&fx, "returned the parent's fd");
		goto out;
	}
	/* The new socket carries that association: its peer is the client. */
	n = sctp_getpaddrs(fd, 0, &addrs);
	if (n <= 0) {
		fx_observe(&fx, "new fd without peer addresses: %s",
			n < 0 ? pb_errno_name(errno) : "none");
		goto out;
	}
	peer = (struct sockaddr_in *)addrs;
	if (peer->sin_family == AF_INET && peer->sin_port == local.sin_port)
		fx_observe(&fx, "new fd, peer is the client");
	else
		fx_observe(&fx, "new fd, another peer");
	sctp_freepaddrs(addrs);
out:
	fx_close(&fx);
}

void case_ebadf(char *obs, size_t len)
{
	struct fixture fx = { .obs = obs, .len = len };
	/* A descriptor number that was valid a moment ago. */
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fx_setup_fail(&fx, "open /dev/null", errno);
		return;
	}
	close(fd);
	fx_observe_call(&fx, sctp_peeloff(fd, 1));
}

void case_enotsock(char *obs, size_t len)
{
	struct fixture fx = { .obs = obs, .len = len };
	int fd = memfd_create("peelbench-check", MFD_CLOEXEC);

	if (fd < 0) {
		fx_setup_fail(&fx, "memfd_create", errno);
		return;
	}
	fx_observe_call(&fx, sctp_peeloff(fd, 1));
	close(fd);
}

void case_einval_unknown_id(char *obs, size_t len)
{
	struct fixture fx;

	if (fx_open(&fx, 1, obs, len))
		goto out;
	/* Ids are handed out cyclically from 1 (idr): far above ours is
	 * unused. */
	fx_observe_peeloff(&fx, fx.server, fx.id[0] + 100000);
out:
	fx_close(&fx);
}

void case_einval_one_to_one(char *obs, size_t len)
{
	struct sockaddr_in addr;
	struct sctp_status st = { 0 };
	socklen_t slen = sizeof(st);
	struct fixture fx;
	int srv, c;

	memset(&fx, 0, sizeof(fx));
	fx.obs = obs;
	fx.len = len;
	/* A connected one-to-one socket: it has an association, so EINVAL
	 * can only come from its style. */
	srv = fx_listener(&fx, SOCK_STREAM, &addr);
	if (srv < 0)
		goto out;
	c = fx_track(&fx, check_sctp_socket(SOCK_STREAM));
	if (c < 0) {
		fx_setup_fail(&fx, "socket", errno);
		goto out;
	}
	if (connect(c, (struct sockaddr *)&addr, sizeof(addr))) {
		fx_setup_fail(&fx, "connect to 127.0.0.1", errno);
		goto out;
	}
	if (getsockopt(c, IPPROTO_SCTP, SCTP_STATUS, &st, &slen)) {
		fx_setup_fail(&fx, "SCTP_STATUS", errno);
		goto out;
	}
	fx_observe_peeloff(&fx, c, st.sstat_assoc_id);
out:
	fx_close(&fx);
}

void case_einval_from_peeled(char *obs, size_t len)
{
	struct fixture fx;
	int fd;

	fd = fx_open_peeled(&fx, 1, obs, len);
	if (fd < 0)
		goto out;
	/* The peeled-off socket is one-to-one style (RFC 6458 9.2). */
	fx_observe_peeloff(&fx, fd, fx.id[0]);
out:
	fx_close(&fx);
}

void case_einval_already_peeled(char *obs, size_t len)
{
	struct fixture fx;

	if (fx_open_peeled(&fx, 1, obs, len) < 0)
		goto out;
	fx_observe_peeloff(&fx, fx.server, fx.id[0]);
out:
	fx_close(&fx);
}

void case_einval_aborted_by_peer(char *obs, size_t len)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct fixture fx;

	if (fx_open(&fx, 1, obs, len))
		goto out;
	/* close() with a zero linger sends ABORT. */
	if (setsockopt(fx.client[0], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))) {
		fx_setup_fail(&fx, "SO_LINGER", errno);
		goto out;
	}
	fx_close_now(&fx, fx.client[0]);
	if (fx_wait_gone(&fx, fx.id[0], "the peer's SO_LINGER 0 close"))
		goto out;
	fx_observe_peeloff(&fx, fx.server, fx.id[0]);
out:
	fx_close(&fx);
}

/* The server ends the association itself with sendmsg(flag), waits until
 * the association is gone (what), then peels it off. */
static void peel_after_own_end(char *obs, size_t len, int flag, const char *call,
			       const char *what)
{
	struct fixture fx;

	if (fx_open(&fx, 1, obs, len))
		goto out;
	if (check_send_on(fx.server, fx.id[0], NULL, flag) < 0) {
		fx_setup_fail(&fx, call, errno);
		goto out;
	}
	if (fx_wait_gone(&fx, fx.id[0], what))
		goto out;
	fx_observe_peeloff(&fx, fx.server, fx.id[0]);
out:
	fx_close(&fx);
}

void case_einval_aborted_locally(char *obs, size_t len)
{
	peel_after_own_end(obs, len, SCTP_ABORT, "sendmsg SCTP_ABORT", "SCTP_ABORT");
}

/* Until SHUTDOWN COMPLETE the association exists and can be peeled off;
 * the promise is about one that is gone. */
void case_einval_shut_down(char *obs, size_t len)
{
	peel_after_own_end(obs, len, SCTP_EOF, "sendmsg SCTP_EOF", "SCTP_EOF");
}
