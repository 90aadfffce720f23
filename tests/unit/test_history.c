// SPDX-License-Identifier: GPL-2.0
/* user/analysis/history.c and history_check.c: add (all or none, the same
 * content skipped), the stored rows, a series, the Otava CSV, change
 * points judged as regressions and improvements, a locked, a corrupt and
 * a foreign database.  What the command prints is in tests/cli
 * (history-* golden cases, history.t). */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "helpers.h"
#include "history.h"
#include "peelbench.h"
#include "result.h"
#include "stats.h"

#define FX "tests/fixtures/"

static int rows_in(const char *db)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, "SELECT count(*) FROM results", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return n;
}

/* Open (creating) db and add the files in one batch; the call's stderr in
 * err (may be NULL). */
static int add_files(const char *db, const char *const *files, size_t n,
		     size_t *added, size_t *skipped, struct run_out *err)
{
	struct pb_result *rs[64] = { NULL };
	struct pb_history *h = NULL;
	struct run_out ignored;
	struct capture cap;
	size_t i;
	int ret = 0;

	capture_begin(&cap);
	for (i = 0; i < n && !ret; i++)
		ret = pb_result_load(files[i], &rs[i]);
	if (!ret)
		ret = pb_history_open(db, true, &h);
	if (!ret)
		ret = pb_history_add(h, rs, n, added, skipped);
	pb_history_close(h);
	capture_end(&cap, err ? err : &ignored);
	if (!err)
		run_free(&ignored);
	for (i = 0; i < n; i++)
		pb_result_free(rs[i]);
	return ret;
}

/* Rows in order: the index of the one from regressed.json, and how many. */
struct rows_seen {
	int n, regressed;
};

static int count_row(const struct pb_history_row *r, void *ctx)
{
	struct rows_seen *s = ctx;

	if (strstr(r->path, "tests/fixtures/regressed.json"))
		s->regressed = s->n;
	s->n++;
	return 0;
}

static void test_add_list_show(void **state)
{
	static const char *const three[] = { FX "base.json", FX "rerun.json", FX "regressed.json" };
	char *d = scratch_dir(), db[256], buf[4096];
	struct pb_history_point *p;
	struct rows_seen seen = { 0, -1 };
	struct pb_history *h;
	size_t added, skipped, n;
	FILE *f;

	snprintf(db, sizeof(db), "%s/sub/h.db", d);
	assert_int_equal(add_files(db, three, 3, &added, &skipped, NULL), 0);
	assert_int_equal(added, 3);
	assert_int_equal(skipped, 0);
	/* the same content again is skipped, not duplicated */
	assert_int_equal(add_files(db, three, 1, &added, &skipped, NULL), 0);
	assert_int_equal(added, 0);
	assert_int_equal(skipped, 1);
	assert_int_equal(rows_in(db), 3);

	assert_int_equal(pb_history_open(db, false, &h), 0);
	assert_int_equal(pb_history_results(h, count_row, &seen), 0);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.regressed, 2);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_int_equal(pb_history_export_csv(h, (const char *const[]){ "peel_per_s",
				"phase.migrate.p50_ns" }, 2, NULL, f), 0);
	fclose(f);
	assert_true(!strncmp(buf, "time,result,kernel,accel,config,machine,machine_label,"
			     "peel_per_s,phase.migrate.p50_ns\n", 84));
	assert_int_equal(count_lines(buf), 4);
	pb_history_close(h);

	assert_int_equal(pb_history_load_series(db, "phase.migrate.p50_ns", NULL, &p, &n), 0);
	assert_int_equal(n, 3);
	/* oldest first: base, rerun, regressed */
	assert_string_equal(p[0].created, "2026-11-20T10:00:00Z");
	assert_string_equal(p[2].created, "2026-11-21T10:00:00Z");
	assert_true(p[2].value > p[0].value);
	free(p);
	assert_int_equal(pb_history_load_series(db, "phase.nosuch_ns", NULL, &p, &n), 0);
	assert_int_equal(n, 0);
	free(p);
	rm_rf(d);
}

