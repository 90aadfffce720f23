/* SPDX-License-Identifier: GPL-2.0 */
/* RLIMIT_NOFILE: every association holds a client socket, so the run
 * needs about one descriptor per association (bench_config_fds_needed). */
#ifndef PEELBENCH_BENCH_FDLIMIT_H
#define PEELBENCH_BENCH_FDLIMIT_H

/* Raise the soft (and, as root, the hard) limit to need.  0, or
 * PB_EXIT_USAGE after printing how many are needed and what the limit is. */
int bench_fdlimit_ensure(unsigned long long need, unsigned long long assocs);
/* Descriptors this process has open now (/proc/self/fd), or -1. */
long bench_fd_count(void);

#endif
