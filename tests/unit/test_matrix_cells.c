// SPDX-License-Identifier: GPL-2.0
/* peelbench matrix as cells: figures over several machines
 * (matrix_machines.c: ratios within each machine, pooled as the median
 * of the per-machine ratios with a bootstrap CI over machines) on planted
 * two- and three-machine data, and the plan file (matrix_plan.c):
 * written, read back, refused when it is not one, was edited, or its
 * options conflict.  The commands themselves, with GNU parallel and a
 * PostgreSQL server, are tests/cli/cells.t. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "helpers.h"
#include "matrix_helpers.h"
#include "matrix.h"
#include "matrix_plan.h"
#include "peelbench.h"
#include "result.h"
#include "stats.h"

/* Two machines, the second ten times slower: each one's ratio is 1.5,
 * and so is the pooled one.  Dividing one machine's figure by the
 * other's would give 0.15 or 15. */
static void test_pool_never_divides_across_machines(void **state)
{
	const double fa[] = { 1000, 1100, 900 }, na[] = { 1500, 1650, 1350 };
	const double fb[] = { 100, 110, 90 }, nb[] = { 150, 165, 135 };
	struct mx_side s[2] = { { fa, na, 3, 3 }, { fb, nb, 3, 3 } };
	struct pb_ci ci;
	double ratio;
	bool has_ci;

	assert_int_equal(mx_pool_ratio(s, 2, 2000, 0.95, 7, &ratio, &ci, &has_ci), 2);
	assert_near(ratio, 1.5, 1e-12);
	assert_true(has_ci);
	assert_true(ci.lo <= 1.5 && ci.hi >= 1.5);
	/* resampled repeats move the ratio by at most 1650/900 and 1350/1100 */
	assert_true(ci.lo >= 1350.0 / 1100 - 1e-9 && ci.hi <= 1650.0 / 900 + 1e-9);
	/* only the base kernel on one machine, only the other on the second:
	 * no ratio at all */
	s[0].nvals = 0;
	s[1].nbase = 0;
	assert_int_equal(mx_pool_ratio(s, 2, 2000, 0.95, 7, &ratio, &ci, &has_ci), 0);
	assert_true(isnan(ratio));
	assert_false(has_ci);
}

/* Three machines with ratios 1.2, 1.5 and 1.8 and one repeat each: the
 * median is 1.5; resampling machines, the median of three picks is 1.2
 * with probability 7/27 (> 2.5 %), so the 95 % CI is [1.2, 1.8]. */
static void test_pool_is_the_median_with_a_ci_over_machines(void **state)
{
	const double b[] = { 100, 10, 1000 }, v[] = { 120, 15, 1800 };
	struct mx_side s[3];
	struct pb_ci ci;
	double ratio;
	bool has_ci;
	size_t i;

	for (i = 0; i < 3; i++)
		s[i] = (struct mx_side){ &b[i], &v[i], 1, 1 };
	assert_int_equal(mx_pool_ratio(s, 3, 2000, 0.95, 1, &ratio, &ci, &has_ci), 3);
	assert_near(ratio, 1.5, 1e-12);
	assert_true(has_ci);
	assert_near(ci.lo, 1.2, 1e-12);
	assert_near(ci.hi, 1.8, 1e-12);
	/* one machine: the ratio, no CI over machines */
	assert_int_equal(mx_pool_ratio(s, 1, 2000, 0.95, 1, &ratio, &ci, &has_ci), 1);
	assert_near(ratio, 1.2, 1e-12);
	assert_false(has_ci);
}

/* A result with one metric, measured on a machine. */
static struct pb_result *planted(const char *machine, double peel)
{
	struct pb_result *r;
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "{\"schema\":\"peelbench-result/1\",\"complete\":true,"
		 "\"env\":{\"kernel\":\"x\",\"machine\":{\"id\":\"%s\",\"label\":\"%s\"}},"
		 "\"metrics\":{\"peel_per_s\":%g}}", machine, machine, peel);
	assert_int_equal(pb_result_parse(buf, strlen(buf), "planted", &r), 0);
	return r;
}

/* The table's figures over two planted machines through mx_value: each
 * machine's own matrix, the whole one pooled. */
