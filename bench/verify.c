// SPDX-License-Identifier: GPL-2.0
/* Checking every peeled socket. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "peelbench.h"
#include "verify.h"
#include "wire.h"

unsigned int bench_expected_flags(const struct bench_config *c)
{
	/* sctp_peeloff(3) without flags: a blocking socket that survives
	 * exec, like socket(2) without SOCK_* flags. */
	return c->call == BENCH_CALL_PEELOFF_FLAGS ? c->flags : 0;
}

int bench_fd_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);

	if (fl < 0 || fdfl < 0)
		return -errno;
	return ((fl & O_NONBLOCK) ? BENCH_FLAG_NONBLOCK : 0) |
	       ((fdfl & FD_CLOEXEC) ? BENCH_FLAG_CLOEXEC : 0);
}

/* PING from the peeled socket, PONG back from the client.  On the peeled
 * side the PONG comes after the QUEUE messages that migrated with the
 * association and among any LOAD traffic. */
static const char *round_trip(const struct bench_config *c, int fd,
			      const struct bench_assoc *a, uint64_t seq,
			      struct bench_verify_info *in)
{
	int tmo = (int)c->verify_timeout_ms, err;
	struct bench_msg m;

	in->stage = "ping_send";
	if (a->client_fd < 0)
		return "ECONNRESET";	/* the client is gone (aborted) */
	err = bench_msg_send(fd, BENCH_MSG_PING, seq, c->msg_size, tmo);
	if (err)
		return pb_errno_name(err);
	in->stage = "ping_recv";
	do {
		err = bench_msg_recv(a->client_fd, &m, tmo);
		if (err)
			return err == -EBADMSG ? "bad_message" : pb_errno_name(err);
		in->load += m.kind == BENCH_MSG_LOAD;
	} while (m.kind == BENCH_MSG_LOAD);
	if (m.kind != BENCH_MSG_PING || m.seq != seq)
		return "bad_message";
	in->ping_seen = true;
	in->stage = "pong_send";
	err = bench_msg_send(a->client_fd, BENCH_MSG_PONG, seq, c->msg_size, tmo);
	if (err)
		return pb_errno_name(err);
	in->stage = "pong_recv";
	for (;;) {
		err = bench_msg_recv(fd, &m, tmo);
		if (err)
			return err == -EBADMSG ? "bad_message" : pb_errno_name(err);
		if (m.kind == BENCH_MSG_QUEUE && m.seq == seq) {
			in->queued++;
			continue;
		}
		if (m.kind == BENCH_MSG_LOAD && m.seq == seq) {
			in->load++;
			continue;
		}
		if (m.kind == BENCH_MSG_PONG && m.seq == seq)
			break;
		return "bad_message";	/* another association's data */
	}
	in->stage = "queue";
	return in->queued == c->assoc_queue ? NULL : "queue_mismatch";
}

const char *bench_verify_peeled(const struct bench_config *c, int fd,
				const struct bench_assoc *a, uint64_t seq,
				struct bench_verify_info *info)
{
	struct bench_verify_info local;
	int fl = bench_fd_flags(fd);

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	info->stage = "flags";
	if (fl < 0)
		return pb_errno_name(fl);
	if ((unsigned int)fl != bench_expected_flags(c))
		return "flags_mismatch";
	return round_trip(c, fd, a, seq, info);
}
