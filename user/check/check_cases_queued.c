// SPDX-License-Identifier: GPL-2.0
/* `peelbench check` case "queued-bytes-move": the association is peeled
 * off while its data is spread over the parent's receive queue, the
 * reassembly queue (messages of 3,000 bytes cut into 1,000-byte
 * fragments by the client's SCTP_MAXSEG) and the sender (the parent's
 * receive buffer is full, so the rest waits for window).  Every byte must
 * arrive on the peeled socket, message by message in order, and none of
 * the association's on the parent (sctp_sock_migrate() moves the receive
 * queue, the lobby and the reassembly queues: RFC 6458 9.2). */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "check_cases.h"
#include "check_fixture.h"
#include "peelbench.h"

#define Q_MSGS	20
#define Q_SIZE	3000

static unsigned char q_byte(unsigned msg, unsigned off)
{
	return (unsigned char)(msg * 7 + off * 13 + 1);
}

static int q_send_all(struct fixture *fx)
{
	struct sctp_assoc_value seg = { .assoc_id = fx->cid[0], .assoc_value = 1000 };
	unsigned char msg[Q_SIZE];
	unsigned i, j;

	if (setsockopt(fx->client[0], IPPROTO_SCTP, SCTP_MAXSEG, &seg, sizeof(seg)))
		return fx_setup_fail(fx, "SCTP_MAXSEG on the client", errno);
	for (i = 0; i < Q_MSGS; i++) {
		struct sctp_sndrcvinfo sinfo = { .sinfo_assoc_id = fx->cid[0] };

		for (j = 0; j < Q_SIZE; j++)
			msg[j] = q_byte(i, j);
		if (sctp_send(fx->client[0], msg, Q_SIZE, &sinfo, MSG_NOSIGNAL) != Q_SIZE)
			return fx_setup_fail(fx, "client send", errno);
	}
	/* The other association: data of another on the parent's queue. */
	if (check_send_on(fx->client[1], fx->cid[1], "other", 0) < 0)
		return fx_setup_fail(fx, "client 1 send", errno);
	return 0;
}

/* Read the association's messages on fd; the first difference, or the
 * total in *got. */
static void q_read_new(int fd, unsigned *got, char *diff, size_t len)
{
	static unsigned char buf[Q_SIZE * 2];
	unsigned msg = 0, off = 0, j;

	*got = 0;
	diff[0] = '\0';
	while (msg < Q_MSGS) {
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(fd, &m, 0);

		if (n < 0) {
			snprintf(diff, len, "read: %s", pb_errno_name(errno));
			return;
		}
		if (m.msg_flags & MSG_NOTIFICATION)
			continue;
		for (j = 0; j < (unsigned)n; j++, off++)
			if (off >= Q_SIZE || buf[j] != q_byte(msg, off)) {
				snprintf(diff, len, "message %u differs at byte %u", msg, off);
				return;
			}
		*got += (unsigned)n;
		if (m.msg_flags & MSG_EOR) {
			if (off != Q_SIZE) {
				snprintf(diff, len, "message %u has %u bytes", msg, off);
				return;
			}
			msg++;
			off = 0;
		}
	}
}

/* Bytes of client 0's association left on the parent (told apart from
 * the other association's by the sender's port). */
static unsigned q_left_on_parent(struct fixture *fx)
{
	static char buf[Q_SIZE * 2];
	struct sockaddr_in c0;
	socklen_t alen = sizeof(c0);
	unsigned left = 0;

	if (getsockname(fx->client[0], (struct sockaddr *)&c0, &alen))
		return 0;
	for (;;) {
		struct sockaddr_in from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from),
				    .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(fx->server, &m, MSG_DONTWAIT);

		if (n < 0)
			break;
		if (!(m.msg_flags & MSG_NOTIFICATION) && from.sin_port == c0.sin_port)
			left += (unsigned)n;
	}
	return left;
}

void case_queued_bytes_move(char *obs, size_t len)
{
	struct timespec settle = { 0, 500 * 1000000L };
	int small = 4096, fd;
	struct fixture fx;
	char diff[80];
	unsigned got, left;

	if (fx_open(&fx, 2, obs, len))
		goto out;
	/* A full receive buffer on the parent: the rest waits at the client. */
	setsockopt(fx.server, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (q_send_all(&fx) || fx_wait_received(&fx, fx.id[0], 1) ||
	    fx_wait_received(&fx, fx.id[1], 1))
		goto out;
	nanosleep(&settle, NULL);	/* let the window close */
	fd = fx_peel_first(&fx, 0);
	if (fd < 0)
		goto out;
	q_read_new(fd, &got, diff, sizeof(diff));
	left = q_left_on_parent(&fx);
	if (diff[0])
		fx_observe(&fx, "%s after %u of %u bytes, %u left on the parent",
			   diff, got, Q_MSGS * Q_SIZE, left);
	else if (left)
		fx_observe(&fx, "%u bytes in order on the peeled socket, %u left on the parent",
			   got, left);
	else
		fx_observe(&fx, "%u bytes in order on the peeled socket, none on the parent",
			   got);
out:
	fx_close(&fx);
}
