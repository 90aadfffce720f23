// SPDX-License-Identifier: GPL-2.0
/* The events sidecar: user/tracer/trace_events.c writes it (one JSON line
 * per event, a temporary file renamed into place), user/results/events.c
 * reads it for every reader (export, plot, the migration fit); results
 * with inline trace.events still read; a bad or missing sidecar is one
 * line and exit 2. */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "events.h"
#include "export.h"
#include "helpers.h"
#include "migration_fit.h"
#include "peelbench.h"
#include "result.h"
#include "trace_priv.h"

#define NEV 2000

static char dir[] = "/tmp/pb-events-XXXXXX";

static int setup(void **state)
{
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Event i: migrate 5 us + 30 ns per queued chunk, every 10th a failure
 * (left out of the fit), every 50th a TCG stall of 100x. */
static void fake_event(struct pb_event *e, unsigned int i)
{
	memset(e, 0, sizeof(*e));
	e->pid = 100;
	e->tid = 101;
	e->assoc_id = (int)i + 1;
	e->ret = i % 10 == 9 ? -22 : 3;
	e->phase_mask = 1u << PB_PH_SYSCALL | 1u << PB_PH_MIGRATE;
	e->feat_ok = 1;
	e->parent_rq_len = (i % 4) * 256;
	e->dur_ns[PB_PH_MIGRATE] = 5000 + 30 * e->parent_rq_len + (i % 7) * 10;
	if (i % 50 == 0)
		e->dur_ns[PB_PH_MIGRATE] *= 100;
	e->dur_ns[PB_PH_SYSCALL] = e->dur_ns[PB_PH_MIGRATE] + 20000;
	e->comp_ns[PB_PH_MIGRATE] = e->dur_ns[PB_PH_MIGRATE] - 1000;
}

/* A result FILE naming SIDECAR, written by the tracer's own writer. */
static void write_pair(const char *result, const char *sidecar, unsigned int n)
{
	struct tracer *t = calloc(1, sizeof(*t));
	struct json_object *r = json_object_new_object(), *tr = json_object_new_object();
	struct pb_event e;
	unsigned int i;
	uint64_t p50;

	assert_int_equal(tev_open(t, sidecar), 0);
	for (i = 0; i < n; i++) {
		fake_event(&e, i);
		tev_add(t, &e, true);
	}
	/* exact percentiles from 4 bytes per phase and event, failures out */
	assert_true(tev_percentile(t, PB_PH_MIGRATE, false, 0.5, &p50));
	assert_true(p50 >= 5000 && p50 < 5000 + 30 * 768 + 100);
	assert_int_equal(t->tev.x[0][PB_PH_MIGRATE].n, n - n / 10);
	assert_int_equal(tev_commit(t), 0);
	assert_int_equal(access(sidecar, F_OK), 0);
	json_object_object_add(r, "schema", json_object_new_string(PB_RESULT_SCHEMA));
	json_object_object_add(r, "metrics", json_object_new_object());
	json_object_object_add(tr, "events_file", json_object_new_string(tev_file_name(t)));
	json_object_object_add(tr, "events_written", json_object_new_int64((int64_t)t->tev.received));
	json_object_object_add(r, "trace", tr);
	assert_int_equal(json_object_to_file(result, r), 0);
	json_object_put(r);
	tev_close(t);
	free(t);
}

static int count_event(struct json_object *ev, void *ctx)
{
	struct json_object *o;

	(*(size_t *)ctx) += json_object_object_get_ex(ev, "migrate_comp_ns", &o) && o;
	return 0;
}

/* Plain and zstd-compressed (--events-zstd) alike. */
static void written_then_read(bool zstd)
{
	char res[300], side[300], csv[300], *t;
	struct pb_migration_fit f;
	struct pb_result *r;
	size_t n = 0, seen = 0, np;
	FILE *fp;
	char magic[4] = "";

	snprintf(res, sizeof(res), "%s/%s/run.json", dir, zstd ? "zst" : "sub");
	assert_int_equal(pb_events_sidecar_path(res, zstd, side, sizeof(side)), 0);
	assert_non_null(strstr(side, zstd ? "/zst/run.events.ndjson.zst" : "/sub/run.events.ndjson"));
	write_pair(res, side, NEV);
	fp = fopen(side, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(magic, 1, 4, fp), 4);
	fclose(fp);
	assert_int_equal(!memcmp(magic, "\x28\xb5\x2f\xfd", 4), zstd);
	assert_int_equal(pb_result_load(res, &r), 0);
	assert_true(pb_events_present(r->trace));
	assert_int_equal(pb_events_foreach(r->trace, r->path, count_event, &seen, &n), 0);
	assert_int_equal(n, NEV);
	assert_int_equal(seen, NEV);
	/* the fit reads the sidecar: 30 ns per chunk, stalls and failures
	 * do not move it */
	assert_int_equal(pb_migration_fit(r->trace, r->path, &f), 0);
	assert_true(f.ok);
	assert_string_equal(f.phase, "migrate");
	assert_int_equal(f.fit.n, NEV - NEV / 10);
	if (fabs(f.fit.slope - 30) > 0.5)
		fail_msg("slope %.3f", f.fit.slope);
	/* export streams it to TAG.events.csv, and writes the fit */
	snprintf(csv, sizeof(csv), "%s/csv%d", dir, zstd);
	assert_int_equal(pb_export_result(r, csv, &np), 0);
	snprintf(csv, sizeof(csv), "%s/csv%d/run.events.csv", dir, zstd);
	t = slurp(csv);
	assert_int_equal(count_lines(t), NEV + 1);
	free(t);
	snprintf(csv, sizeof(csv), "%s/csv%d/run.fit.csv", dir, zstd);
	t = slurp(csv);
	assert_non_null(strstr(t, "\ntheil-sen,migrate,30,"));
	free(t);
	pb_result_free(r);
}

static void test_written_then_read_by_every_reader(void **state)
{
	written_then_read(false);
	written_then_read(true);
}

/* One line, exit 2, for what zstd cannot give back. */
static void expect_fit_refused(const char *res, const char *why)
{
	struct pb_migration_fit f;
	struct pb_result *r;
	struct capture c;
	char err[512];

	assert_int_equal(pb_result_load(res, &r), 0);
	capture_begin(&c);
	assert_int_equal(pb_migration_fit(r->trace, r->path, &f), PB_EXIT_USAGE);
	capture_end_err(&c, err, sizeof(err));
	if (!strstr(err, why) || count_lines(err) != 1)
		fail_msg("want '%s', got '%s'", why, err);
	pb_result_free(r);
}

/* The zstd tool's own output reads the same; a truncated stream, a
 * flipped byte and a plain file under a .zst name are each one line. */
static void test_zstd_sidecar_whole_or_refused(void **state)
{
	char res[300], side[300], cmd[2400];
	struct pb_result *r;
	struct stat st;
	size_t n = 0, seen = 0;
	FILE *fp;
	int ch;

	snprintf(res, sizeof(res), "%s/z/run.json", dir);
	assert_int_equal(pb_events_sidecar_path(res, true, side, sizeof(side)), 0);
	write_pair(res, side, NEV);
	/* recompressed by zstd(1), two frames: still every event */
	snprintf(cmd, sizeof(cmd), "zstd -dq -c %s > %s.plain && head -c 1000 %s.plain | zstd -q -c > %s && "
		 "tail -c +1001 %s.plain | zstd -q -c >> %s", side, side, side, side, side, side);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(pb_result_load(res, &r), 0);
	assert_int_equal(pb_events_foreach(r->trace, r->path, count_event, &seen, &n), 0);
	assert_int_equal(n, NEV);
	pb_result_free(r);

	assert_int_equal(stat(side, &st), 0);
	assert_int_equal(truncate(side, st.st_size / 2), 0);
	expect_fit_refused(res, "run.events.ndjson.zst: truncated zstd stream");
	assert_int_equal(truncate(side, 0), 0);
	expect_fit_refused(res, "run.events.ndjson.zst: truncated zstd stream");

	write_pair(res, side, NEV);
	fp = fopen(side, "r+b");
	assert_int_equal(fseek(fp, 400, SEEK_SET), 0);
	ch = fgetc(fp);
	assert_int_equal(fseek(fp, 400, SEEK_SET), 0);
	fputc(ch ^ 0x55, fp);
	fclose(fp);
	expect_fit_refused(res, "run.events.ndjson.zst: corrupt zstd data: ");

	snprintf(cmd, sizeof(cmd), "cp %s.plain %s", side, side);
	assert_int_equal(system(cmd), 0);
	expect_fit_refused(res, "run.events.ndjson.zst: corrupt zstd data: Unknown frame descriptor");
}

/* FILE:LINE and exit 2 for a bad line; a missing sidecar likewise. */
static void test_bad_or_missing_sidecar(void **state)
{
	char res[300], side[300], line[64];
	struct pb_migration_fit f;
	struct pb_result *r;
	struct capture c;
	char err[512];
	FILE *fp;

	snprintf(res, sizeof(res), "%s/bad.json", dir);
	assert_int_equal(pb_events_sidecar_path(res, false, side, sizeof(side)), 0);
	write_pair(res, side, 10);
	fp = fopen(side, "a");
	fputs("{\"parent_rq_len\": 'x'}\n", fp);
	fclose(fp);
	assert_int_equal(pb_result_load(res, &r), 0);	/* compare needs no events */
	capture_begin(&c);
	assert_int_equal(pb_migration_fit(r->trace, r->path, &f), PB_EXIT_USAGE);
	capture_end_err(&c, err, sizeof(err));
	snprintf(line, sizeof(line), "bad.events.ndjson:11: ");
	assert_non_null(strstr(err, line));
	assert_int_equal(count_lines(err), 1);
	unlink(side);
	capture_begin(&c);
	assert_int_equal(pb_migration_fit(r->trace, r->path, &f), PB_EXIT_USAGE);
	capture_end_err(&c, err, sizeof(err));
	assert_non_null(strstr(err, "events file"));
	assert_int_equal(count_lines(err), 1);
	pb_result_free(r);
}

static void test_events_file_stays_beside_the_result(void **state)
{
	static const char *const bad[] = { "../x.ndjson", "/etc/passwd", "", ".." };
	char buf[256], err[256];
	struct pb_result *r;
	struct capture c;
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(buf, sizeof(buf), "{\"schema\": \"%s\", \"metrics\": {}, "
			 "\"trace\": {\"events_file\": \"%s\"}}", PB_RESULT_SCHEMA, bad[i]);
		capture_begin(&c);
		assert_int_equal(pb_result_parse(buf, strlen(buf), "r.json", &r), PB_EXIT_USAGE);
		capture_end_err(&c, err, sizeof(err));
		assert_non_null(strstr(err, "events_file"));
	}
}

