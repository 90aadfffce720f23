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
	ACCT_N,
};

struct check_acct {
	long v[ACCT_N];
};

/* The counter's name as the result shows it ("SctpCurrEstab"). */
const char *check_acct_name(enum check_acct_counter c);
/* Read every counter under root ("" for the running kernel's /proc, or a
 * fixture folder holding proc/net/...).  0, or -1 with what could not be
 * read in err. */
int check_acct_read(const char *root, struct check_acct *a, char *err,
		    size_t len);
/* The first counter whose end differs from its start, as
 * "COUNTER start S end E (peak P, N=n)"; returns -1 when every counter
 * is back, else the counter's index. */
int check_acct_drift(const struct check_acct *start,
		     const struct check_acct *peak,
		     const struct check_acct *end, unsigned n, char *out,
		     size_t len);

#endif
