/* SPDX-License-Identifier: GPL-2.0 */
/* The memory the kernel charges to SCTP sockets, read through sock_diag
 * (NETLINK_SOCK_DIAG, SCTP's inet_diag handler in net/sctp/diag.c, the
 * module sctp_diag; what `ss -m --sctp` shows): sk_rmem_alloc,
 * sk_wmem_alloc and sk_forward_alloc of each socket (INET_DIAG_SKMEMINFO).
 * One request per family with the states TCPF_LISTEN alone makes
 * sctp_diag_dump() list every endpoint once, socket-level, and no
 * association lines.  The parser is pure and unit-tested on crafted
 * netlink buffers. */
#ifndef PEELBENCH_CHECK_SKMEM_H
#define PEELBENCH_CHECK_SKMEM_H

#include <stddef.h>

struct check_skmem {
	long rmem, wmem, fwd;	/* summed over the sockets seen */
	unsigned sockets;
};

/* One recv() of a SOCK_DIAG_BY_FAMILY dump: every socket line adds its
 * SK_MEMINFO values to m (only the socket of inode ino when ino != 0).
 * Returns 1 at NLMSG_DONE, 0 when more is to come, or -errno for an
 * NLMSG_ERROR or a message too short for what it says it holds. */
int check_skmem_parse(const void *buf, size_t len, unsigned long ino,
		      struct check_skmem *m);
/* The SCTP sockets of this network namespace, AF_INET and AF_INET6 (only
 * the one of inode ino when ino != 0).  0, or -errno (-ENOENT: no SCTP
 * sock_diag handler, sctp_diag not loaded). */
int check_skmem_read(unsigned long ino, struct check_skmem *m);

/* The first of rmem, wmem, fwd that differs between start and end, as
 * "parent sk_rmem_alloc start S end E (N=n peeled)"; -1 when none does,
 * else 0, 1, 2 (rmem, wmem, fwd). */
int check_skmem_drift(const struct check_skmem *start,
		      const struct check_skmem *end, unsigned n, char *out,
		      size_t len);

#endif
