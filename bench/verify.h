/* SPDX-License-Identifier: GPL-2.0 */
/* What a peeled socket must be: O_NONBLOCK and FD_CLOEXEC exactly as
 * requested, one message round trip with its peer, and the messages
 * queued on the association before the peeloff now readable on it. */
#ifndef PEELBENCH_BENCH_VERIFY_H
#define PEELBENCH_BENCH_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assoc.h"
#include "config.h"

/* The O_NONBLOCK/FD_CLOEXEC a peeled socket must carry (BENCH_FLAG_*). */
unsigned int bench_expected_flags(const struct bench_config *c);
/* BENCH_FLAG_* as fcntl sees them on fd, or -errno. */
int bench_fd_flags(int fd);

/* Where a check stopped and what had crossed the association by then:
 * the failure's record in the result (driver.failures). */
struct bench_verify_info {
	const char *stage;	/* "flags", "ping_send", "ping_recv" (on the
				 * client), "pong_send", "pong_recv" (on the
				 * peeled socket), "queue" */
	unsigned long long queued;	/* QUEUE messages read on the peeled socket */
	unsigned long long load;	/* LOAD messages read on either side */
	bool ping_seen;			/* the client got the PING */
};

/* One association that failed its peeloff or its check, as the result
 * names it (driver.failures): the first BENCH_FAILS_MAX of each round. */
#define BENCH_FAILS_MAX 8
struct bench_failure {
	unsigned long long index;	/* in the round's peel order */
	int32_t assoc_id;
	bool peeled;			/* the peeloff returned an fd */
	char error[32];			/* as in the error table */
	struct bench_verify_info info;	/* stage "peeloff" or "queue_send"
					 * when the check never started */
};

/* NULL when the peeled socket fd of association a is right; otherwise the
 * failure's name for the error table: an errno name for a failing call,
 * "flags_mismatch", "queue_mismatch" or "bad_message".  info, when not
 * NULL, says how far the check got. */
const char *bench_verify_peeled(const struct bench_config *c, int fd,
				const struct bench_assoc *a, uint64_t seq,
				struct bench_verify_info *info);

#endif