static void test_failed_add_loses_nothing(void **state)
{
	static const char *const good[] = { FX "base.json" };
	static const char *const bad[] = { FX "rerun.json", FX "malformed.json" };
	char *d = scratch_dir(), db[256];
	size_t added, skipped;
	struct run_out err;

	snprintf(db, sizeof(db), "%s/h.db", d);
	assert_int_equal(add_files(db, good, 1, &added, &skipped, NULL), 0);
	/* second file of the batch is malformed: nothing of the batch lands */
	assert_int_equal(add_files(db, bad, 2, &added, &skipped, &err), PB_EXIT_USAGE);
	assert_int_equal(count_lines(err.err), 1);
	assert_non_null(strstr(err.err, "malformed.json"));
	run_free(&err);
	assert_int_equal(rows_in(db), 1);
	rm_rf(d);
}

static void test_locked_database(void **state)
{
	static const char *const base[] = { FX "base.json" };
	static const char *const rerun[] = { FX "rerun.json" };
	char *d = scratch_dir(), db[256];
	size_t added, skipped;
	struct run_out err;
	sqlite3 *h;

	snprintf(db, sizeof(db), "%s/h.db", d);
	assert_int_equal(add_files(db, base, 1, &added, &skipped, NULL), 0);
	setenv("PEELBENCH_DB_BUSY_MS", "300", 1);	/* not the 10 s default */
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(add_files(db, rerun, 1, &added, &skipped, &err), PB_EXIT_USAGE);
	assert_int_equal(count_lines(err.err), 1);
	assert_non_null(strstr(err.err, "is locked"));
	run_free(&err);
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(h);
	unsetenv("PEELBENCH_DB_BUSY_MS");
	assert_int_equal(rows_in(db), 1);
	rm_rf(d);
}

/* pb_history_open's exit code and one-line error for the file at db. */
static int open_error(const char *db, bool create, const char *says)
{
	struct pb_history *h = NULL;
	struct run_out err;
	struct capture cap;
	int ret;

	capture_begin(&cap);
	ret = pb_history_open(db, create, &h);
	capture_end(&cap, &err);
	pb_history_close(h);
	assert_int_equal(count_lines(err.err), 1);
	assert_non_null(strstr(err.err, says));
	run_free(&err);
	return ret;
}

static void test_corrupt_and_foreign_database(void **state)
{
	char *d = scratch_dir(), db[256];
	sqlite3 *h;
	FILE *f;

	snprintf(db, sizeof(db), "%s/bad.db", d);
	f = fopen(db, "w");
	fputs("this is not an sqlite database, just text that is long enough\n", f);
	fclose(f);
	assert_int_equal(open_error(db, false, "corrupt or not a database"), PB_EXIT_USAGE);
	assert_int_equal(open_error(db, true, "corrupt or not a database"), PB_EXIT_USAGE);

	snprintf(db, sizeof(db), "%s/other.db", d);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_exec(h, "CREATE TABLE t (x)", NULL, NULL, NULL);
	sqlite3_close(h);
	assert_int_equal(open_error(db, true, "not a peelbench history"), PB_EXIT_USAGE);

	snprintf(db, sizeof(db), "%s/missing.db", d);
	assert_int_equal(open_error(db, false, "no database at"), PB_EXIT_USAGE);
	rm_rf(d);
}

/* 40 nightly results: migrate +20% from run 25 on (a regression), clone
 * -20% from run 25 on (an improvement), throughput flat; 2% noise. */
