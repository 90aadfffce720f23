// SPDX-License-Identifier: GPL-2.0
/* user/analysis/compare.c on the fixtures: verdicts, the sources the tests
 * ran on, the check cases, the refusal to compare different setups, the
 * choice of metrics.  What the command prints (table, JSON, errors, exit
 * codes) is in tests/cli (compare-*). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "compare.h"
#include "helpers.h"
#include "peelbench.h"
#include "result.h"

#define FX "tests/fixtures/"

/* Load base and new, compare them; pb_compare's stderr in *err. */
static int compare(struct pb_comparison *c, const char *base, const char *new,
		   const char *const *metrics, size_t n, bool allow, double threshold,
		   struct run_out *err)
{
	struct capture cap;
	int ret;

	memset(c, 0, sizeof(*c));
	c->threshold = threshold;
	c->alpha = 0.05;
	assert_int_equal(pb_result_load(base, &c->base), 0);
	assert_int_equal(pb_result_load(new, &c->new), 0);
	capture_begin(&cap);
	ret = pb_compare(c, metrics, n, allow);
	capture_end(&cap, err);
	return ret;
}

static const struct pb_metric_cmp *metric(const struct pb_comparison *c,
					  const char *name)
{
	size_t i;

	for (i = 0; i < c->nm; i++)
		if (!strcmp(c->m[i].name, name))
			return &c->m[i];
	fail_msg("no metric %s", name);
	return NULL;
}

static void test_known_regression(void **state)
{
	static struct pb_comparison c;
	const struct pb_metric_cmp *m;
	struct run_out err;

	assert_int_equal(compare(&c, FX "base.json", FX "regressed.json", NULL, 0,
				 false, 5, &err), 0);
	assert_string_equal(err.err, "");
	m = metric(&c, "phase.migrate.p50_ns");
	assert_int_equal(m->verdict, PB_V_REGRESSION);
	assert_string_equal(m->source, "samples phase.migrate_ns");
	assert_int_equal(m->nb, 1000);
	assert_int_equal(m->nn, 1000);
	assert_true(m->change > 15 && m->change < 25);
	assert_true(m->mwu.p < 0.001);
	assert_true(m->ci.lo > 0);
	assert_int_equal(metric(&c, "phase.migrate.mean_ns")->verdict, PB_V_REGRESSION);
	m = metric(&c, "peel_per_s");
	assert_string_equal(m->source, "rounds");
	assert_int_equal(m->nb, 10);
	/* sctp_assoc_migrate and the clone did not change */
	assert_int_equal(metric(&c, "phase.clone.p50_ns")->verdict, PB_V_NO_CHANGE);
	assert_int_equal(metric(&c, "phase.assoc_migrate.mean_ns")->verdict, PB_V_NO_CHANGE);
	assert_int_equal(c.nm, 20);
	assert_int_equal(c.ncases, 1);
	assert_string_equal(c.cases[0].base, "pass");
	assert_string_equal(c.cases[0].new, "fail");
	assert_true(c.cases[0].regression);
	assert_non_null(strstr(c.cases[0].name, "peeloff-flags-cloexec"));
	assert_int_equal(c.regressions, 14);	/* 13 metrics and the case */
	assert_int_equal(c.improvements, 0);
	run_free(&err);
	pb_comparison_release(&c);
}

static void test_identical_and_rerun(void **state)
{
	static struct pb_comparison c;
	struct run_out err;
	size_t i;

	assert_int_equal(compare(&c, FX "base.json", FX "identical.json", NULL, 0,
				 false, 5, &err), 0);
	assert_int_equal(c.nm, 20);
	assert_int_equal(c.regressions, 0);
	assert_int_equal(c.improvements, 0);
	assert_int_equal(c.ncases, 0);
	run_free(&err);
	pb_comparison_release(&c);
	assert_int_equal(compare(&c, FX "base.json", FX "rerun.json", NULL, 0,
				 false, 5, &err), 0);
	for (i = 0; i < c.nm; i++)
		assert_int_not_equal(c.m[i].verdict, PB_V_REGRESSION);
	assert_int_equal(c.regressions, 0);
	run_free(&err);
	pb_comparison_release(&c);
}

static void test_different_setups_refused(void **state)
{
	static struct pb_comparison c;
	struct run_out err;

	assert_int_equal(compare(&c, FX "base.json", FX "other-config.json", NULL, 0,
				 false, 5, &err), PB_EXIT_USAGE);
	assert_int_equal(count_lines(err.err), 1);
	assert_non_null(strstr(err.err, "config.assocs: 1000 -> 4000"));
	assert_non_null(strstr(err.err, "env.kernel"));
	assert_int_equal(c.nm, 0);
	run_free(&err);
	pb_comparison_release(&c);
	assert_int_equal(compare(&c, FX "base.json", FX "other-config.json", NULL, 0,
				 true, 5, &err), 0);
	assert_non_null(c.diffs);
	assert_true(!strncmp(c.diffs, "config.assocs: 1000 -> 4000", 27));
	assert_true(c.nm > 0);
	run_free(&err);
	pb_comparison_release(&c);
}

static void test_metric_choice(void **state)
{
	static const char *const one[] = { "phase.migrate.p50_ns" };
	static const char *const nosuch[] = { "phase.migrate.p50_ns", "phase.nosuch.p50_ns" };
	static struct pb_comparison c;
	struct run_out err;

	assert_int_equal(compare(&c, FX "base.json", FX "regressed.json", one, 1,
				 false, 5, &err), 0);
	assert_int_equal(c.nm, 1);
	assert_int_equal(c.m[0].verdict, PB_V_REGRESSION);
	run_free(&err);
	pb_comparison_release(&c);
	/* below the threshold: not a regression (the failed case still is) */
	assert_int_equal(compare(&c, FX "base.json", FX "regressed.json", one, 1,
				 false, 25, &err), 0);
	assert_int_equal(c.m[0].verdict, PB_V_NO_CHANGE);
	assert_int_equal(c.regressions, 1);
	run_free(&err);
	pb_comparison_release(&c);
	assert_int_equal(compare(&c, FX "base.json", FX "regressed.json", nosuch, 2,
				 false, 5, &err), PB_EXIT_USAGE);
	assert_int_equal(count_lines(err.err), 1);
	assert_non_null(strstr(err.err, "no metric 'phase.nosuch.p50_ns'"));
	run_free(&err);
	pb_comparison_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_regression),
		cmocka_unit_test(test_identical_and_rerun),
		cmocka_unit_test(test_different_setups_refused),
		cmocka_unit_test(test_metric_choice),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
