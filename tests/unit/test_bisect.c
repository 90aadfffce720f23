// SPDX-License-Identifier: GPL-2.0
/* user/matrix/bisect.c over a fake runner: a planted step is found in
 * few measurements, judged as compare judges; a version whose metric is
 * missing is skipped and named; no step, and bad ends, as the CLI's exit
 * codes say; a check case's verdict as the metric (check.CASE). */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "bisect.h"
#include "helpers.h"
#include "peelbench.h"

static const char *const versions[] = {
	"6.1", "6.12", "6.16", "6.17", "6.18", "6.19", "7.0", "7.1", "7.2", "7.3",
};
#define NV (sizeof(versions) / sizeof(versions[0]))

struct fake {
	int step_at;		/* first version whose metric is 30% higher; -1 none */
	int missing_at;		/* a version without the metric; -1 none */
	unsigned calls;
	const char *measured[BS_MAX_STEPS];
};

static int index_of(const char *v)
{
	size_t i;

	for (i = 0; i < NV; i++)
		if (!strcmp(versions[i], v))
			return (int)i;
	fail_msg("unknown version %s", v);
	return -1;
}

/* Five repeats a side, a few % of noise; a latency-like metric (lower is
 * better), so 30 % more is a regression by compare's rules. */
static int fake_measure(void *ctx, const char *good, const char *cand, struct bs_step *s)
{
	static const double noise[] = { 0.99, 1.01, 1.0, 0.98, 1.02 };
	struct fake *f = ctx;
	double vb[5], vn[5];
	int c = index_of(cand);
	size_t i;

	assert_string_equal(good, versions[0]);
	f->measured[f->calls++] = cand;
	if (c == f->missing_at) {
		s->verdict = BS_MISSING;
		snprintf(s->why, sizeof(s->why), "missing in %s's results", cand);
		return 0;
	}
	for (i = 0; i < 5; i++) {
		vb[i] = 1000 * noise[i];
		vn[i] = 1000 * noise[4 - i] * (f->step_at >= 0 && c >= f->step_at ? 1.3 : 1.0);
	}
	s->m.name = "phase.syscall.p50_ns";
	s->m.base = 1000;
	s->m.new = vn[2];
	s->m.change = 100.0 * (s->m.new / s->m.base - 1);
	pb_metric_test(&s->m, vb, 5, vn, 5, PB_STAT_MEDIAN, 5, 0.05);
	s->verdict = s->m.verdict == PB_V_REGRESSION ? BS_BAD : BS_GOOD;
	snprintf(s->cell, sizeof(s->cell), "default");
	return 0;
}

static struct bisect make(void)
{
	return (struct bisect){ .versions = versions, .nversions = NV };
}

static void test_finds_planted_step(void **state)
{
	struct fake f = { .step_at = 5, .missing_at = -1 };
	struct bisect b = make();

	assert_int_equal(bs_set_ends(&b, "6.1", "7.3"), 0);
	assert_int_equal(bs_search(&b, fake_measure, &f, NULL), 0);
	assert_true(b.found);
	assert_string_equal(versions[b.first_bad], "6.19");
	assert_string_equal(versions[b.last_good], "6.18");
	assert_int_equal(b.nskipped, 0);
	/* the bad end first, then halves: 9 versions after 6.1 in 1 + 4 */
	assert_string_equal(f.measured[0], "7.3");
	assert_true(f.calls <= 5);
	assert_int_equal(b.nsteps, f.calls);
	assert_string_equal(b.bad_step->version, "6.19");
	assert_true(b.bad_step->m.change > 25 && b.bad_step->m.ci.lo > 0);
}

static void test_step_at_every_place(void **state)
{
	int at;

	for (at = 1; at < (int)NV; at++) {
		struct fake f = { .step_at = at, .missing_at = -1 };
		struct bisect b = make();

		assert_int_equal(bs_set_ends(&b, "6.1", "7.3"), 0);
		assert_int_equal(bs_search(&b, fake_measure, &f, NULL), 0);
		assert_int_equal(b.first_bad, at);
		assert_int_equal(b.last_good, at - 1);
	}
}