static void write_series(const char *dir)
{
	struct pb_rng rng;
	char path[300], created[32];
	int i;

	pb_rng_seed(&rng, 11);
	for (i = 0; i < 40; i++) {
		struct json_object *o = json_object_new_object(), *m = json_object_new_object();
		double step = i >= 25 ? 0.2 : 0;

		snprintf(created, sizeof(created), "2026-10-%02dT03:00:00Z", i / 2 + 1);
		created[14] = i % 2 ? '3' : '0';
		json_object_object_add(o, "schema", json_object_new_string("peelbench-result/1"));
		json_object_object_add(o, "created", json_object_new_string(created));
		json_object_object_add(m, "phase.migrate.p50_ns", json_object_new_double(
			6400 * (1 + step) * (1 + 0.02 * pb_rng_normal(&rng))));
		json_object_object_add(m, "phase.clone.p50_ns", json_object_new_double(
			3100 * (1 - step) * (1 + 0.02 * pb_rng_normal(&rng))));
		json_object_object_add(m, "peel_per_s", json_object_new_double(
			58000 * (1 + 0.02 * pb_rng_normal(&rng))));
		json_object_object_add(o, "metrics", m);
		snprintf(path, sizeof(path), "%s/night-%02d.json", dir, i);
		assert_int_equal(json_object_to_file(path, o), 0);
		json_object_put(o);
	}
}

/* The newest change point of metric over the 40 nights. */
static void check(const char *db, const char *metric, double threshold,
		  struct pb_history_check *c)
{
	struct pb_history_point *p;
	size_t n;

	assert_int_equal(pb_history_load_series(db, metric, NULL, &p, &n), 0);
	assert_int_equal(n, 40);
	assert_int_equal(pb_history_check(p, n, metric, 0.01, 199, 1, threshold, c), 0);
	assert_int_equal(c->off, 0);
	assert_int_equal(c->n, 40);
	free(p);
}

static void test_check_finds_newest_regression(void **state)
{
	const char *files[40];
	char *d = scratch_dir(), db[256], paths[40][300];
	static struct pb_history_check c;
	size_t added, skipped, i;

	write_series(d);
	for (i = 0; i < 40; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/night-%02zu.json", d, i);
		files[i] = paths[i];
	}
	snprintf(db, sizeof(db), "%s/h.db", d);
	assert_int_equal(add_files(db, files, 40, &added, &skipped, NULL), 0);
	assert_int_equal(added, 40);

	check(db, "phase.migrate.p50_ns", 5, &c);
	assert_true(c.k >= 1);
	assert_int_equal(c.verdict[c.k - 1], PB_CP_REGRESSION);
	assert_true(c.cps[c.k - 1].index >= 24 && c.cps[c.k - 1].index <= 26);
	assert_true(c.newest_regressed);

	check(db, "phase.clone.p50_ns", 5, &c);
	assert_true(c.k >= 1);
	assert_int_equal(c.verdict[c.k - 1], PB_CP_IMPROVEMENT);
	assert_false(c.newest_regressed);

	check(db, "peel_per_s", 5, &c);
	assert_int_equal(c.k, 0);

	/* raised above the step, the change is no longer reported */
	check(db, "phase.migrate.p50_ns", 30, &c);
	assert_int_equal(c.k, 0);
	assert_false(c.newest_regressed);
	rm_rf(d);
}

/* Past PB_HISTORY_CHECK_MAX_POINTS only the newest points are checked. */
static void test_check_window(void **state)
{
	static struct pb_history_point p[PB_HISTORY_CHECK_MAX_POINTS + 5];
	static struct pb_history_check c;
	size_t i;

	for (i = 0; i < PB_HISTORY_CHECK_MAX_POINTS + 5; i++)
		p[i].value = i < 500 ? 100 : 200;	/* the step is in the window */
	assert_int_equal(pb_history_check(p, PB_HISTORY_CHECK_MAX_POINTS + 5,
					  "peel_per_s", 0.01, 19, 1, 5, &c), 0);
	assert_int_equal(c.off, 5);
	assert_int_equal(c.n, PB_HISTORY_CHECK_MAX_POINTS);
	assert_int_equal(c.k, 1);
	assert_int_equal(c.cps[0].index + c.off, 500);
	/* peel_per_s: higher is better */
	assert_int_equal(c.verdict[0], PB_CP_IMPROVEMENT);
	assert_false(c.newest_regressed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_list_show),
		cmocka_unit_test(test_failed_add_loses_nothing),
		cmocka_unit_test(test_locked_database),
		cmocka_unit_test(test_corrupt_and_foreign_database),
		cmocka_unit_test(test_check_finds_newest_regression),
		cmocka_unit_test(test_check_window),
	};

	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
