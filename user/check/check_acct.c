// SPDX-License-Identifier: GPL-2.0
/* Socket accounting under /proc/net (check_acct.h), read with
 * user/common/kstat.c plus the line counts of sctp/assocs and eps.  Every
 * counter read
 * here is per network namespace and exact (summed over CPUs when read):
 * the "sockets" column of protocols is sock_prot_inuse_get()
 * (net/core/sock.c proto_seq_printf()), sockstat's "sockets: used" is
 * sock_inuse_get(), the sctp files list one line per association or
 * endpoint.  So after a cycle that closed everything it opened, each
 * must be back at its start value, to the unit. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_acct.h"
#include "check_skmem.h"
#include "kstat.h"
#include "peelbench.h"

static const char *const acct_names[ACCT_N] = {
	[ACCT_SCTP_SOCKETS] = "protocols SCTP sockets",
	[ACCT_SCTPV6_SOCKETS] = "protocols SCTPv6 sockets",
	[ACCT_CURR_ESTAB] = "SctpCurrEstab",
	[ACCT_ASSOCS] = "sctp/assocs lines",
	[ACCT_EPS] = "sctp/eps lines",
	[ACCT_SOCKETS_USED] = "sockstat sockets used",
	[ACCT_SCTP_MEMORY] = "protocols SCTP memory",
	[ACCT_SCTP_PRESS] = "protocols SCTP press",
	[ACCT_SK_RMEM] = "sock_diag sk_rmem_alloc",
	[ACCT_SK_WMEM] = "sock_diag sk_wmem_alloc",
	[ACCT_SK_FWD] = "sock_diag sk_forward_alloc",
};

const char *check_acct_name(enum check_acct_counter c)
{
	return c < ACCT_N ? acct_names[c] : "?";
}

/* The counters pb_kstat_read() names (user/common/kstat.h); the line
 * counts are read here. */
static const char *const kstat_keys[ACCT_N] = {
	[ACCT_SCTP_SOCKETS] = "proto.SCTP.sockets",
	[ACCT_SCTPV6_SOCKETS] = "proto.SCTPv6.sockets",
	[ACCT_CURR_ESTAB] = "SctpCurrEstab",
	[ACCT_SOCKETS_USED] = "sockstat.sockets.used",
	[ACCT_SCTP_MEMORY] = "proto.SCTP.memory",
	[ACCT_SCTP_PRESS] = "proto.SCTP.press",
};

/* Lines of a table after its header line. */
static int read_lines(const char *root, const char *file, long *v, char *err,
		      size_t len)
{
	char path[512];
	long n = 0;
	int c, prev = '\n';
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/net/%s", root, file);
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, len, "%s: %s", file, pb_errno_name(errno));
		return -1;
	}
	while ((c = getc(f)) != EOF) {
		if (c == '\n')
			n++;
		prev = c;
	}
	if (prev != '\n')
		n++;
	fclose(f);
	*v = n > 0 ? n - 1 : 0;
	return 0;
}

int check_acct_read(const char *root, struct check_acct *a, char *err,
		    size_t len)
{
	static struct pb_kstat s;	/* 7 KiB: not on a case's stack */
	int c;

	memset(a, 0, sizeof(*a));
	pb_kstat_read(&s, root);
	for (c = 0; c < ACCT_N; c++) {
		long long v;

		if (!kstat_keys[c])
			continue;
		v = pb_kstat_get(&s, kstat_keys[c], LLONG_MIN);
		if (v == LLONG_MIN) {
			snprintf(err, len, "no %s", kstat_keys[c]);
			return -1;
		}
		a->v[c] = (long)v;
	}
	if (read_lines(root, "sctp/assocs", &a->v[ACCT_ASSOCS], err, len) ||
	    read_lines(root, "sctp/eps", &a->v[ACCT_EPS], err, len))
		return -1;
	return 0;
}

int check_acct_read_skmem(struct check_acct *a, char *err, size_t len)
{
	struct check_skmem m;
	int ret = check_skmem_read(0, &m);

	if (ret) {
		snprintf(err, len, "sock_diag SCTP%s: %s",
			 ret == -ENOENT ? " (module sctp_diag)" : "",
			 pb_errno_name(-ret));
		return -1;
	}
	a->v[ACCT_SK_RMEM] = m.rmem;
	a->v[ACCT_SK_WMEM] = m.wmem;
	a->v[ACCT_SK_FWD] = m.fwd;
	return 0;
}

/* sk_memory_allocated_add()/_sub() keep up to the per-CPU reserve on each
 * CPU and move it to the global counter /proc/net/protocols shows only
 * past it (3cd3399dd7a8 "net: implement per-cpu reserves for
 * memory_allocated", 6.0; the reserve is SK_MEMORY_PCPU_RESERVE, 1 MiB,
 * or net.core.mem_pcpu_rsv where that sysctl exists).  Each CPU's cache
 * stays strictly between -reserve and +reserve, so start and end of the
 * global counter may differ by up to 2 * reserve per CPU though every
 * page came back. */
long check_acct_mem_slack(const char *root, long ncpus)
{
	char path[512];
	long rsv = 256;	/* 1 MiB in 4 KiB pages */
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/sys/net/core/mem_pcpu_rsv", root);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%ld", &rsv) != 1)
			rsv = 256;
		fclose(f);
	}
	return 2 * rsv * (ncpus > 0 ? ncpus : 1);
}

int check_acct_drift(const struct check_acct *start,
		     const struct check_acct *peak,
		     const struct check_acct *end, unsigned n, long mem_slack,
		     char *out, size_t len)
{
	int c;

	for (c = 0; c < ACCT_N; c++) {
		long d = end->v[c] - start->v[c];

		if (!d || (c == ACCT_SCTP_MEMORY && labs(d) <= mem_slack))
			continue;
		if (c == ACCT_SCTP_MEMORY) {
			snprintf(out, len, "%s start %ld end %ld (peak %ld, N=%u; more than the %ld pages per-CPU caches hold)",
				 acct_names[c], start->v[c], end->v[c], peak->v[c], n, mem_slack);
			return c;
		}
		snprintf(out, len, "%s start %ld end %ld (peak %ld, N=%u)",
			 acct_names[c], start->v[c], end->v[c], peak->v[c], n);
		return c;
	}
	return -1;
}
