// SPDX-License-Identifier: GPL-2.0
/* user/analysis/plot.c and export.c on the fixtures: every figure type, as
 * PNG of the documented size and as SVG; the CSV tables; gnuplot missing;
 * nothing written for unusable input.  The command's options and output
 * are in tests/cli (plot-* and export-* golden cases). */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "export.h"
#include "helpers.h"
#include "history.h"
#include "peelbench.h"
#include "plot.h"
#include "result.h"

#define FX "tests/fixtures/"

/* Width and height from the IHDR chunk, after checking the signature. */
static void png_size(const char *path, uint32_t *w, uint32_t *h)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char buf[24];
	FILE *f = fopen(path, "rb");

	if (!f)
		fail_msg("%s: not written", path);
	if (fread(buf, 1, 24, f) != 24)
		fail_msg("%s: shorter than a PNG header", path);
	fclose(f);
	if (memcmp(buf, sig, 8) || memcmp(buf + 12, "IHDR", 4))
		fail_msg("%s: not a PNG", path);
	memcpy(w, buf + 16, 4);
	memcpy(h, buf + 20, 4);
	*w = ntohl(*w);
	*h = ntohl(*h);
}

static void expect_figure(const char *dir, const char *name)
{
	char path[512], *svg;
	uint32_t w, h;

	snprintf(path, sizeof(path), "%s/%s.png", dir, name);
	png_size(path, &w, &h);
	if (w != 1024 || h != 640)
		fail_msg("%s: %ux%u, expected 1024x640", path, w, h);
	snprintf(path, sizeof(path), "%s/%s.svg", dir, name);
	svg = slurp(path);
	if (!strstr(svg, "<svg") || !strstr(svg, "</svg>"))
		fail_msg("%s: not a whole SVG", path);
	free(svg);
}

/* pb_plot with its stdout and stderr in *r; r->status is its return. */
static void plot(const struct pb_plot_cfg *cfg, const char *const *files, size_t n,
		 struct run_out *r)
{
	struct capture cap;
	int ret;

	capture_begin(&cap);
	ret = pb_plot(cfg, files, n);
	capture_end(&cap, r);
	r->status = ret;
}

static void history_add(const char *db, const char *const *files, size_t n)
{
	struct pb_result *rs[8] = { NULL };
	struct pb_history *h;
	size_t i, added, skipped;

	for (i = 0; i < n; i++)
		assert_int_equal(pb_result_load(files[i], &rs[i]), 0);
	assert_int_equal(pb_history_open(db, true, &h), 0);
	assert_int_equal(pb_history_add(h, rs, n, &added, &skipped), 0);
	assert_int_equal(added, n);
	pb_history_close(h);
	for (i = 0; i < n; i++)
		pb_result_free(rs[i]);
}

/* Entries of dir (without . and ..) whose name contains part; -1: no dir. */
static int entries(const char *dir, const char *part)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strstr(e->d_name, part))
			n++;
	closedir(d);
	return n;
}

