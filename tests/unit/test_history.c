// SPDX-License-Identifier: GPL-2.0
/* peelbench history, run as the user runs it: add/list/show/export/check,
 * a failed add that loses nothing, a locked and a corrupt database. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "helpers.h"
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

static void test_add_list_show(void **state)
{
	char *d = scratch_dir(), db[256];
	struct run_out r;

	snprintf(db, sizeof(db), "%s/sub/h.db", d);
	r = run_cmd("./peelbench history --db %s add " FX "base.json " FX "rerun.json "
		    FX "regressed.json", db);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "added 3 results"));
	run_free(&r);
	/* the same content again is skipped, not duplicated */
	r = run_cmd("./peelbench history --db %s add " FX "base.json", db);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "added 0 results"));
	assert_non_null(strstr(r.out, "1 already stored"));
	run_free(&r);
	assert_int_equal(rows_in(db), 3);

	r = run_cmd("./peelbench history --db %s list", db);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "tests/fixtures/regressed.json"));
	assert_non_null(strstr(r.out, "3 results in"));
	run_free(&r);

	r = run_cmd("./peelbench history show phase.migrate.p50_ns --db %s", db);
	assert_int_equal(r.status, 0);
	assert_int_equal(count_lines(r.out), 5);	/* name, header, 3 rows */
	assert_non_null(strstr(r.out, "2026-11-21T10:00:00Z"));
	run_free(&r);

	r = run_cmd("./peelbench history --db %s export peel_per_s phase.migrate.p50_ns", db);
	assert_int_equal(r.status, 0);
	assert_true(!strncmp(r.out, "time,result,kernel,accel,config,peel_per_s,"
			     "phase.migrate.p50_ns\n", 62));
	assert_int_equal(count_lines(r.out), 4);
	run_free(&r);

	r = run_cmd("./peelbench history --db %s show phase.nosuch_ns", db);
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	run_free(&r);
	rm_rf(d);
}

static void test_failed_add_loses_nothing(void **state)
{
	char *d = scratch_dir(), db[256];
	struct run_out r;

	snprintf(db, sizeof(db), "%s/h.db", d);
	r = run_cmd("./peelbench history --db %s add " FX "base.json", db);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* second file of the batch is malformed: nothing of the batch lands */
	r = run_cmd("./peelbench history --db %s add " FX "rerun.json " FX "malformed.json", db);
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "malformed.json"));
	run_free(&r);
	assert_int_equal(rows_in(db), 1);
	r = run_cmd("./peelbench history --db %s add " FX "rerun.json " FX "truncated.json", db);
	assert_int_equal(r.status, 2);
	run_free(&r);
	assert_int_equal(rows_in(db), 1);
	rm_rf(d);
}

static void test_locked_database(void **state)
{
	char *d = scratch_dir(), db[256];
	struct run_out r;
	sqlite3 *h;

	snprintf(db, sizeof(db), "%s/h.db", d);
	r = run_cmd("./peelbench history --db %s add " FX "base.json", db);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	r = run_cmd("./peelbench history --db %s add " FX "rerun.json", db);
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "is locked"));
	run_free(&r);
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(h);
	assert_int_equal(rows_in(db), 1);
	rm_rf(d);
}

static void test_corrupt_and_foreign_database(void **state)
{
	char *d = scratch_dir(), db[256];
	struct run_out r;
	sqlite3 *h;
	FILE *f;

	snprintf(db, sizeof(db), "%s/bad.db", d);
	f = fopen(db, "w");
	fputs("this is not an sqlite database, just text that is long enough\n", f);
	fclose(f);
	r = run_cmd("./peelbench history --db %s list", db);
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "corrupt or not a database"));
	run_free(&r);
	r = run_cmd("./peelbench history --db %s add " FX "base.json", db);
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	run_free(&r);

	snprintf(db, sizeof(db), "%s/other.db", d);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_exec(h, "CREATE TABLE t (x)", NULL, NULL, NULL);
	sqlite3_close(h);
	r = run_cmd("./peelbench history --db %s add " FX "base.json", db);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "not a peelbench history"));
	run_free(&r);

	r = run_cmd("./peelbench history --db %s/missing.db list", d);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "no database at"));
	run_free(&r);
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

static void test_check_finds_newest_regression(void **state)
{
	char *d = scratch_dir(), db[256];
	const char *line;
	struct run_out r;
	int index;

	write_series(d);
	snprintf(db, sizeof(db), "%s/h.db", d);
	r = run_cmd("./peelbench history --db %s add %s/night-*.json", db, d);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "added 40 results"));
	run_free(&r);

	r = run_cmd("./peelbench history --db %s check phase.migrate.p50_ns", db);
	assert_int_equal(r.status, 1);
	line = strstr(r.out, "REGRESSION");
	assert_non_null(line);
	while (line > r.out && line[-1] != '\n')
		line--;
	assert_int_equal(sscanf(line, "%d", &index), 1);
	assert_true(index >= 24 && index <= 26);
	assert_non_null(strstr(r.out, "the newest change point is a regression"));
	run_free(&r);

	r = run_cmd("./peelbench history --db %s check phase.clone.p50_ns", db);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "improvement"));
	run_free(&r);

	r = run_cmd("./peelbench history --db %s check peel_per_s", db);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "no change point"));
	run_free(&r);

	/* raised above the step, the change is no longer reported */
	r = run_cmd("./peelbench history --db %s check --threshold 30 phase.migrate.p50_ns", db);
	assert_int_equal(r.status, 0);
	run_free(&r);
	rm_rf(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_list_show),
		cmocka_unit_test(test_failed_add_loses_nothing),
		cmocka_unit_test(test_locked_database),
		cmocka_unit_test(test_corrupt_and_foreign_database),
		cmocka_unit_test(test_check_finds_newest_regression),
	};

	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
