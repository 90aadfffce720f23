// SPDX-License-Identifier: GPL-2.0
/* user/results/samples_fast.c: a compact load (PB_LOAD_COMPACT, what
 * compare, export, plot and bisect use) must give every sample the value
 * json-c gives it, bit for bit, refuse exactly what a plain load refuses
 * with the same line (byte offsets included), and fall back to the plain
 * path for anything it does not read itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "helpers.h"
#include "peelbench.h"
#include "result.h"
#include "samples_fast.h"

#define HEAD "{\"schema\":\"peelbench-result/1\",\"metrics\":{\"latency.p50_ns\":1},"

struct both {
	int plain, compact;
	char err_plain[512], err_compact[512];
	struct pb_result *p, *c;
};

static void parse_both(const char *text, struct both *b)
{
	struct capture cap;

	memset(b, 0, sizeof(*b));
	capture_begin(&cap);
	b->plain = pb_result_parse(text, strlen(text), "t.json", &b->p);
	capture_end_err(&cap, b->err_plain, sizeof(b->err_plain));
	capture_begin(&cap);
	b->compact = pb_result_parse_ex(text, strlen(text), "t.json", PB_LOAD_COMPACT, &b->c);
	capture_end_err(&cap, b->err_compact, sizeof(b->err_compact));
}

static void both_free(struct both *b)
{
	pb_result_free(b->p);
	pb_result_free(b->c);
}

/* Both load, the samples of latency_ns are the same bits; fast: whether
 * the compact load read them itself. */
static void expect_same_values(const char *text, bool fast)
{
	struct both b;
	double *vp, *vc;
	size_t np, nc;

	parse_both(text, &b);
	if (b.plain || b.compact)
		fail_msg("%s: exit %d/%d: %s%s", text, b.plain, b.compact, b.err_plain,
			 b.err_compact);
	if (!!b.c->fast != fast)
		fail_msg("%s: fast path %s", text, b.c->fast ? "taken" : "not taken");
	np = pb_result_metric_samples(b.p, "latency.p50_ns", &vp, NULL);
	nc = pb_result_metric_samples(b.c, "latency.p50_ns", &vc, NULL);
	assert_int_equal(np, nc);
	if (np && memcmp(vp, vc, np * sizeof(*vp)))
		fail_msg("%s: values differ (%.17g against %.17g first)", text, vp[0], vc[0]);
	free(vp);
	free(vc);
	both_free(&b);
}

static void test_values_are_json_c_values(void **state)
{
	expect_same_values(HEAD "\"samples\":{\"latency_ns\":[1,2,3]}}", true);
	expect_same_values(HEAD "\"samples\":{\"latency_ns\":[ 1E+5 ,\t1e-5,\n-0,0.5e3,"
			   "1.5E2,1e-400,-0.0,0e0,123456789012345678,0.1,2.2250738585072014e-308,"
			   "1.7976931348623157e308,123456.789012345678,-98765.4321e-3]}}", true);
	expect_same_values(HEAD "\"samples\":{\"latency_ns\":[]},\"x\":{\"samples\":1}}", true);
	expect_same_values(HEAD "\"samples\":{}}", true);
	expect_same_values(HEAD "\"note\":\"\\\"samples\\\":{}\",\"samples\":{\"latency_ns\":[7]}}",
			   true);
	/* what json-c takes and the fast path leaves to it */
	expect_same_values(HEAD "\"samples\":{\"latency_ns\":[1.,2]}}", false);
	expect_same_values(HEAD "\"samples\":{\"latency_ns\":[1234567890123456789]}}", false);
	expect_same_values(HEAD "\"samples\":{\"latency\\u005fns\":[1]}}", false);
	expect_same_values(HEAD "\"samples\":{\"latency_ns\":[1],\"latency_ns\":[2]}}", false);
	expect_same_values(HEAD "\"samples\":{\"latency_ns\":[1]},\"samples\":{\"latency_ns\":[2]}}",
			   false);
}

/* Random numbers in every JSON form: the direct path's products and
 * quotients against json-c's strtod. */
