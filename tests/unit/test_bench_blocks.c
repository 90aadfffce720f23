// SPDX-License-Identifier: GPL-2.0
/* bench/blocks.c: the order the arms of an A/B round run in, and what a
 * user reads from the blocks: per-round ratios and added time against the
 * baseline arm, medians, the bootstrap CI, the peeled count.  The blocks
 * themselves (they need SCTP) are checked by tests/vm/overhead.t. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "driver.h"

/* Every round runs every arm once; over narms rounds every arm runs in
 * every position once, so no arm always goes first or last. */
static void test_order_turns_every_round(void **state)
{
	static const unsigned int want[3][3] = { { 0, 1, 2 }, { 1, 2, 0 }, { 2, 0, 1 } };
	unsigned int narms, r, k, seen, pos[BENCH_ARMS_MAX][BENCH_ARMS_MAX];

	for (r = 0; r < 3; r++)
		for (k = 0; k < 3; k++)
			assert_int_equal(bench_blocks_arm(r, k, 3), want[r][k]);
	assert_int_equal(bench_blocks_arm(3, 0, 3), 0);	/* the turn repeats */
	for (narms = 1; narms <= BENCH_ARMS_MAX; narms++) {
		memset(pos, 0, sizeof(pos));
		for (r = 0; r < narms; r++) {
			seen = 0;
			for (k = 0; k < narms; k++) {
				seen |= 1u << bench_blocks_arm(r, k, narms);
				pos[bench_blocks_arm(r, k, narms)][k]++;
			}
			assert_int_equal(seen, (1u << narms) - 1);
		}
		for (r = 0; r < narms; r++)
			for (k = 0; k < narms; k++)
				assert_int_equal(pos[r][k], 1);
	}
}

/* 5 rounds of 2 arms: arm 1 peels at 80 % of arm 0's rate and each call
 * takes 250 ns more, but for round 3 (60 %, 500 ns). */
static void fill(struct bench_blocks *bb, struct bench_block *b)
{
	unsigned int r;

	memset(bb, 0, sizeof(*bb));
	bb->rounds = 5;
	bb->block = 200;
	bb->narms = 2;
	bb->b = b;
	bb->done = 5;
	for (r = 0; r < 5; r++) {
		b[2 * r] = (struct bench_block){ .rate = 10000 + 1000 * r, .p50 = 1000 + r,
						 .ok = 200 };
		b[2 * r + 1] = (struct bench_block){ .rate = (10000 + 1000 * r) * (r == 3 ? 0.6 : 0.8),
						     .p50 = 1000 + r + (r == 3 ? 500 : 250),
						     .ok = 199, .seen = 199 };
	}
}

static void test_ratio_and_added_against_arm_0(void **state)
{
	struct bench_block b[10];
	struct bench_blocks bb;

	fill(&bb, b);
	assert_ptr_equal(bench_blocks_at(&bb, 2, 1), &b[5]);
	assert_float_equal(bench_blocks_ratio(&bb, 0, 1), 0.8, 1e-12);
	assert_float_equal(bench_blocks_ratio(&bb, 3, 1), 0.6, 1e-12);
	assert_float_equal(bench_blocks_ratio(&bb, 3, 0), 1.0, 1e-12);
	assert_float_equal(bench_blocks_added(&bb, 1, 1), 250, 1e-12);
	assert_float_equal(bench_blocks_added(&bb, 3, 1), 500, 1e-12);
	assert_float_equal(bench_blocks_added(&bb, 4, 0), 0, 1e-12);
}

