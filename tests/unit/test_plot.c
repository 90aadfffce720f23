// SPDX-License-Identifier: GPL-2.0
/* peelbench plot and export, run as the user runs them: every figure type
 * from the fixtures, as PNG of the documented size and as SVG; the CSV
 * tables; gnuplot missing; nothing written for unusable input. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"

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

static void test_every_figure_type(void **state)
{
	static const char *const figures[] = {
		"base-phase-hist", "base-phase-cdf", "base-migrate-vs-rq",
		"regressed-phase-hist", "regressed-phase-cdf", "regressed-migrate-vs-rq",
		"sweep-250-phase-hist", "sweep-4000-phase-cdf", "phases", "sweep",
		"history-phase.migrate.p50_ns",
	};
	char *d = scratch_dir(), *log;
	struct run_out r;
	size_t i;

	r = run_cmd("./peelbench history --db %s/h.db add " FX "base.json " FX "rerun.json "
		    FX "regressed.json", d);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("./peelbench plot -o %s/out " FX "base.json " FX "regressed.json "
		    FX "sweep-250.json " FX "sweep-1000.json " FX "sweep-4000.json "
		    "--history phase.migrate.p50_ns --db %s/h.db", d, d);
	if (r.status)
		fail_msg("plot: exit %d: %s", r.status, r.err);
	for (i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		expect_figure(strcat(strcpy(malloc(300), d), "/out"), figures[i]);
	/* the fitted slope is printed, and is what the fixtures were made with
	 * (22 ns per queued chunk, within the noise) */
	assert_non_null(strstr(r.out, "base: sctp_sock_migrate costs "));
	assert_non_null(strstr(r.out, "18 figures in"));
	run_free(&r);
	r = run_cmd("ls %s/out | grep -c tmp", d);
	assert_string_equal(r.out, "0\n");	/* no temporary file left */
	run_free(&r);
	log = slurp(strcat(strcpy(malloc(300), d), "/out/data/sweep.csv"));
	assert_true(!strncmp(log, "assocs,tag,peel_per_s,", 22));
	assert_int_equal(count_lines(log), 6);	/* 5 results have config.assocs */
	free(log);
	rm_rf(d);
}

static void test_fitted_slope(void **state)
{
	struct run_out r = run_cmd("(d=$(mktemp -d) && ./peelbench plot -o $d/o "
				   FX "base.json; rm -rf $d)");
	double slope = 0;
	const char *p;

	assert_int_equal(r.status, 0);
	p = strstr(r.out, "costs ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "costs %lf", &slope), 1);
	/* gen.py: 22 ns per chunk on the migrate part; the noise of 300
	 * events keeps the estimate within a few ns */
	assert_true(slope > 14 && slope < 30);
	run_free(&r);
}

static void test_export_tables(void **state)
{
	char *d = scratch_dir(), path[300], *t;
	struct run_out r;

	r = run_cmd("./peelbench export --csv -o %s " FX "base.json", d);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "wrote 9 tables"));
	run_free(&r);
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
	r = run_cmd("./peelbench export -o %s " FX "base.json", d);
	assert_int_equal(r.status, 2);
	run_free(&r);
	rm_rf(d);
}

static void test_gnuplot_missing_and_bad_input(void **state)
{
	char *d = scratch_dir();
	struct run_out r;

	r = run_cmd("env -u PEELBENCH_GNUPLOT PATH=/nonexistent ./peelbench plot -o %s/o "
		    FX "base.json", d);
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "gnuplot not found"));
	run_free(&r);
	r = run_cmd("./peelbench plot -o %s/o " FX "base.json " FX "truncated.json", d);
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	run_free(&r);
	r = run_cmd("ls %s/o 2>/dev/null | wc -l", d);
	assert_string_equal(r.out, "0\n");	/* nothing drawn */
	run_free(&r);
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
