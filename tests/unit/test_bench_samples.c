// SPDX-License-Identifier: GPL-2.0
/* bench/samples.c: the latency figures a user reads in the summary and the
 * result file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "driver.h"
#include "stats.h"

static void test_percentiles_nearest_rank(void **state)
{
	struct bench_samples s = { 0 };
	struct bench_lat_summary sum;
	uint64_t i;

	assert_int_equal(bench_samples_reserve(&s, 1000), 0);
	/* 1000, 999, ..., 1: summarize must not depend on order. */
	for (i = 1000; i >= 1; i--)
		assert_int_equal(bench_samples_add(&s, i * 10), 0);
	assert_int_equal(bench_lat_summarize(&s, &sum), 0);
	assert_int_equal(sum.count, 1000);
	assert_int_equal(sum.min_ns, 10);
	assert_int_equal(sum.p50_ns, 5000);
	assert_int_equal(sum.p99_ns, 9900);
	assert_int_equal(sum.p999_ns, 9990);
	assert_int_equal(sum.max_ns, 10000);
	assert_float_equal(sum.mean_ns, 5005.0, 1e-9);
	/* The samples keep the order of the calls. */
	assert_int_equal(s.ns[0], 10000);
	bench_samples_free(&s);
}

static void test_percentiles_small_and_empty(void **state)
{
	struct bench_samples s = { 0 };
	struct bench_lat_summary sum;
	uint64_t one = 7;

	assert_int_equal(bench_lat_summarize(&s, &sum), 0);
	assert_int_equal(sum.count, 0);
	assert_int_equal(sum.p99_ns, 0);
	assert_int_equal(pb_nearest_rank_sorted(&one, 1, 0.999), 7);
	assert_int_equal(pb_nearest_rank_sorted(&one, 1, 0), 7);
}

static void test_p999_needs_a_thousand_samples_to_differ_from_max(void **state)
{
	uint64_t v[100];
	int i;

	for (i = 0; i < 100; i++)
		v[i] = (uint64_t)i + 1;
	assert_int_equal(pb_nearest_rank_sorted(v, 100, 0.99), 99);
	assert_int_equal(pb_nearest_rank_sorted(v, 100, 0.999), 100);
	assert_int_equal(pb_nearest_rank_sorted(v, 100, 0.50), 50);
}

static void test_add_refuses_past_reservation(void **state)
{
	struct bench_samples s = { 0 }, t = { 0 };

	assert_int_equal(bench_samples_reserve(&s, 2), 0);
	assert_int_equal(bench_samples_add(&s, 1), 0);
	assert_int_equal(bench_samples_add(&s, 2), 0);
	assert_int_equal(bench_samples_add(&s, 3), -1);
	assert_int_equal(s.len, 2);
	assert_int_equal(bench_samples_merge(&t, &s), 0);
	assert_int_equal(bench_samples_merge(&t, &s), 0);
	assert_int_equal(t.len, 4);
	assert_int_equal(t.ns[3], 2);
	bench_samples_free(&s);
	bench_samples_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles_nearest_rank),
		cmocka_unit_test(test_percentiles_small_and_empty),
		cmocka_unit_test(test_p999_needs_a_thousand_samples_to_differ_from_max),
		cmocka_unit_test(test_add_refuses_past_reservation),
	};

	return cmocka_run_group_tests_name("bench_samples", tests, NULL, NULL);
}
