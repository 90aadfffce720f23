// SPDX-License-Identifier: GPL-2.0
/* user/check/check_acct.c: the /proc/net counters of the
 * accounting-balance case, read from fixture files, and a planted drift
 * of one on each counter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "check_acct.h"
#include "helpers.h"

static void put(const char *dir, const char *name, const char *text)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/net/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A /proc/net as a 6.1 guest shows it, with `assocs` associations. */
static char *fake_proc(int socks, int estab, int assocs)
{
	static char buf[64 * 1024];
	char *dir = scratch_dir(), sub[300];
	int i, off;

	assert_non_null(dir);
	snprintf(sub, sizeof(sub), "%s/proc", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/proc/net", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/proc/net/sctp", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(buf, sizeof(buf),
		"protocol  size sockets  memory press maxhdr  slab module     cl co di ac io in de sh ss gs se re sp bi br ha uh gp em\n"
		"SCTPv6    1536      2      -1   NI       0   yes  sctp        y  y  y  y  y  y  y  y  y  y  y  y  n  y  n  y  y  y  y\n"
		"SCTP      1344    %4d     12   no     320   yes  sctp        y  y  y  y  y  y  y  y  y  y  y  y  n  y  n  y  y  y  y\n"
		"TCP       2368      1       3   no     320   yes  kernel      y  y  y  y  y  y  y  y  y  y  y  y  y  n  y  y  y  y  y\n",
		socks);
	put(dir, "protocols", buf);
	snprintf(buf, sizeof(buf),
		"SctpCurrEstab                   \t%d\nSctpActiveEstabs                \t1000\n", estab);
	put(dir, "sctp/snmp", buf);
	off = snprintf(buf, sizeof(buf), " ASSOC     SOCK   STY SST ST HBKT ASSOC-ID\n");
	for (i = 0; i < assocs; i++)
		off += snprintf(buf + off, sizeof(buf) - (size_t)off, "ffff 0 2 1 3 %d %d\n", i, i + 1);
	put(dir, "sctp/assocs", buf);
	put(dir, "sctp/eps", " ENDPT     SOCK   STY SST HBKT LPORT\nffff 1 2 10 1 5000\n");
	put(dir, "sockstat", "sockets: used 7\nTCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0\n");
	return dir;
}

static void test_read_fixture(void **state)
{
	char *dir = fake_proc(3, 2, 4), err[96] = "";
	struct check_acct a;

	assert_int_equal(check_acct_read(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(a.v[ACCT_SCTP_SOCKETS], 3);
	assert_int_equal(a.v[ACCT_SCTPV6_SOCKETS], 2);
	assert_int_equal(a.v[ACCT_CURR_ESTAB], 2);
	assert_int_equal(a.v[ACCT_ASSOCS], 4);
	assert_int_equal(a.v[ACCT_EPS], 1);
	assert_int_equal(a.v[ACCT_SOCKETS_USED], 7);
	assert_int_equal(a.v[ACCT_SCTP_MEMORY], 12);
	assert_int_equal(a.v[ACCT_SCTP_PRESS], 0);
	/* sock_diag's sums are not files: check_acct_read_skmem() */
	assert_int_equal(a.v[ACCT_SK_RMEM] | a.v[ACCT_SK_WMEM] | a.v[ACCT_SK_FWD], 0);
	rm_rf(dir);
}

static void test_missing_counter_is_an_error(void **state)
{
	char *dir = fake_proc(3, 2, 4), err[96] = "";
	struct check_acct a;

	put(dir, "sctp/snmp", "SctpActiveEstabs 3\n");
	assert_int_equal(check_acct_read(dir, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "no SctpCurrEstab");
	put(dir, "sctp/snmp", "SctpCurrEstab 3\n");
	put(dir, "protocols",
	    "protocol  size sockets  memory press maxhdr  slab module\n"
	    "SCTP      1344      1       1   no     320   yes  sctp\n");
	assert_int_equal(check_acct_read(dir, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "no proto.SCTPv6.sockets");
	put(dir, "protocols",
	    "protocol  size sockets  memory press maxhdr  slab module\n"
	    "SCTPv6    1536      2      -1   NI       0   yes  sctp\n"
	    "SCTP      1344      1       1   no     320   yes  sctp\n");
	put(dir, "sctp/eps", "");
	assert_int_equal(check_acct_read(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(a.v[ACCT_EPS], 0);
	rm_rf(dir);
}

/* Back to the start: balanced.  One left over anywhere: that counter,
 * its start, end and peak, and N. */
static void test_planted_drift_of_one(void **state)
{
	struct check_acct start, peak, end;
	char *d0 = fake_proc(3, 2, 4), *d1 = fake_proc(2003, 2002, 2004);
	char *d2 = fake_proc(3, 3, 4), *d3 = fake_proc(4, 2, 4);
	char *d4 = fake_proc(3, 2, 5), out[160], err[96];

	assert_int_equal(check_acct_read(d0, &start, err, sizeof(err)), 0);
	assert_int_equal(check_acct_read(d1, &peak, err, sizeof(err)), 0);
	assert_int_equal(check_acct_read(d0, &end, err, sizeof(err)), 0);
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)), -1);
	assert_int_equal(check_acct_read(d2, &end, err, sizeof(err)), 0);
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)),
			 ACCT_CURR_ESTAB);
	assert_string_equal(out, "SctpCurrEstab start 2 end 3 (peak 2002, N=1000)");
	assert_int_equal(check_acct_read(d3, &end, err, sizeof(err)), 0);
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)),
			 ACCT_SCTP_SOCKETS);
	assert_string_equal(out, "protocols SCTP sockets start 3 end 4 (peak 2003, N=1000)");
	assert_int_equal(check_acct_read(d4, &end, err, sizeof(err)), 0);
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)),
			 ACCT_ASSOCS);
	assert_string_equal(out, "sctp/assocs lines start 4 end 5 (peak 2004, N=1000)");
	end = start;
	end.v[ACCT_SOCKETS_USED]--;
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)),
			 ACCT_SOCKETS_USED);
	assert_string_equal(out, "sockstat sockets used start 7 end 6 (peak 7, N=1000)");
	rm_rf(d0);
	rm_rf(d1);
	rm_rf(d2);
	rm_rf(d3);
	rm_rf(d4);
}

