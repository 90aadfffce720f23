// SPDX-License-Identifier: GPL-2.0
/* `peelbench check` cases for sctp_peeloff_flags(3)'s flags and the kind
 * of socket a peeloff returns (SO_TYPE, SO_PROTOCOL; RFC 6458 9.2). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sys/socket.h>

#include "check_cases.h"
#include "check_fixture.h"
#include "peelbench.h"

/* A flag bit sctp_peeloff_flags(3) does not name (not SOCK_NONBLOCK,
 * not SOCK_CLOEXEC). */
#define UNKNOWN_FLAG	0x1u

/* "O_NONBLOCK|FD_CLOEXEC", "O_NONBLOCK", "FD_CLOEXEC" or "neither". */
static void observe_fd_flags(struct fixture *fx, int fd)
{
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);

	if (fl < 0 || fdfl < 0) {
		fx_observe(fx, "fcntl: %s", pb_errno_name(errno));
		return;
	}
	if ((fl & O_NONBLOCK) && (fdfl & FD_CLOEXEC))
		fx_observe(fx, "O_NONBLOCK|FD_CLOEXEC");
	else if (fl & O_NONBLOCK)
		fx_observe(fx, "O_NONBLOCK");
	else if (fdfl & FD_CLOEXEC)
		fx_observe(fx, "FD_CLOEXEC");
	else
		fx_observe(fx, "neither");
}

static void run_flags(char *obs, size_t len, unsigned flags)
{
	struct fixture fx;
	int fd;

	if (fx_open(&fx, 1, obs, len))
		goto out;
	fd = fx_track(&fx, check_peeloff_flags(fx.server, fx.id[0], flags));
	if (fd < 0) {
		fx_observe(&fx, "%s", pb_errno_name(errno));
		goto out;
	}
	observe_fd_flags(&fx, fd);
out:
	fx_close(&fx);
}

void case_flags_none(char *obs, size_t len)
{
	run_flags(obs, len, 0);
}

void case_flags_nonblock(char *obs, size_t len)
{
	run_flags(obs, len, SOCK_NONBLOCK);
}

void case_flags_cloexec(char *obs, size_t len)
{
	run_flags(obs, len, SOCK_CLOEXEC);
}

void case_flags_both(char *obs, size_t len)
{
	run_flags(obs, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

void case_flags_unknown(char *obs, size_t len)
{
	struct fixture fx;
	int fd;

	if (fx_open(&fx, 1, obs, len))
		goto out;
	fd = fx_track(&fx, check_peeloff_flags(fx.server, fx.id[0], UNKNOWN_FLAG));
	if (fd < 0)
		fx_observe(&fx, "%s", pb_errno_name(errno));
	else
		fx_observe(&fx, "accepted");
out:
	fx_close(&fx);
}

static void run_sockopt(char *obs, size_t len, int opt)
{
	struct fixture fx;
	socklen_t vlen;
	int fd, v = -1;

	fd = fx_open_peeled(&fx, 1, obs, len);
	if (fd < 0)
		goto out;
	vlen = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, opt, &v, &vlen)) {
		fx_observe(&fx, "getsockopt: %s", pb_errno_name(errno));
		goto out;
	}
	if (opt == SO_TYPE && v == SOCK_STREAM)
		fx_observe(&fx, "SOCK_STREAM");
	else if (opt == SO_TYPE && v == SOCK_SEQPACKET)
		fx_observe(&fx, "SOCK_SEQPACKET");
	else if (opt == SO_PROTOCOL && v == IPPROTO_SCTP)
		fx_observe(&fx, "IPPROTO_SCTP");
	else
		fx_observe(&fx, "%d", v);
out:
	fx_close(&fx);
}

void case_so_type(char *obs, size_t len)
{
	run_sockopt(obs, len, SO_TYPE);
}

void case_so_protocol(char *obs, size_t len)
{
	run_sockopt(obs, len, SO_PROTOCOL);
}