/* The version just before the step has no metric: skipped, and named as
 * a possible first bad one. */
static void test_missing_metric_is_skipped(void **state)
{
	struct fake f = { .step_at = 5, .missing_at = 4 };
	struct bisect b = make();
	size_t i, missing = 0;

	assert_int_equal(bs_set_ends(&b, "6.1", "7.3"), 0);
	assert_int_equal(bs_search(&b, fake_measure, &f, NULL), 0);
	assert_string_equal(versions[b.first_bad], "6.19");
	assert_string_equal(versions[b.last_good], "6.17");
	assert_int_equal(b.nskipped, 1);
	assert_string_equal(versions[b.skipped[0]], "6.18");
	for (i = 0; i < b.nsteps; i++)
		missing += b.steps[i].verdict == BS_MISSING;
	assert_int_equal(missing, 1);
}

static void test_no_step(void **state)
{
	struct fake f = { .step_at = -1, .missing_at = -1 };
	struct bisect b = make();

	assert_int_equal(bs_set_ends(&b, "6.1", "7.1"), 0);
	assert_int_equal(bs_search(&b, fake_measure, &f, NULL), PB_EXIT_FOUND);
	assert_false(b.found);
	assert_int_equal(f.calls, 1);
	assert_int_equal(b.steps[0].verdict, BS_GOOD);
	/* a missing metric at the bad end is no regression either */
	f = (struct fake){ .step_at = 2, .missing_at = 7 };
	b = make();
	assert_int_equal(bs_set_ends(&b, "6.1", "7.1"), 0);
	assert_int_equal(bs_search(&b, fake_measure, &f, NULL), PB_EXIT_FOUND);
	assert_int_equal(b.steps[0].verdict, BS_MISSING);
}

static void test_bad_ends(void **state)
{
	struct bisect b = make();
	struct capture cap;
	struct run_out err;

	capture_begin(&cap);
	assert_int_equal(bs_set_ends(&b, "7.3", "6.1"), PB_EXIT_USAGE);
	assert_int_equal(bs_set_ends(&b, "6.1", "6.1"), PB_EXIT_USAGE);
	assert_int_equal(bs_set_ends(&b, "6.1", "9.9"), PB_EXIT_USAGE);
	capture_end(&cap, &err);
	assert_string_equal(err.err,
		"peelbench: bisect: --good 7.3 is not older than --bad 6.1\n"
		"peelbench: bisect: --good 6.1 is not older than --bad 6.1\n"
		"peelbench: bisect: unknown kernel version '9.9' (scripts/vm-run --list names them)\n");
	run_free(&err);
}

/* "check.CASE": each version's repeats of `check` give the case a
 * verdict; from step_at on it fails in 2 of 3 runs, and flaky_at fails
 * once in 3 (not a step). */
struct fake_check {
	int step_at, flaky_at, good_fails;
	unsigned calls;
};

static void verdicts(const struct fake_check *f, int v, const char **out)
{
	size_t i;

	for (i = 0; i < 3; i++)
		out[i] = v == 0 ? ((int)i < f->good_fails ? "fail" : "pass") :
			 v >= f->step_at ? (i < 2 ? "fail" : "pass") :
			 v == f->flaky_at ? (i == 1 ? "fail" : "known deviation") : "pass";
}

static int fake_check_measure(void *ctx, const char *good, const char *cand,
			      struct bs_step *s)
{
	struct fake_check *f = ctx;
	const char *vg[3], *vc[3];

	f->calls++;
	verdicts(f, index_of(good), vg);
	verdicts(f, index_of(cand), vc);
	bs_judge_check(vg, 3, vc, 3, good, s);
	return 0;
}

