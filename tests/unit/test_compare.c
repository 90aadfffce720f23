// SPDX-License-Identifier: GPL-2.0
/* peelbench compare, run as the user runs it: verdicts, exit codes, the
 * refusal to compare different setups, the JSON printer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "helpers.h"

#define FX "tests/fixtures/"

/* The line of the table that starts with the metric's name. */
static const char *row(const char *out, const char *metric)
{
	const char *p = out;
	size_t n = strlen(metric);

	while (p && *p) {
		if (!strncmp(p, metric, n) && p[n] == ' ')
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static bool row_says(const char *out, const char *metric, const char *what)
{
	const char *r = row(out, metric), *nl;

	if (!r)
		return false;
	nl = strchr(r, '\n');
	return strstr(r, what) && (!nl || strstr(r, what) < nl);
}

static void test_known_regression_exits_1(void **state)
{
	struct run_out r = run_cmd("./peelbench compare " FX "base.json " FX "regressed.json");

	assert_int_equal(r.status, 1);
	assert_true(row_says(r.out, "phase.migrate.p50_ns", "REGRESSION"));
	assert_true(row_says(r.out, "phase.migrate.mean_ns", "REGRESSION"));
	assert_true(row_says(r.out, "phase.migrate.p50_ns", "samples phase.migrate_ns (1000/1000)"));
	assert_true(row_says(r.out, "peel_per_s", "rounds (10/10)"));
	/* sctp_assoc_migrate and the clone did not change */
	assert_true(row_says(r.out, "phase.clone.p50_ns", "no change"));
	assert_true(row_says(r.out, "phase.assoc_migrate.mean_ns", "no change"));
	assert_non_null(strstr(r.out, "peeloff-flags-cloexec"));
	assert_non_null(strstr(r.out, "pass -> fail  REGRESSION"));
	assert_string_equal(r.err, "");
	run_free(&r);
}

static void test_identical_and_rerun_exit_0(void **state)
{
	struct run_out r = run_cmd("./peelbench compare " FX "base.json " FX "identical.json");

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "0 regressions, 0 improvements in 20 metrics"));
	run_free(&r);
	r = run_cmd("./peelbench compare " FX "base.json " FX "rerun.json");
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "REGRESSION"));
	run_free(&r);
}

static void test_json_printer(void **state)
{
	struct run_out r = run_cmd("./peelbench compare --json " FX "base.json " FX "regressed.json");
	struct json_object *root, *ms, *m, *o;
	size_t i, found = 0;

	assert_int_equal(r.status, 1);
	root = json_tokener_parse(r.out);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "metrics", &ms));
	assert_int_equal(json_object_array_length(ms), 20);
	for (i = 0; i < json_object_array_length(ms); i++) {
		m = json_object_array_get_idx(ms, i);
		json_object_object_get_ex(m, "name", &o);
		if (strcmp(json_object_get_string(o), "phase.migrate.p50_ns"))
			continue;
		found++;
		json_object_object_get_ex(m, "verdict", &o);
		assert_string_equal(json_object_get_string(o), "regression");
		json_object_object_get_ex(m, "change_pct", &o);
		assert_true(json_object_get_double(o) > 15 && json_object_get_double(o) < 25);
		json_object_object_get_ex(m, "p", &o);
		assert_true(json_object_get_double(o) < 0.001);
	}
	assert_int_equal(found, 1);
	json_object_object_get_ex(root, "cases", &o);
	assert_int_equal(json_object_array_length(o), 1);
	json_object_put(root);
	run_free(&r);
}

static void test_different_setups_refused(void **state)
{
	struct run_out r = run_cmd("./peelbench compare " FX "base.json " FX "other-config.json");

	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "config.assocs: 1000 -> 4000"));
	assert_non_null(strstr(r.err, "env.kernel"));
	assert_string_equal(r.out, "");
	run_free(&r);
	r = run_cmd("./peelbench compare --allow-different " FX "base.json " FX "other-config.json");
	assert_true(r.status == 0 || r.status == 1);
	assert_non_null(strstr(r.out, "differences (--allow-different): config.assocs"));
	run_free(&r);
}

static void test_metric_option(void **state)
{
	struct run_out r = run_cmd("./peelbench compare -m phase.migrate.p50_ns "
				   FX "base.json " FX "regressed.json");

	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "in 1 metric"));
	run_free(&r);
	/* below the threshold: not a regression (the failed case still is) */
	r = run_cmd("./peelbench compare -m phase.migrate.p50_ns --threshold 25 "
		    FX "base.json " FX "regressed.json");
	assert_true(row_says(r.out, "phase.migrate.p50_ns", "no change"));
	run_free(&r);
	r = run_cmd("./peelbench compare -m phase.nosuch.p50_ns " FX "base.json " FX "regressed.json");
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "no metric 'phase.nosuch.p50_ns'"));
	run_free(&r);
}

static void test_bad_usage_exits_2(void **state)
{
	struct run_out r = run_cmd("./peelbench compare " FX "base.json");

	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	run_free(&r);
	r = run_cmd("./peelbench compare --alpha 2 " FX "base.json " FX "base.json");
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	run_free(&r);
	r = run_cmd("./peelbench compare --frobnicate " FX "base.json " FX "base.json");
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	run_free(&r);
	r = run_cmd("./peelbench compare --help");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: peelbench compare"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_regression_exits_1),
		cmocka_unit_test(test_identical_and_rerun_exit_0),
		cmocka_unit_test(test_json_printer),
		cmocka_unit_test(test_different_setups_refused),
		cmocka_unit_test(test_metric_option),
		cmocka_unit_test(test_bad_usage_exits_2),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