/* Socket memory left charged by one byte (sock_diag sums), pressure left
 * on, and SCTP's memory column: exact but for the per-CPU caches. */
static void test_planted_memory_drift(void **state)
{
	struct check_acct start = { 0 }, peak, end;
	char out[200];

	start.v[ACCT_SCTP_MEMORY] = 40;
	peak = start;
	peak.v[ACCT_SCTP_MEMORY] = 900;
	peak.v[ACCT_SK_RMEM] = 1000 * 768;
	end = start;
	end.v[ACCT_SK_RMEM] = 1;
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)),
			 ACCT_SK_RMEM);
	assert_string_equal(out, "sock_diag sk_rmem_alloc start 0 end 1 (peak 768000, N=1000)");
	end = start;
	end.v[ACCT_SK_WMEM] = -1;
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)),
			 ACCT_SK_WMEM);
	assert_string_equal(out, "sock_diag sk_wmem_alloc start 0 end -1 (peak 0, N=1000)");
	end = start;
	end.v[ACCT_SK_FWD] = 4096;
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)),
			 ACCT_SK_FWD);
	end = start;
	end.v[ACCT_SCTP_PRESS] = 1;
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)),
			 ACCT_SCTP_PRESS);
	assert_string_equal(out, "protocols SCTP press start 0 end 1 (peak 0, N=1000)");
	/* Within what the per-CPU caches may hold: balanced; one page more:
	 * a drift, or with no slack (no per-CPU caches), one page at all. */
	end = start;
	end.v[ACCT_SCTP_MEMORY] = 40 + 512;
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)), -1);
	end.v[ACCT_SCTP_MEMORY] = 40 - 512;
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)), -1);
	end.v[ACCT_SCTP_MEMORY] = 40 + 513;
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 512, out, sizeof(out)),
			 ACCT_SCTP_MEMORY);
	assert_string_equal(out, "protocols SCTP memory start 40 end 553 (peak 900, N=1000; more than the 512 pages per-CPU caches hold)");
	end.v[ACCT_SCTP_MEMORY] = 41;
	assert_int_equal(check_acct_drift(&start, &peak, &end, 1000, 0, out, sizeof(out)),
			 ACCT_SCTP_MEMORY);
}

/* 2 x the reserve per CPU: 256 pages (1 MiB) unless the sysctl says. */
static void test_mem_slack(void **state)
{
	char *dir = fake_proc(3, 2, 4), path[300];
	FILE *f;

	assert_int_equal(check_acct_mem_slack(dir, 2), 1024);
	assert_int_equal(check_acct_mem_slack(dir, 0), 512);
	snprintf(path, sizeof(path), "%s/proc/sys", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/proc/sys/net", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/proc/sys/net/core", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/proc/sys/net/core/mem_pcpu_rsv", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("1\n", f);
	fclose(f);
	assert_int_equal(check_acct_mem_slack(dir, 4), 8);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_fixture),
		cmocka_unit_test(test_missing_counter_is_an_error),
		cmocka_unit_test(test_planted_drift_of_one),
		cmocka_unit_test(test_planted_memory_drift),
		cmocka_unit_test(test_mem_slack),
	};

	return cmocka_run_group_tests_name("check_acct", tests, NULL, NULL);
}