static void test_value_pools_two_planted_machines(void **state)
{
	/* machine a: rounds 1 and 2; machine b (a third as fast): round 3 */
	const double base[] = { 1000, 1100, 300 }, other[] = { 2000, 2200, 450 };
	struct mx_outcome all_out[6] = { 0 }, a_out[6] = { 0 }, b_out[6] = { 0 };
	struct mx_machine mach[2] = { { .id = "a", .label = "a" }, { .id = "b", .label = "b" } };
	struct mx_matrix all = { 0 };
	struct mx_value v;
	struct mx_opts o;
	struct mx_plan p;
	unsigned r;
	size_t k;

	assert_int_equal(parse(&o, "--kernels", "6.1,7.3", NULL), 0);
	assert_int_equal(mx_plan_build(&o, &p), 0);
	all.plan = mach[0].m.plan = mach[1].m.plan = &p;
	all.out = all_out;
	mach[0].m.out = a_out;
	mach[1].m.out = b_out;
	all.machines = mach;
	all.nmachines = 2;
	for (r = 1; r <= 3; r++)
		for (k = 0; k < 2; k++) {
			struct mx_matrix *m = &mach[r == 3].m;
			struct mx_outcome *x = mx_at(m, r, k, 0);

			x->state = MX_OK;
			x->res = planted(r == 3 ? "b" : "a", (k ? other : base)[r - 1]);
			*mx_at(&all, r, k, 0) = *x;
		}
	/* per machine: a's ratio 2.0 over its two repeats, b's 1.5 */
	mx_value(&mach[0].m, 0, 1, "peel_per_s", &v);
	assert_int_equal(v.n, 2);
	assert_near(v.ratio, 2.0, 1e-12);
	mx_value_free(&v);
	mx_value(&mach[1].m, 0, 1, "peel_per_s", &v);
	assert_near(v.ratio, 1.5, 1e-12);
	assert_false(v.has_ci);	/* one repeat */
	mx_value_free(&v);
	/* pooled: median of 2.0 and 1.5; median of the medians 2100 and 450 */
	mx_value(&all, 0, 1, "peel_per_s", &v);
	assert_int_equal(v.n, 3);
	assert_near(v.ratio, 1.75, 1e-12);
	assert_near(v.median, (2100.0 + 450) / 2, 1e-9);
	assert_true(v.has_ci);
	/* a's resampled repeats give 2000/1100 to 2200/1000, b's only 1.5 */
	assert_true(v.ci.lo >= 1.5 - 1e-12 && v.ci.hi <= 2.2 + 1e-12);
	assert_true(v.ci.lo < 1.75 && v.ci.hi > 1.75);
	mx_value_free(&v);
	for (r = 0; r < 6; r++)
		pb_result_free(a_out[r].res ? a_out[r].res : b_out[r].res);
	mx_plan_free(&p);
	mx_opts_free(&o);
}

static char tmpdir[64];

static int plan_setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pb-cells-test.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int plan_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? -1 : 0;
}

/* Write a plan for these options into NAME under tmpdir. */
static void write_plan(const char *name, char *path, size_t size, ...)
{
	struct capture c;
	struct run_out out;
	struct mx_opts o;
	char *argv[64];
	int argc = 0;
	va_list ap;

	snprintf(path, size, "%s/%s", tmpdir, name);
	argv[argc++] = "matrix";
	argv[argc++] = "--plan";
	argv[argc++] = path;
	va_start(ap, size);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	assert_int_equal(mx_parse(argc, argv, &o), 0);
	capture_begin(&c);
	assert_int_equal(mx_plan_write(&o), 0);
	capture_end(&c, &out);
	assert_non_null(strstr(out.out, "3 cells (2 kernels x 2 sweep cells each)"));
	run_free(&out);
	mx_opts_free(&o);
}

static void test_plan_round_trip(void **state)
{
	struct mx_planfile pf;
	struct json_object *cells;
	char path[128], err[256];
	struct capture c;

	write_plan("p.json", path, sizeof(path), "--kernels", "6.1,7.3", "--sweep",
		   "backlog=0,64", "--check", "--run-repeat", "2", "--", "--assocs", "500", NULL);
	assert_int_equal(mx_plan_read(path, &pf), 0);
	assert_int_equal(strlen(pf.id), 16);
	assert_int_equal(pf.o.nkernels, 2);
	assert_string_equal(pf.o.kernels[1], "7.3");
	assert_int_equal(pf.o.repeat, 3);
	assert_true(pf.o.check);
	assert_int_equal(pf.o.nsweeps, 1);
	assert_string_equal(pf.o.sweeps[0].values[1], "64");
	assert_int_equal(mx_max_number(&pf.o, "assocs"), 500);
	assert_int_equal(pf.o.nrun_args, 4);	/* --repeat 2 --assocs 500 */
	assert_ptr_equal(pf.o.run_args[0], mx_run_repeat_flag);
	assert_true(json_object_object_get_ex(pf.root, "cells", &cells));
	assert_int_equal(json_object_array_length(cells), 3);
	assert_int_equal(json_object_array_length(json_object_object_get(
		json_object_array_get_idx(cells, 2), "runs")), 4);
	mx_planfile_free(&pf);
	/* written once */
	{
		struct mx_opts o;

		assert_int_equal(parse(&o, "--plan", path, "--kernels", "6.1", NULL), 0);
		capture_begin(&c);
		assert_int_equal(mx_plan_write(&o), PB_EXIT_USAGE);
		capture_end_err(&c, err, sizeof(err));
		assert_non_null(strstr(err, "exists: a plan is written once"));
		mx_opts_free(&o);
	}
}

