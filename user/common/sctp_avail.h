/* SPDX-License-Identifier: GPL-2.0 */
/* Is SCTP in this kernel?  Distribution kernels build it as a module,
 * which a guest's busybox may not load on demand: the one answer,
 * "after `modprobe sctp`", for every command that needs SCTP. */
#ifndef PEELBENCH_SCTP_AVAIL_H
#define PEELBENCH_SCTP_AVAIL_H

#include <stdbool.h>

/* 0 when an SCTP one-to-many socket of address family af (AF_INET,
 * AF_INET6) can be created now, else socket()'s errno. */
int pb_sctp_socket_errno(int af);
/* The errno values of a kernel without SCTP (not of a failing call). */
bool pb_sctp_missing_errno(int err);
/* pb_sctp_socket_errno, once more after a quiet `modprobe -q sctp` when
 * the first try said SCTP is missing (the output of modprobe shows with
 * -v only).  0 or the errno of the last try. */
int pb_sctp_avail(int af);

#endif
