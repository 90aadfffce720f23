/* SPDX-License-Identifier: GPL-2.0 */
/* The counters the kernel exposes about SCTP and socket memory, read as
 * one snapshot so that two snapshots can be compared:
 *   /proc/net/sctp/snmp        every line "Name value": SctpCurrEstab, ...
 *   /proc/net/sockstat         "sockstat.LABEL.KEY": sockstat.TCP.inuse, ...
 *   /proc/net/protocols        the SCTP and SCTPv6 rows: proto.SCTP.sockets,
 *                              proto.SCTP.memory (pages, -1 when not
 *                              counted), proto.SCTP.press (1 under memory
 *                              pressure, 0 not, -1 "NI")
 *   /proc/sys/net/sctp/sctp_mem  sctp_mem.min, sctp_mem.pressure, sctp_mem.max
 *                              (pages: the kernel's thresholds)
 * A file that is missing (no SCTP yet, another kernel) adds no counter.
 * Used by `run` (each round's deltas, the memory pressure seen) and
 * `check` (counters that must return to their start). */
#ifndef PEELBENCH_KSTAT_H
#define PEELBENCH_KSTAT_H

#include <stdbool.h>
#include <stdio.h>

#define PB_KSTAT_MAX 128
#define PB_KSTAT_NAME 48

struct pb_kstat {
	int n;
	struct {
		char name[PB_KSTAT_NAME];
		long long v;
	} c[PB_KSTAT_MAX];
};

/* Every source under root ("" for the running kernel, a folder holding
 * proc/... for tests).  Returns the number of counters read. */
int pb_kstat_read(struct pb_kstat *s, const char *root);
/* One source each, from f; the counters are appended.  Return the number
 * added. */
int pb_kstat_parse_snmp(struct pb_kstat *s, FILE *f);
int pb_kstat_parse_sockstat(struct pb_kstat *s, FILE *f);
int pb_kstat_parse_protocols(struct pb_kstat *s, FILE *f);
int pb_kstat_parse_sctp_mem(struct pb_kstat *s, FILE *f);

/* The value of name, or dflt when the snapshot has no such counter. */
long long pb_kstat_get(const struct pb_kstat *s, const char *name, long long dflt);

/* The counters of b whose value differs from a's (a counter a lacks counts
 * from 0), as name and b - a, in b's order; at most max.  Returns how many
 * were written. */
struct pb_kstat_delta {
	const char *name;	/* points into b */
	long long d;
};
int pb_kstat_diff(const struct pb_kstat *a, const struct pb_kstat *b,
		  struct pb_kstat_delta *out, int max);

#endif