/* Replace the plan's text, optionally giving it the id its new content
 * hashes to (an edit that keeps the plan "valid" on its face). */
static void rewrite(const char *path, const char *from, const char *to, bool rehash)
{
	struct json_object *j, *body;
	char *text = slurp(path), *at, id[17], *out;
	FILE *f;

	assert_non_null(text);
	at = strstr(text, from);
	assert_non_null(at);
	assert_true(asprintf(&out, "%.*s%s%s", (int)(at - text), text, to,
			     at + strlen(from)) > 0);
	j = json_tokener_parse(out);
	if (rehash && j) {
		body = json_object_new_object();
		json_object_object_foreach(j, key, val)
			if (strcmp(key, "id"))
				json_object_object_add(body, key, json_object_get(val));
		snprintf(id, sizeof(id), "%016llx", (unsigned long long)mx_hash64(
			 json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE)));
		json_object_put(body);
		json_object_object_add(j, "id", json_object_new_string(id));
		free(out);
		out = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	}
	json_object_put(j);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(out, f);
	fclose(f);
	free(out);
	free(text);
}

static void expect_bad(const char *path, const char *want)
{
	struct mx_planfile pf;
	struct capture c;
	char err[512];

	capture_begin(&c);
	assert_int_equal(mx_plan_read(path, &pf), PB_EXIT_USAGE);
	capture_end_err(&c, err, sizeof(err));
	mx_planfile_free(&pf);
	if (!strstr(err, want) || strchr(err, '\n') != strrchr(err, '\n'))
		fail_msg("%s: got '%s', want one line with '%s'", path, err, want);
}

static void test_bad_plans_one_line_each(void **state)
{
	/* edited by hand; then with the id recomputed, options that conflict */
	static const struct {
		const char *from, *to;
		bool rehash;
		const char *want;
	} edits[] = {
		{ "\"repeat\":3", "\"repeat\":4", false, "its id does not match its content" },
		{ "\"repeat\":3", "\"repeat\":4", true,
		  "its options conflict: repeat and cells differ from argv's --repeat 3" },
		{ "\"--\"]", "\"--\",\"--backlog\",\"3\"]", true,
		  "--backlog is both a run option and a --sweep" },
		{ "\"kernels\":[\"6.1\",\"7.3\"]", "\"kernels\":[\"7.3\",\"6.1\"]", true,
		  "its options conflict: kernels differs from argv's --kernels" },
		{ "peelbench-plan/1", "peelbench-result/1", false,
		  "not a plan (schema peelbench-result/1" },
	};
	char path[128], p2[160];
	size_t i;
	FILE *f;

	snprintf(p2, sizeof(p2), "%s/not.json", tmpdir);
	f = fopen(p2, "w");
	fputs("kernels: 6.1\n", f);
	fclose(f);
	expect_bad(p2, "not a plan (want the JSON");
	expect_bad(tmpdir, "cannot open");
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		char name[16];

		snprintf(name, sizeof(name), "%zu.json", i);
		write_plan(name, path, sizeof(path), "--kernels", "6.1,7.3", "--sweep",
			   "backlog=0,64", NULL);
		rewrite(path, edits[i].from, edits[i].to, edits[i].rehash);
		expect_bad(path, edits[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_never_divides_across_machines),
		cmocka_unit_test(test_pool_is_the_median_with_a_ci_over_machines),
		cmocka_unit_test(test_value_pools_two_planted_machines),
		cmocka_unit_test_setup_teardown(test_plan_round_trip, plan_setup, plan_teardown),
		cmocka_unit_test_setup_teardown(test_bad_plans_one_line_each, plan_setup,
						plan_teardown),
	};

	return cmocka_run_group_tests_name("matrix_cells", tests, NULL, NULL);
}
