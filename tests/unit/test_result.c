// SPDX-License-Identifier: GPL-2.0
/* user/result.c: reading and validating result files, as a user meets it
 * through `peelbench compare` (one line, exit 2, for every unusable file)
 * and through the accessors the statistics use. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "peelbench.h"
#include "result.h"

#define FX "tests/fixtures/"

static void test_fixture_accessors(void **state)
{
	struct pb_result *r;
	const char *key = NULL;
	double v, *vals;
	size_t n;

	assert_int_equal(pb_result_load(FX "base.json", &r), 0);
	assert_string_equal(r->tag, "base");
	assert_string_equal(r->kernel, "6.1.0-28-amd64");
	assert_string_equal(r->created, "2026-11-20T10:00:00Z");
	assert_true(r->complete);
	assert_true(pb_result_metric(r, "phase.migrate.p50_ns", &v));
	assert_true(v > 1000 && v < 100000);
	assert_false(pb_result_metric(r, "phase.nosuch.p50_ns", &v));

	n = pb_result_round_values(r, "peel_per_s", &vals);
	assert_int_equal(n, 10);
	free(vals);
	n = pb_result_metric_samples(r, "phase.migrate.p99_ns", &vals, &key);
	assert_int_equal(n, 1000);
	assert_string_equal(key, "phase.migrate_ns");
	free(vals);
	n = pb_result_metric_samples(r, "latency.p50_ns", &vals, &key);
	assert_int_equal(n, 1000);
	assert_string_equal(key, "latency_ns");
	free(vals);
	/* throughput has no per-operation samples */
	assert_int_equal(pb_result_metric_samples(r, "peel_per_s", &vals, &key), 0);
	pb_result_free(r);
}

static void test_metric_names_say_direction_and_statistic(void **state)
{
	assert_int_equal(pb_metric_direction("phase.migrate.p99_ns"), -1);
	assert_int_equal(pb_metric_direction("peel_per_s"), 1);
	assert_int_equal(pb_metric_direction("assocs"), 0);
	assert_int_equal(pb_metric_stat("phase.clone.mean_ns"), PB_STAT_MEAN);
	assert_int_equal(pb_metric_stat("latency.p999_ns"), PB_STAT_P999);
	assert_int_equal(pb_metric_stat("latency.max_ns"), PB_STAT_MAX);
	assert_int_equal(pb_metric_stat("latency.p99_ns"), PB_STAT_P99);
	assert_int_equal(pb_metric_stat("latency.p50_ns"), PB_STAT_MEDIAN);
}

/* Each unusable file: exit 2, exactly one line on stderr naming the file
 * and the reason, nothing on stdout. */
static void expect_unusable(const char *file, const char *why)
{
	struct run_out r = run_cmd("./peelbench compare %s " FX "base.json", file);

	if (r.status != 2 || count_lines(r.err) != 1 || !strstr(r.err, file) ||
	    !strstr(r.err, why) || r.out[0])
		fail_msg("%s: exit %d, stderr '%s', stdout '%.80s'", file, r.status,
			 r.err, r.out);
	run_free(&r);
}

static void test_unusable_files_are_one_line_exit_2(void **state)
{
	expect_unusable(FX "malformed.json", "invalid JSON at byte");
	expect_unusable(FX "truncated.json", "truncated JSON");
	expect_unusable(FX "empty.json", "empty file");
	expect_unusable(FX "wrong-schema.json", "schema is 'peelbench-result/0'");
	expect_unusable(FX "no-schema.json", "no \"schema\" key");
	expect_unusable(FX "not-object.json", "not a JSON object");
	expect_unusable(FX "bad-metric.json", "metrics.peel_per_s is not a finite number");
	expect_unusable(FX "does-not-exist.json", "cannot open");
}

static void test_parse_rejects_trailing_data_and_nan(void **state)
{
	static const char trailing[] =
		"{\"schema\":\"peelbench-result/1\",\"metrics\":{}} x";
	static const char nan[] =
		"{\"schema\":\"peelbench-result/1\",\"metrics\":{\"a_ns\":NaN}}";
	static const char hist[] =
		"{\"schema\":\"peelbench-result/1\",\"metrics\":{},"
		"\"trace\":{\"phases\":{\"clone\":{\"hist\":[[1]]}}}}";
	static const char ok[] =
		"{\"schema\":\"peelbench-result/1\",\"metrics\":{\"a_ns\":1}}";
	struct pb_result *r = NULL;

	assert_int_equal(pb_result_parse(trailing, sizeof(trailing) - 1, "t", &r), 2);
	assert_null(r);
	assert_int_equal(pb_result_parse(nan, sizeof(nan) - 1, "n", &r), 2);
	assert_int_equal(pb_result_parse(hist, sizeof(hist) - 1, "h", &r), 2);
	assert_int_equal(pb_result_parse(ok, sizeof(ok) - 1, "ok.json", &r), 0);
	assert_string_equal(r->tag, "ok");
	assert_string_equal(r->kernel, "");
	pb_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_accessors),
		cmocka_unit_test(test_metric_names_say_direction_and_statistic),
		cmocka_unit_test(test_unusable_files_are_one_line_exit_2),
		cmocka_unit_test(test_parse_rejects_trailing_data_and_nan),
	};

	return cmocka_run_group_tests_name("result", tests, NULL, NULL);
}
