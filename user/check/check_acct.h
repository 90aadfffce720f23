/* SPDX-License-Identifier: GPL-2.0 */
/* The socket accounting the kernel exposes under /proc/net, read before
 * and after a peel-and-close cycle (check_acct.c).  Pure file parsing:
 * unit-tested on fixture files with a planted drift. */
#ifndef PEELBENCH_CHECK_ACCT_H
#define PEELBENCH_CHECK_ACCT_H

#include <stddef.h>

enum check_acct_counter {
	ACCT_SCTP_SOCKETS,	/* protocols: SCTP "sockets" (per-netns inuse) */
	ACCT_SCTPV6_SOCKETS,	/* protocols: SCTPv6 "sockets" */
	ACCT_CURR_ESTAB,	/* sctp/snmp: SctpCurrEstab */
	ACCT_ASSOCS,		/* sctp/assocs: lines after the header */
	ACCT_EPS,		/* sctp/eps: lines after the header */
	ACCT_SOCKETS_USED,	/* sockstat: "sockets: used" */
	ACCT_SCTP_MEMORY,	/* protocols: SCTP "memory" (pages, global) */
	ACCT_SCTP_PRESS,	/* protocols: SCTP "press" (1 yes, 0 no) */
	/* sock_diag (check_skmem.h), summed over the netns' SCTP sockets */
	ACCT_SK_RMEM,		/* sk_rmem_alloc */
	ACCT_SK_WMEM,		/* sk_wmem_alloc */
	ACCT_SK_FWD,		/* sk_forward_alloc */
	ACCT_N,
};

struct check_acct {
	long v[ACCT_N];
};

/* The counter's name as the result shows it ("SctpCurrEstab"). */
const char *check_acct_name(enum check_acct_counter c);
/* Read every /proc counter under root ("" for the running kernel's /proc,
 * or a fixture folder holding proc/net/...); the ACCT_SK_* are left 0.
 * 0, or -1 with what could not be read in err. */
int check_acct_read(const char *root, struct check_acct *a, char *err,
		    size_t len);
/* The ACCT_SK_* counters through sock_diag.  0, or -1 with why in err. */
int check_acct_read_skmem(struct check_acct *a, char *err, size_t len);
/* The per-CPU caches of memory_allocated (pages): how far SCTP's memory
 * column may legitimately end from its start (check_acct.c). */
long check_acct_mem_slack(const char *root, long ncpus);
/* The first counter whose end differs from its start (the memory column:
 * by more than mem_slack pages), as "COUNTER start S end E (peak P,
 * N=n)"; returns -1 when every counter is back, else its index. */
int check_acct_drift(const struct check_acct *start,
		     const struct check_acct *peak,
		     const struct check_acct *end, unsigned n, long mem_slack,
		     char *out, size_t len);

#endif