static void test_summary_medians_ci_and_counts(void **state)
{
	struct bench_arm_summary base, traced, again;
	struct bench_block b[10];
	struct bench_blocks bb;

	fill(&bb, b);
	assert_int_equal(bench_blocks_summary(&bb, 0, 1, &base), 0);
	assert_float_equal(base.peel_per_s, 12000, 1e-9);
	assert_float_equal(base.call_p50_ns, 1002, 1e-9);
	assert_float_equal(base.ratio, 1, 1e-12);
	assert_float_equal(base.added_ns, 0, 1e-12);
	assert_false(base.has_ci);		/* the baseline has none */
	assert_int_equal(base.peeled, 1000);

	assert_int_equal(bench_blocks_summary(&bb, 1, 0x5eed, &traced), 0);
	assert_float_equal(traced.ratio, 0.8, 1e-12);	/* round 3's 0.6 is out */
	assert_float_equal(traced.added_ns, 250, 1e-12);
	assert_float_equal(traced.call_p50_ns, 1252, 1e-9);
	assert_int_equal(traced.peeled, 995);
	assert_true(traced.has_ci);
	assert_true(traced.ratio_ci95.lo >= 0.6 - 1e-12);
	assert_true(traced.ratio_ci95.lo <= 0.8 + 1e-12);
	assert_float_equal(traced.ratio_ci95.hi, 0.8, 1e-12);
	/* the same seed, the same CI */
	assert_int_equal(bench_blocks_summary(&bb, 1, 0x5eed, &again), 0);
	assert_memory_equal(&again.ratio_ci95, &traced.ratio_ci95, sizeof(traced.ratio_ci95));
}

/* Only complete rounds count; none complete, no summary. */
static void test_summary_counts_complete_rounds_only(void **state)
{
	struct bench_arm_summary s;
	struct bench_block b[10];
	struct bench_blocks bb;

	fill(&bb, b);
	bb.done = 3;
	assert_int_equal(bench_blocks_summary(&bb, 1, 1, &s), 0);
	assert_int_equal(s.peeled, 597);
	assert_float_equal(s.peel_per_s, 8800, 1e-9);
	bb.done = 0;
	assert_int_equal(bench_blocks_summary(&bb, 1, 1, &s), -1);
	assert_int_equal(s.peeled, 0);
}

/* Sized blocks: 50 % over the target at the sizing rate, never fewer
 * than the sizing block, never more than BENCH_BLOCK_MAX. */
static void test_block_size_from_rate(void **state)
{
	assert_int_equal(bench_blocks_size(1.0, 40000), 60001);	/* 25 us a peeloff */
	assert_int_equal(bench_blocks_size(0.1, 40000), 6001);
	assert_int_equal(bench_blocks_size(1.0, 100), BENCH_SIZING_PEELS);
	assert_int_equal(bench_blocks_size(1.0, 1e9), BENCH_BLOCK_MAX);
	assert_int_equal(bench_blocks_size(1.0, 0), BENCH_SIZING_PEELS);
	assert_int_equal(bench_blocks_size(1.0, 0.0 / 0.0), BENCH_SIZING_PEELS);
}

/* The blocks shorter than the target, per arm, over complete rounds. */
static void test_short_blocks(void **state)
{
	struct bench_block b[10];
	struct bench_blocks bb;
	double shortest;
	unsigned int r;

	fill(&bb, b);
	for (r = 0; r < 5; r++) {
		b[2 * r].secs = 0.9 + 0.05 * r;		/* 0.9 .. 1.1 */
		b[2 * r + 1].secs = 2.0 - 0.1 * r;
	}
	assert_int_equal(bench_blocks_short(&bb, 0, 1.0, &shortest), 2);
	assert_float_equal(shortest, 0.9, 1e-12);
	assert_int_equal(bench_blocks_short(&bb, 1, 1.0, &shortest), 0);
	assert_float_equal(shortest, 1.6, 1e-12);
	bb.done = 1;
	assert_int_equal(bench_blocks_short(&bb, 0, 1.0, &shortest), 1);
	bb.done = 0;
	assert_int_equal(bench_blocks_short(&bb, 0, 1.0, &shortest), 0);
	assert_float_equal(shortest, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_turns_every_round),
		cmocka_unit_test(test_ratio_and_added_against_arm_0),
		cmocka_unit_test(test_summary_medians_ci_and_counts),
		cmocka_unit_test(test_summary_counts_complete_rounds_only),
		cmocka_unit_test(test_block_size_from_rate),
		cmocka_unit_test(test_short_blocks),
	};

	return cmocka_run_group_tests_name("bench_blocks", tests, NULL, NULL);
}