/* The tracer's temporary file goes when the run fails before the commit. */
static void test_uncommitted_sidecar_is_removed(void **state)
{
	struct tracer *t = calloc(1, sizeof(*t));
	char side[300];
	struct pb_event e;
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(side, sizeof(side), "%s/gone/x.events.ndjson", dir);
	assert_int_equal(tev_open(t, side), 0);
	fake_event(&e, 1);
	tev_add(t, &e, false);
	tev_close(t);
	free(t);
	snprintf(side, sizeof(side), "%s/gone", dir);
	d = opendir(side);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 0);
}

/* Old results hold the events inline: still read (tests/fixtures). */
static void test_inline_events_still_read(void **state)
{
	struct pb_migration_fit f;
	struct pb_result *r;
	size_t n = 0, seen = 0;

	assert_int_equal(pb_result_load("tests/fixtures/base.json", &r), 0);
	assert_int_equal(pb_events_foreach(r->trace, r->path, count_event, &seen, &n), 0);
	assert_int_equal(n, 300);
	assert_int_equal(pb_migration_fit(r->trace, r->path, &f), 0);
	assert_true(f.ok && f.fit.n == 300);
	pb_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_then_read_by_every_reader),
		cmocka_unit_test(test_bad_or_missing_sidecar),
		cmocka_unit_test(test_events_file_stays_beside_the_result),
		cmocka_unit_test(test_zstd_sidecar_whole_or_refused),
		cmocka_unit_test(test_uncommitted_sidecar_is_removed),
		cmocka_unit_test(test_inline_events_still_read),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
