/* SPDX-License-Identifier: GPL-2.0 */
/* What a peeled socket must be: O_NONBLOCK and FD_CLOEXEC exactly as
 * requested, one message round trip with its peer, and the messages
 * queued on the association before the peeloff now readable on it. */
#ifndef PEELBENCH_BENCH_VERIFY_H
#define PEELBENCH_BENCH_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "assoc.h"
#include "config.h"

/* The O_NONBLOCK/FD_CLOEXEC a peeled socket must carry (BENCH_FLAG_*). */
unsigned int bench_expected_flags(const struct bench_config *c);
/* BENCH_FLAG_* as fcntl sees them on fd, or -errno. */
int bench_fd_flags(int fd);

/* NULL when the peeled socket fd of association a is right; otherwise the
 * failure's name for the error table: an errno name for a failing call,
 * "flags_mismatch", "queue_mismatch" or "bad_message". */
const char *bench_verify_peeled(const struct bench_config *c, int fd,
				const struct bench_assoc *a, uint64_t seq);

#endif
