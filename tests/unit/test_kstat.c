// SPDX-License-Identifier: GPL-2.0
/* user/common/kstat.c and bench/explain.c: the kernel's counters read from
 * a fixture /proc (tests/fixtures/kstat/{start,end}: a round of 1000
 * associations that met SCTP memory pressure, 120 T3 retransmissions and
 * 4 discarded packets), their differences, the sentence `run` prints about
 * a round's failures, and the failure records of the result. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "driver.h"
#include "kstat.h"
#include "round_kernel.h"

#define FX "tests/fixtures/kstat/"

static void test_every_source_is_read(void **state)
{
	struct pb_kstat k;

	/* 32 snmp + 12 sockstat + 6 protocols (SCTP, SCTPv6) + 3 sctp_mem */
	assert_int_equal(pb_kstat_read(&k, FX "start"), 53);
	assert_int_equal(k.n, 53);
	assert_int_equal(pb_kstat_get(&k, "SctpActiveEstabs", -1), 1000);
	assert_int_equal(pb_kstat_get(&k, "SctpDelaySackExpireds", -1), 310);
	assert_int_equal(pb_kstat_get(&k, "sockstat.sockets.used", -1), 143);
	assert_int_equal(pb_kstat_get(&k, "sockstat.TCP.alloc", -1), 5);
	assert_int_equal(pb_kstat_get(&k, "sockstat.FRAG.memory", -1), 0);
	assert_int_equal(pb_kstat_get(&k, "proto.SCTP.sockets", -1), 2);
	assert_int_equal(pb_kstat_get(&k, "proto.SCTP.memory", -1), 12);
	assert_int_equal(pb_kstat_get(&k, "proto.SCTP.press", -1), 0);
	assert_int_equal(pb_kstat_get(&k, "proto.SCTPv6.sockets", -1), 0);
	assert_int_equal(pb_kstat_get(&k, "sctp_mem.pressure", -1), 15128);
	/* Rows of other protocols are not read. */
	assert_int_equal(pb_kstat_get(&k, "proto.TCP.sockets", -1), -1);
	assert_int_equal(pb_kstat_get(&k, "no.such", -7), -7);
}

static void test_missing_sources_add_nothing(void **state)
{
	struct pb_kstat k;

	assert_int_equal(pb_kstat_read(&k, FX "nonexistent"), 0);
	assert_int_equal(k.n, 0);
}

static void test_protocols_by_header_and_not_implemented(void **state)
{
	const char *text = "protocol memory sockets press\nSCTP -1 7 NI\nSCTPv6 x 1 yes\n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct pb_kstat k = { 0 };

	/* The columns are found by name, wherever they are; a value that is
	 * not a number is left out. */
	assert_int_equal(pb_kstat_parse_protocols(&k, f), 5);
	assert_int_equal(pb_kstat_get(&k, "proto.SCTP.memory", 0), -1);
	assert_int_equal(pb_kstat_get(&k, "proto.SCTP.sockets", 0), 7);
	assert_int_equal(pb_kstat_get(&k, "proto.SCTP.press", 0), -1);
	assert_int_equal(pb_kstat_get(&k, "proto.SCTPv6.memory", 99), 99);
	assert_int_equal(pb_kstat_get(&k, "proto.SCTPv6.press", 0), 1);
	fclose(f);
}

static void test_diff_names_what_moved(void **state)
{
	struct pb_kstat a, b;
	struct pb_kstat_delta d[PB_KSTAT_MAX];
	int n;

	pb_kstat_read(&a, FX "start");
	pb_kstat_read(&b, FX "end");
	n = pb_kstat_diff(&a, &b, d, PB_KSTAT_MAX);
	assert_int_equal(n, 9);
	assert_string_equal(d[0].name, "SctpCurrEstab");
	assert_int_equal(d[0].d, 1);
	assert_string_equal(d[1].name, "SctpActiveEstabs");
	assert_int_equal(d[1].d, 1000);
	assert_string_equal(d[3].name, "SctpT3Retransmits");
	assert_int_equal(d[3].d, 120);
	assert_string_equal(d[4].name, "SctpInPktDiscards");
	assert_int_equal(d[4].d, 4);
	assert_string_equal(d[5].name, "sockstat.sockets.used");
	assert_string_equal(d[8].name, "proto.SCTP.press");
	/* at most max */
	assert_int_equal(pb_kstat_diff(&a, &b, d, 2), 2);
	/* the same snapshot: nothing moved */
	assert_int_equal(pb_kstat_diff(&a, &a, d, PB_KSTAT_MAX), 0);
}

static void round_of(struct bench_round *rd, unsigned long long errors,
		     long long peak, bool pressure)
{
	memset(rd, 0, sizeof(*rd));
	pb_kstat_read(&rd->k0, FX "start");
	pb_kstat_read(&rd->k1, FX "end");
	rd->up = 1000;
	rd->errors = errors;
	rd->sctp_mem_peak = peak;
	rd->sctp_pressure = pressure;
}

