// SPDX-License-Identifier: GPL-2.0
/* user/hist.c: the percentiles a user reads agree with exact percentiles
 * of the same values within the bucket error (1/64), over 1 ns .. 100 s. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "hist.h"
#include "stats.h"

static const double pcts[] = { 0.0, 0.5, 0.9, 0.99, 0.999, 1.0 };

static uint64_t rng = 88172645463325252ull;
static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static double unit(void) { return (double)(xorshift() >> 11) / 9007199254740992.0; }

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Fill a histogram with vals, compare every percentile with the exact one. */
static void check_against_exact(uint64_t *vals, size_t n)
{
	struct hist *h = calloc(1, sizeof(*h));
	size_t i;

	assert_non_null(h);
	for (i = 0; i < n; i++)
		hist_add(h, vals[i]);
	qsort(vals, n, sizeof(*vals), cmp_u64);
	assert_int_equal(h->count, n);
	assert_int_equal(h->max_ns, vals[n - 1]);
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		uint64_t exact = pb_nearest_rank_sorted(vals, n, pcts[i]);
		uint64_t got = hist_percentile(h, pcts[i]);
		double err = fabs((double)got - (double)exact);

		if (err > (double)exact / 64.0) {
			print_error("p%g: hist %llu exact %llu\n", pcts[i] * 100,
				    (unsigned long long)got, (unsigned long long)exact);
			fail();
		}
	}
	free(h);
}

static void test_bucket_round_trip(void **state)
{
	__u32 i;

	assert_int_equal(hist_index(0), 0);
	assert_int_equal(hist_index(1), 1);
	assert_int_equal(hist_index(63), 63);
	assert_int_equal(hist_index(64), 64);
	for (i = 0; i < PB_HIST_BUCKETS; i++) {
		uint64_t lo = hist_bucket_lower(i), w = hist_bucket_width(i);

		assert_int_equal(hist_index(lo), i);
		assert_int_equal(hist_index(lo + w - 1), i);
		if (i + 1 < PB_HIST_BUCKETS)
			assert_int_equal(hist_bucket_lower(i + 1), lo + w);
		/* the promise: at most 1/64 relative bucket width */
		if (lo >= 64)
			assert_true(w * 64 <= lo);
	}
	/* 100 s still has a bucket of its own, not the overflow one */
	assert_true(hist_index(100000000000ull) < PB_HIST_BUCKETS - 1);
	assert_int_equal(hist_index(~0ull), PB_HIST_BUCKETS - 1);
}

static void test_log2_matches_builtin(void **state)
{
	int k;

	for (k = 0; k < 64; k++) {
		uint64_t v = 1ull << k;

		assert_int_equal(pb_log2_u64(v), k);
		assert_int_equal(pb_log2_u64(v | (v - 1)), k);
		assert_int_equal(pb_log2_u64(v + (v >> 1)), k);
	}
}

static void test_uniform(void **state)
{
	size_t n = 100000, i;
	uint64_t *v = malloc(n * sizeof(*v));

	for (i = 0; i < n; i++)
		v[i] = 1000 + xorshift() % 9000000;	/* 1 us .. 9 ms */
	check_against_exact(v, n);
	free(v);
}

static void test_lognormal(void **state)
{
	size_t n = 100000, i;
	uint64_t *v = malloc(n * sizeof(*v));

	for (i = 0; i < n; i++) {
		double z = sqrt(-2 * log(unit() + 1e-300)) * cos(2 * M_PI * unit());

		v[i] = (uint64_t)exp(log(80000.0) + 1.5 * z) + 1;	/* ~80 us, wide */
	}
	check_against_exact(v, n);
	free(v);
}

static void test_exact_ties(void **state)
{
	size_t n = 999, i;
	uint64_t v[999];
	struct hist h = { 0 };

	for (i = 0; i < n; i++)
		v[i] = 123457;
	check_against_exact(v, n);
	/* small values are exact */
	for (i = 0; i < 10; i++)
		hist_add(&h, 42);
	assert_int_equal(hist_percentile(&h, 0.5), 42);
	assert_int_equal(hist_percentile(&h, 0.999), 42);
}

static void test_extremes(void **state)
{
	uint64_t v[] = { 1, 1, 100000000000ull, 100000000000ull, 1, 7 };

	check_against_exact(v, sizeof(v) / sizeof(v[0]));
	{
		struct hist h = { 0 };

		hist_add(&h, 1);
		assert_int_equal(hist_percentile(&h, 0.5), 1);
		hist_add(&h, 100000000000ull);
		assert_int_equal(hist_percentile(&h, 1.0), 100000000000ull);
	}
}

static void test_empty_and_json(void **state)
{
	struct hist h = { 0 }, r = { 0 };
	struct json_object *o, *arr, *pair;

	assert_int_equal(hist_percentile(&h, 0.99), 0);
	hist_add(&h, 5);
	hist_add(&h, 5);
	hist_add(&h, 1000000);
	o = hist_json(&h);
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "count")), 3);
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "max_ns")), 1000000);
	arr = json_object_object_get(o, "hist");
	assert_int_equal(json_object_array_length(arr), 2);	/* non-empty only */
	pair = json_object_array_get_idx(arr, 0);
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(pair, 0)), 5);
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(pair, 1)), 2);
	json_object_put(o);

	/* a round = cumulative minus previous cumulative */
	hist_sub(&r, &h, &(struct hist){ .slot[5] = 2, .count = 2, .sum_ns = 10 });
	assert_int_equal(r.count, 1);
	assert_int_equal(hist_percentile(&r, 0.5) / 1000, 1000000 / 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_round_trip),
		cmocka_unit_test(test_log2_matches_builtin),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_lognormal),
		cmocka_unit_test(test_exact_ties),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_empty_and_json),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