static void test_random_numbers_match_strtod(void **state)
{
	size_t cap = 4 << 20, len, i;
	char *text = malloc(cap);
	uint64_t x = 88172645463325252ULL;

	assert_non_null(text);
	len = (size_t)snprintf(text, cap, HEAD "\"samples\":{\"latency_ns\":[");
	for (i = 0; i < 100000; i++) {
		int digits, point, e;
		uint64_t m;


		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		digits = 1 + (int)(x % 17);
		for (m = 1; digits--;)
			m *= 10;
		m = (x >> 8) % m;
		digits = (int)(x % 17);
		point = (int)((x >> 40) % (unsigned)(digits + 1));
		e = (int)((x >> 48) % 61) - 30;
		len += (size_t)snprintf(text + len, cap - len, "%s%s%llu", i ? "," : "",
					(x >> 62) & 1 ? "-" : "", (unsigned long long)m);
		if (point && (x >> 20) & 1)
			len += (size_t)snprintf(text + len, cap - len, ".%0*llu", point,
						(unsigned long long)((x >> 24) % 1000));
		if ((x >> 30) & 1)
			len += (size_t)snprintf(text + len, cap - len, "e%d", e);
	}
	snprintf(text + len, cap - len, "]}}");
	expect_same_values(text, true);
	free(text);
}

/* Each refusal: both exit 2, with the same line. */
static void expect_same_refusal(const char *text, const char *why)
{
	struct both b;

	parse_both(text, &b);
	if (b.plain != PB_EXIT_USAGE || b.compact != PB_EXIT_USAGE ||
	    strcmp(b.err_plain, b.err_compact) || !strstr(b.err_plain, why) ||
	    count_lines(b.err_compact) != 1)
		fail_msg("%s: exit %d/%d\n  plain:   %s  compact: %s", text, b.plain,
			 b.compact, b.err_plain, b.err_compact);
	both_free(&b);
}

static void test_refusals_are_the_plain_ones(void **state)
{
	/* after the cut arrays: offsets in the file, not in the cut text */
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1,2,3,4,5,6]},\"x\":[1,]}",
			    "invalid JSON at byte 108");
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1,2,3]},\"x\":NaN}",
			    "invalid JSON at byte 99");
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1,2,3]},\"x\":'a'}",
			    "invalid JSON at byte 99: unexpected character");
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1,2,3]}} x",
			    "invalid JSON at byte 96");
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1,2,3]},", "truncated JSON");
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1,2,3]},\"x\":99999999999999999999}",
			    "integer out of the int64 range");
	/* in the arrays: left to the plain path */
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1,\"2\"]}}",
			    "samples.latency_ns[1] is not a finite number");
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1,1e400]}}",
			    "number out of the double range");
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1,01]}}", "invalid JSON at byte");
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1,,2]}}", "invalid JSON at byte");
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1,2]", "truncated JSON");
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":1}}",
			    "samples.latency_ns is not an array");
	expect_same_refusal(HEAD "\"samples\":[1,2]}", "samples is not an object");
	expect_same_refusal(HEAD "\"samples\":{\"latency_ns\":[1],\"other_ns\":{}}}",
			    "samples.other_ns is not an array");
}

static void test_sorted_once_and_whole(void **state)
{
	static const char text[] = HEAD "\"samples\":{\"latency_ns\":[5,3,9,1,3]}}";
	static const double want[] = { 1, 3, 3, 5, 9 };
	struct pb_result *r;
	const char *key = NULL;
	double *v;

	assert_int_equal(pb_result_parse_ex(text, strlen(text), "t", PB_LOAD_COMPACT, &r), 0);
	assert_int_equal(pb_result_samples_count(r, "latency.p99_ns"), 5);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(pb_result_metric_samples_sorted(r, "latency.p99_ns", &v, &key), 5);
		assert_memory_equal(v, want, sizeof(want));
		assert_string_equal(key, "latency_ns");
		free(v);
	}
	/* the file's order is still there */
	assert_int_equal(pb_result_metric_samples(r, "latency.mean_ns", &v, NULL), 5);
	assert_true(v[0] == 5 && v[4] == 3);
	free(v);
	pb_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_are_json_c_values),
		cmocka_unit_test(test_random_numbers_match_strtod),
		cmocka_unit_test(test_refusals_are_the_plain_ones),
		cmocka_unit_test(test_sorted_once_and_whole),
	};

	return cmocka_run_group_tests_name("samples_fast", tests, NULL, NULL);
}