static void test_explain_own_pressure(void **state)
{
	struct bench_round rd;
	char why[768];

	round_of(&rd, 0, 16000, true);
	assert_null(bench_round_explain(&rd, why, sizeof(why)));
	round_of(&rd, 3, 16000, true);
	assert_non_null(bench_round_explain(&rd, why, sizeof(why)));
	assert_string_equal(why,
		"3 failures under SCTP memory pressure that this round's own 1000 associations "
		"created: 16000 pages at the peak against net.sctp.sctp_mem pressure 15128, "
		"max 22692 (SctpT3Retransmits +120, SctpInPktDiscards +4); use fewer --assocs "
		"per round, or raise net.sctp.sctp_mem to '32000 48000 64000' (in a guest: "
		"--vm-sysctl net.sctp.sctp_mem='32000 48000 64000', or a larger --vm-mem)");
	/* Over the pressure threshold counts even if no sample saw "yes". */
	round_of(&rd, 1, 15200, false);
	bench_round_explain(&rd, why, sizeof(why));
	assert_non_null(strstr(why, "this round's own"));
}

static void test_explain_other_causes(void **state)
{
	struct bench_round rd;
	char why[768];

	/* Pressure, but the memory was taken before the round began. */
	round_of(&rd, 2, 16000, true);
	for (int i = 0; i < rd.k0.n; i++)
		if (!strcmp(rd.k0.c[i].name, "proto.SCTP.memory"))
			rd.k0.c[i].v = 15000;
	bench_round_explain(&rd, why, sizeof(why));
	assert_non_null(strstr(why, "most of it not from this round (15000 pages at the start"));
	/* No pressure: the loss counters are named. */
	round_of(&rd, 2, 100, false);
	bench_round_explain(&rd, why, sizeof(why));
	assert_string_equal(why, "2 failures; no SCTP memory pressure, but the kernel counted "
			    "SctpT3Retransmits +120, SctpInPktDiscards +4 during the round");
	/* Exactly the peers --abort-peers aborted. */
	rd.aborted = 2;
	bench_round_explain(&rd, why, sizeof(why));
	assert_string_equal(why, "2 failures, one per peer that --abort-peers aborted (as asked)");
	rd.aborted = 1;
	bench_round_explain(&rd, why, sizeof(why));
	assert_non_null(strstr(why, "no SCTP memory pressure, but"));
	/* Nothing moved. */
	rd.k1 = rd.k0;
	bench_round_explain(&rd, why, sizeof(why));
	assert_string_equal(why, "2 failures; no SCTP memory pressure and no loss counter "
			    "moved (see driver.failures)");
}

static void test_result_names_the_failure(void **state)
{
	struct bench_config c;
	struct bench_round rd;
	struct bench_result r = { .rounds = &rd, .nrounds = 1 };
	struct json_object *a, *f, *k;

	bench_config_defaults(&c);
	c.assoc_queue = 2;
	round_of(&rd, 1, 16000, true);
	rd.nfail = 1;
	rd.fail[0] = (struct bench_failure){ .index = 41, .assoc_id = 77, .peeled = true,
		.error = "ETIMEDOUT", .info = { .stage = "pong_recv", .queued = 1,
						.ping_seen = true } };
	a = failures_json(&c, &r);
	assert_int_equal(json_object_array_length(a), 1);
	f = json_object_array_get_idx(a, 0);
	assert_string_equal(json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN),
		"{\"round\":1,\"index\":41,\"assoc_id\":77,\"error\":\"ETIMEDOUT\","
		"\"stage\":\"pong_recv\",\"peeled\":true,\"sent\":{\"queued_before_peel\":2,"
		"\"ping\":true,\"pong\":true,\"msg_size\":64},\"received\":{\"ping\":true,"
		"\"pong\":false,\"queued\":1,\"load\":0},\"counters_moved\":"
		"{\"SctpT3Retransmits\":120,\"SctpInPktDiscards\":4}}");
	json_object_put(a);
	k = round_kernel_json(&rd);
	assert_string_equal(json_object_to_json_string_ext(json_object_object_get(k, "sctp_mem"),
							    JSON_C_TO_STRING_PLAIN),
		"{\"start_pages\":12,\"peak_pages\":16000,\"end_pages\":16000,"
		"\"pressure_pages\":15128,\"max_pages\":22692,\"pressure_seen\":true}");
	assert_int_equal(json_object_object_length(json_object_object_get(k, "delta")), 9);
	assert_non_null(json_object_object_get(k, "explain"));
	json_object_put(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_source_is_read),
		cmocka_unit_test(test_missing_sources_add_nothing),
		cmocka_unit_test(test_protocols_by_header_and_not_implemented),
		cmocka_unit_test(test_diff_names_what_moved),
		cmocka_unit_test(test_explain_own_pressure),
		cmocka_unit_test(test_explain_other_causes),
		cmocka_unit_test(test_result_names_the_failure),
	};

	return cmocka_run_group_tests_name("kstat", tests, NULL, NULL);
}