static void test_check_verdict_step(void **state)
{
	int at;

	for (at = 1; at < (int)NV; at++) {
		struct fake_check f = { .step_at = at, .flaky_at = at - 1 };
		struct bisect b = make();

		assert_int_equal(bs_set_ends(&b, "6.1", "7.3"), 0);
		assert_int_equal(bs_search(&b, fake_check_measure, &f, NULL), 0);
		assert_int_equal(b.first_bad, at);
		assert_int_equal(b.last_good, at - 1);
		assert_int_equal(b.bad_step->check.fails, 2);
		assert_int_equal(b.bad_step->check.runs, 3);
		assert_string_equal(b.bad_step->check.verdict, "fail");
		assert_string_equal(b.bad_step->check.good_verdict, "pass");
		assert_true(f.calls <= 5);
	}
}

static void test_check_judge(void **state)
{
	const char *pass3[] = { "pass", "pass", "pass" };
	const char *fail1[] = { "pass", "fail", "pass" };
	const char *fail2[] = { "fail", "fail", "pass" };
	const char *absent[] = { NULL, NULL };
	struct bs_step s = { .version = "7.3" };
	struct fake_check f = { .step_at = 100, .flaky_at = 100 };
	struct bisect b = make();

	bs_judge_check(pass3, 3, fail2, 3, "6.1", &s);
	assert_int_equal(s.verdict, BS_BAD);
	bs_judge_check(pass3, 3, fail1, 3, "6.1", &s);
	assert_int_equal(s.verdict, BS_GOOD);
	assert_int_equal(s.check.fails, 1);
	/* the good end fails the case: nothing to bisect from */
	bs_judge_check(fail2, 3, fail2, 3, "6.1", &s);
	assert_int_equal(s.verdict, BS_FAILED);
	assert_string_equal(s.why, "the good end 6.1 fails the case too (2 of 3 runs)");
	bs_judge_check(pass3, 3, absent, 2, "6.1", &s);
	assert_int_equal(s.verdict, BS_MISSING);
	assert_string_equal(s.why, "the case is missing in 7.3's check results");
	bs_judge_check(pass3, 0, fail2, 3, "6.1", &s);
	assert_int_equal(s.verdict, BS_FAILED);
	assert_string_equal(s.why, "no check result of 6.1");
	/* no version fails it: no step, one measurement */
	assert_int_equal(bs_set_ends(&b, "6.1", "7.3"), 0);
	assert_int_equal(bs_search(&b, fake_check_measure, &f, NULL), PB_EXIT_FOUND);
	assert_int_equal(f.calls, 1);
	/* the good end failing once in three still judges */
	f = (struct fake_check){ .step_at = 4, .flaky_at = -1, .good_fails = 1 };
	b = make();
	assert_int_equal(bs_set_ends(&b, "6.1", "7.3"), 0);
	assert_int_equal(bs_search(&b, fake_check_measure, &f, NULL), 0);
	assert_string_equal(versions[b.first_bad], "6.18");
	assert_true(bs_is_check_metric("check.so-protocol"));
	assert_false(bs_is_check_metric("phase.syscall.p50_ns"));
}

static void test_parse_list(void **state)
{
	char text[] = "6.1   linux-image-6.1.0-57-amd64  6.1.192-3  bookworm-security  index\n"
		      "6.12  linux-image-6.12.118+deb13-amd64  6.12.118-1  trixie-security  index\n"
		      "\n7.3\tlinux-image-7.3.4+deb13-amd64\n";
	const char *out[4];

	assert_int_equal(bs_parse_list(text, out, 4), 3);
	assert_string_equal(out[0], "6.1");
	assert_string_equal(out[1], "6.12");
	assert_string_equal(out[2], "7.3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_planted_step),
		cmocka_unit_test(test_step_at_every_place),
		cmocka_unit_test(test_missing_metric_is_skipped),
		cmocka_unit_test(test_no_step),
		cmocka_unit_test(test_bad_ends),
		cmocka_unit_test(test_check_verdict_step),
		cmocka_unit_test(test_check_judge),
		cmocka_unit_test(test_parse_list),
	};

	return cmocka_run_group_tests_name("bisect", tests, NULL, NULL);
}
