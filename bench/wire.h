/* SPDX-License-Identifier: GPL-2.0 */
/* What the driver's messages carry: a 16-byte header saying why the
 * message was sent, padded to --msg-size.  Verification reads a peeled
 * socket until its PONG, counting the QUEUE messages that migrated with
 * the association and skipping LOAD traffic. */
#ifndef PEELBENCH_BENCH_WIRE_H
#define PEELBENCH_BENCH_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_MSG_MAGIC 0x7065656cU	/* "peel" */
#define BENCH_MSG_MAX   65536

enum bench_msg_kind {
	BENCH_MSG_LOAD = 1,	/* load thread, sporadic talkers */
	BENCH_MSG_QUEUE,	/* --assoc-queue, sent just before the peeloff */
	BENCH_MSG_PING,		/* verification: peeled socket -> client */
	BENCH_MSG_PONG,		/* verification: client -> peeled socket */
	BENCH_MSG_FILL,		/* --backlog, left unread on the parent */
};

struct bench_msg {
	uint32_t magic;
	uint32_t kind;
	uint64_t seq;		/* the association's index in its round */
};

/* Send one message of size bytes (>= sizeof(struct bench_msg)).  Waits up
 * to timeout_ms for room (0: do not wait).  0 or -errno. */
int bench_msg_send(int fd, enum bench_msg_kind kind, uint64_t seq,
		   size_t size, int timeout_ms);
/* Receive one data message (notifications are skipped), waiting up to
 * timeout_ms; -ETIMEDOUT, -EBADMSG for a foreign message, -EINTR on a
 * stop request, or -errno. */
int bench_msg_recv(int fd, struct bench_msg *m, int timeout_ms);
/* Wait until fd is readable/writable (events as poll), in slices so that
 * a stop request is noticed.  0, -ETIMEDOUT, -EINTR or -errno. */
int bench_wait_fd(int fd, short events, int timeout_ms);

#endif