static void test_every_figure_type(void **state)
{
	static const char *const figures[] = {
		"base-phase-hist", "base-phase-cdf", "base-migrate-vs-rq",
		"regressed-phase-hist", "regressed-phase-cdf", "regressed-migrate-vs-rq",
		"sweep-250-phase-hist", "sweep-4000-phase-cdf", "phases", "sweep",
		"history-phase.migrate.p50_ns",
	};
	static const char *const stored[] = { FX "base.json", FX "rerun.json", FX "regressed.json" };
	static const char *const files[] = { FX "base.json", FX "regressed.json",
		FX "sweep-250.json", FX "sweep-1000.json", FX "sweep-4000.json" };
	char *d = scratch_dir(), db[300], out[300], path[400], *csv;
	struct pb_plot_cfg cfg = { .outdir = out, .db = db, .alpha = 0.01,
				   .history = "phase.migrate.p50_ns" };
	struct run_out r;
	size_t i;

	snprintf(db, sizeof(db), "%s/h.db", d);
	snprintf(out, sizeof(out), "%s/out", d);
	history_add(db, stored, 3);
	plot(&cfg, files, 5, &r);
	if (r.status)
		fail_msg("plot: exit %d: %s", r.status, r.err);
	for (i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		expect_figure(out, figures[i]);
	assert_non_null(strstr(r.out, "base: sctp_sock_migrate costs "));
	assert_non_null(strstr(r.out, "18 figures in"));
	assert_string_equal(r.err, "");
	run_free(&r);
	assert_int_equal(entries(out, "tmp"), 0);	/* no temporary file left */
	assert_int_equal(entries(out, ".png"), 18);
	snprintf(path, sizeof(path), "%s/data/sweep.csv", out);
	csv = slurp(path);
	assert_true(!strncmp(csv, "assocs,tag,peel_per_s,", 22));
	assert_int_equal(count_lines(csv), 6);	/* 5 results have config.assocs */
	free(csv);
	rm_rf(d);
}

static void test_fitted_slope(void **state)
{
	static const char *const files[] = { FX "base.json" };
	char *d = scratch_dir(), out[300];
	struct pb_plot_cfg cfg = { .outdir = out, .db = "/nonexistent", .alpha = 0.01 };
	double slope = 0, lo = 0, hi = 0;
	struct run_out r;
	const char *p;

	snprintf(out, sizeof(out), "%s/o", d);
	plot(&cfg, files, 1, &r);
	assert_int_equal(r.status, 0);
	p = strstr(r.out, "costs ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "costs %lf ns [%lf, %lf]", &slope, &lo, &hi), 3);
	/* gen.py: 22 ns per chunk on the migrate part; the noise of 300
	 * events keeps the estimate within a few ns, its CI around it */
	assert_true(slope > 14 && slope < 30);
	assert_true(lo < slope && slope < hi && lo > 10 && hi < 35);
	assert_non_null(strstr(r.out, "(Theil-Sen, intercept "));
	run_free(&r);
	rm_rf(d);
}

static void test_export_tables(void **state)
{
	char *d = scratch_dir(), path[300], *t;
	struct pb_result *r;
	size_t np;

	assert_int_equal(pb_result_load(FX "base.json", &r), 0);
	assert_int_equal(pb_export_result(r, d, &np), 0);
	assert_int_equal(np, 8);	/* with sweep and phases: 10 tables */
	snprintf(path, sizeof(path), "%s/base.metrics.csv", d);
	t = slurp(path);
	assert_true(!strncmp(t, "metric,value,ci_lo,ci_hi,n,source\n", 34));
	assert_int_equal(count_lines(t), 21);
	assert_non_null(strstr(t, "\nphase.migrate.p50_ns,"));
	free(t);
	snprintf(path, sizeof(path), "%s/base.phase-migrate.csv", d);
	t = slurp(path);
	assert_true(!strncmp(t, "lower_ns,upper_ns,count,fraction,cdf\n", 37));
	assert_non_null(strstr(t, ",1\n"));	/* the CDF ends at 1 */
	free(t);
	snprintf(path, sizeof(path), "%s/base.events.csv", d);
	t = slurp(path);
	assert_int_equal(count_lines(t), 301);
	free(t);
	/* the migration fit: Theil-Sen over the 300 events' migrate_ns */
	snprintf(path, sizeof(path), "%s/base.fit.csv", d);
	t = slurp(path);
	assert_true(!strncmp(t, "method,phase,ns_per_msg,ci_lo,ci_hi,", 36));
	assert_non_null(strstr(t, "\ntheil-sen,migrate,"));
	assert_non_null(strstr(t, ",300,"));
	free(t);
	pb_result_free(r);
	rm_rf(d);
}

static void test_gnuplot_missing_and_bad_input(void **state)
{
	static const char *const one[] = { FX "base.json" };
	static const char *const bad[] = { FX "base.json", FX "truncated.json" };
	char *d = scratch_dir(), out[300], *path = strdup(getenv("PATH"));
	char *gp = getenv("PEELBENCH_GNUPLOT") ? strdup(getenv("PEELBENCH_GNUPLOT")) : NULL;
	struct pb_plot_cfg cfg = { .outdir = out, .db = "/nonexistent", .alpha = 0.01 };
	struct run_out r;

	snprintf(out, sizeof(out), "%s/o", d);
	unsetenv("PEELBENCH_GNUPLOT");
	setenv("PATH", "/nonexistent", 1);
	plot(&cfg, one, 1, &r);
	setenv("PATH", path, 1);
	if (gp)
		setenv("PEELBENCH_GNUPLOT", gp, 1);
	assert_int_equal(r.status, PB_EXIT_USAGE);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "gnuplot not found"));
	run_free(&r);
	plot(&cfg, bad, 2, &r);
	assert_int_equal(r.status, PB_EXIT_USAGE);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "truncated.json"));
	run_free(&r);
	assert_int_equal(entries(out, ""), -1);	/* nothing drawn, no folder */
	free(path);
	free(gp);
	rm_rf(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_figure_type),
		cmocka_unit_test(test_fitted_slope),
		cmocka_unit_test(test_export_tables),
		cmocka_unit_test(test_gnuplot_missing_and_bad_input),
	};

	return cmocka_run_group_tests_name("plot", tests, NULL, NULL);
}
