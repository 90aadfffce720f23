// SPDX-License-Identifier: GPL-2.0
/* user/stats.c against an independent oracle (scipy, run at test time
 * through tests/oracle/NAME.py) and against known distributions. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "stats.h"

#define MAXN 64

struct two_samples {
	double x[MAXN], y[MAXN];
	size_t nx, ny;
};

static void fill_normal(struct pb_rng *r, double *v, size_t n, double mu,
			double sd, int round_to_int)
{
	size_t i;

	for (i = 0; i < n; i++) {
		v[i] = mu + sd * pb_rng_normal(r);
		if (round_to_int)
			v[i] = round(v[i]);
	}
}

/* Cases that exercise every branch: tiny samples (n = 1, 2, 3) with the
 * exact distribution, the exact/asymptotic border at 8, ties (which force
 * the normal approximation with tie correction), all values tied, and
 * samples that do not overlap at all. */
static size_t mwu_cases(struct two_samples *c)
{
	struct pb_rng r;
	size_t k = 0;
	static const size_t sizes[][2] = {
		{ 1, 1 }, { 1, 2 }, { 2, 2 }, { 2, 3 }, { 3, 3 }, { 1, 9 },
		{ 3, 20 }, { 5, 7 }, { 8, 8 }, { 8, 40 }, { 9, 9 }, { 30, 25 },
	};
	size_t i;

	pb_rng_seed(&r, 42);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++, k++) {
		c[k].nx = sizes[i][0];
		c[k].ny = sizes[i][1];
		fill_normal(&r, c[k].x, c[k].nx, 100, 10, 0);
		fill_normal(&r, c[k].y, c[k].ny, 108, 10, 0);
	}
	/* ties: small integers */
	for (i = 0; i < 4; i++, k++) {
		c[k].nx = 3 + 4 * i;
		c[k].ny = 4 + 5 * i;
		fill_normal(&r, c[k].x, c[k].nx, 10, 2, 1);
		fill_normal(&r, c[k].y, c[k].ny, 11, 2, 1);
	}
	/* all tied */
	c[k].nx = 3;
	c[k].ny = 4;
	for (i = 0; i < 3; i++)
		c[k].x[i] = 5;
	for (i = 0; i < 4; i++)
		c[k].y[i] = 5;
	k++;
	/* separated, exact: the smallest possible p */
	c[k].nx = 4;
	c[k].ny = 5;
	for (i = 0; i < 4; i++)
		c[k].x[i] = i;
	for (i = 0; i < 5; i++)
		c[k].y[i] = 100 + i;
	k++;
	/* separated, large */
	c[k].nx = 20;
	c[k].ny = 20;
	for (i = 0; i < 20; i++) {
		c[k].x[i] = i;
		c[k].y[i] = 50 + i;
	}
	k++;
	return k;
}

static void close_to(double got, double want, double rel, const char *what,
		     size_t i)
{
	double tol = rel * fmax(fabs(want), 1e-300) + 1e-15;

	if (fabs(got - want) > tol)
		fail_msg("case %zu: %s = %.17g, scipy says %.17g", i, what, got,
			 want);
}

static void test_mann_whitney_matches_scipy(void **state)
{
	static struct two_samples c[32];
	char path[] = "/tmp/pb-mwu-XXXXXX", line[256];
	size_t n = mwu_cases(c), i;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w"), *o;

	assert_non_null(f);
	for (i = 0; i < n; i++)
		oracle_case(f, c[i].x, c[i].nx, c[i].y, c[i].ny);
	fclose(f);
	o = oracle_run("mwu.py", path);
	assert_non_null(o);
	for (i = 0; i < n; i++) {
		struct pb_mwu m;
		double u, p;
		char method[32];

		assert_non_null(fgets(line, sizeof(line), o));
		assert_int_equal(sscanf(line, "%lf %lf %31s", &u, &p, method), 3);
		assert_int_equal(pb_mann_whitney(c[i].x, c[i].nx, c[i].y,
						 c[i].ny, &m), 0);
		close_to(m.u, u, 1e-12, "U", i);
		close_to(m.p, p, 1e-9, "p", i);
		if (strcmp(method, "?"))
			assert_int_equal(m.exact, !strcmp(method, "exact"));
	}
	assert_int_equal(pclose(o), 0);
	unlink(path);
}

/* Above PB_BOOT_DIRECT_MIN compare sorts once (radix) and ranks by
 * merging: the same U and p as the sorting test, ties included; and the
 * direct bootstrap of a median lands where full resampling does. */
static void test_large_sample_paths_agree(void **state)
{
	size_t n = 30000, i;
	double *x = malloc(n * sizeof(*x)), *y = malloc(n * sizeof(*y));
	struct pb_mwu a, b;
	struct pb_ci full, direct;
	struct pb_rng r;

	(void)state;
	assert_non_null(x);
	assert_non_null(y);
	pb_rng_seed(&r, 3);
	for (i = 0; i < n; i++) {
		x[i] = round(100 * pb_rng_normal(&r));	/* ties, negatives */
		y[i] = round(100 * pb_rng_normal(&r) + 3);
	}
	assert_int_equal(pb_mann_whitney(x, n, y, n, &a), 0);
	pb_sort_doubles(x, n);
	pb_sort_doubles(y, n);
	for (i = 1; i < n; i++)
		assert_true(x[i - 1] <= x[i] && y[i - 1] <= y[i]);
	assert_int_equal(pb_mann_whitney_sorted(x, n, y, n, &b), 0);
	assert_true(fabs(a.u - b.u) < 1e-6 * a.u);
	assert_true(fabs(a.p - b.p) < 1e-9 + 1e-6 * a.p);
	for (i = 0; i < n; i++)
		x[i] = 1000 + x[i], y[i] = 1000 + y[i];
	assert_int_equal(pb_bootstrap_change_full(x, n, y, n, PB_STAT_MEDIAN, 400,
						  0.95, 1, &full), 0);
	assert_int_equal(pb_bootstrap_change_direct(x, n, y, n, PB_STAT_MEDIAN, 400,
						    0.95, 1, &direct), 0);
	assert_true(fabs(full.lo - direct.lo) < 0.1 && fabs(full.hi - direct.hi) < 0.1);
	free(x);
	free(y);
}

static void test_mann_whitney_rejects_empty(void **state)
{
	double x[1] = { 1 };
	struct pb_mwu m;

	assert_int_equal(pb_mann_whitney(x, 0, x, 1, &m), -1);
	assert_int_equal(pb_mann_whitney(x, 1, x, 0, &m), -1);
}

static void test_welch_matches_scipy(void **state)
{
	static struct two_samples c[8];
	char path[] = "/tmp/pb-welch-XXXXXX", line[256];
	struct pb_rng r;
	size_t n = 0, i;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w"), *o;

	pb_rng_seed(&r, 7);
	for (i = 0; i < 6; i++, n++) {
		c[n].nx = 2 + 5 * i;
		c[n].ny = 3 + 7 * i;
		fill_normal(&r, c[n].x, c[n].nx, 100, 5 + i, 0);
		fill_normal(&r, c[n].y, c[n].ny, 103, 2 + 3 * i, 0);
	}
	for (i = 0; i < n; i++)
		oracle_case(f, c[i].x, c[i].nx, c[i].y, c[i].ny);
	fclose(f);
	o = oracle_run("welch.py", path);
	assert_non_null(o);
	for (i = 0; i < n; i++) {
		struct pb_ttest t;
		double tt, df, p;

		assert_non_null(fgets(line, sizeof(line), o));
		assert_int_equal(sscanf(line, "%lf %lf %lf", &tt, &df, &p), 3);
		pb_welch(c[i].x, c[i].nx, c[i].y, c[i].ny, &t);
		close_to(t.t, tt, 1e-10, "t", i);
		close_to(t.df, df, 1e-10, "df", i);
		close_to(t.p, p, 1e-8, "p", i);
	}
	assert_int_equal(pclose(o), 0);
	unlink(path);
}

static void test_linear_fit_matches_scipy(void **state)
{
	char path[] = "/tmp/pb-lin-XXXXXX", line[256];
	double x[50], y[50], s, b, r2;
	struct pb_linfit fit;
	struct pb_rng r;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w"), *o;
	size_t i;

	pb_rng_seed(&r, 3);
	for (i = 0; i < 50; i++) {
		x[i] = (double)pb_rng_below(&r, 200);
		y[i] = 1500 + 12.5 * x[i] + 40 * pb_rng_normal(&r);
	}
	oracle_case(f, x, 50, y, 50);
	fclose(f);
	o = oracle_run("linfit.py", path);
	assert_non_null(o);
	assert_non_null(fgets(line, sizeof(line), o));
	assert_int_equal(sscanf(line, "%lf %lf %lf", &s, &b, &r2), 3);
	assert_int_equal(pb_linear_fit(x, y, 50, &fit), 0);
	close_to(fit.slope, s, 1e-10, "slope", 0);
	close_to(fit.intercept, b, 1e-10, "intercept", 0);
	close_to(fit.r2, r2, 1e-10, "r2", 0);
	assert_int_equal(pclose(o), 0);
	unlink(path);
	/* all x equal: no line */
	for (i = 0; i < 5; i++)
		x[i] = 3;
	assert_int_equal(pb_linear_fit(x, y, 5, &fit), -1);
}

static void test_quantile_is_numpy_linear(void **state)
{
	double v[] = { 7, 1, 3, 5 };

	assert_true(fabs(pb_median(v, 4) - 4.0) < 1e-12);
	assert_true(fabs(pb_quantile(v, 4, 0.99) - 6.94) < 1e-12);
	assert_true(fabs(pb_quantile(v, 4, 0.0) - 1.0) < 1e-12);
	assert_true(fabs(pb_quantile(v, 4, 1.0) - 7.0) < 1e-12);
	assert_true(isnan(pb_quantile(v, 0, 0.5)));
}

/* Over 200 independent data sets the 95% bootstrap CI of the change must
 * cover the true +10% about 95% of the time. */
static void coverage(enum pb_stat stat, double *rate)
{
	double base[30], new[30];
	unsigned covered = 0, seed;
	struct pb_rng r;

	for (seed = 1; seed <= 200; seed++) {
		struct pb_ci ci;

		pb_rng_seed(&r, 1000 + seed);
		fill_normal(&r, base, 30, 100, 10, 0);
		fill_normal(&r, new, 30, 110, 10, 0);
		assert_int_equal(pb_bootstrap_change(base, 30, new, 30, stat,
						     1000, 0.95, seed, &ci), 0);
		assert_true(ci.lo < ci.hi);
		if (ci.lo <= 10.0 && 10.0 <= ci.hi)
			covered++;
	}
	*rate = covered / 200.0;
}

static void test_bootstrap_ci_covers_true_change(void **state)
{
	double mean_rate, median_rate;

	coverage(PB_STAT_MEAN, &mean_rate);
	coverage(PB_STAT_MEDIAN, &median_rate);
	print_message("# coverage of 95%% CI: mean %.3f, median %.3f\n",
		      mean_rate, median_rate);
	assert_true(mean_rate >= 0.90 && mean_rate <= 0.99);
	assert_true(median_rate >= 0.90 && median_rate <= 0.99);
}

static void test_bootstrap_is_reproducible(void **state)
{
	double b[] = { 10, 11, 12, 13, 14 }, n[] = { 12, 13, 14, 15, 16 };
	struct pb_ci c1, c2, c3;

	assert_int_equal(pb_bootstrap_change(b, 5, n, 5, PB_STAT_MEDIAN, 500,
					     0.95, 99, &c1), 0);
	assert_int_equal(pb_bootstrap_change(b, 5, n, 5, PB_STAT_MEDIAN, 500,
					     0.95, 99, &c2), 0);
	assert_true(c1.lo == c2.lo && c1.hi == c2.hi);
	assert_int_equal(pb_bootstrap_stat(b, 5, PB_STAT_MEAN, 500, 0.95, 1,
					   &c3), 0);
	assert_true(c3.lo >= 10 && c3.hi <= 14 && c3.lo < 12 && c3.hi > 12);
	assert_int_equal(pb_bootstrap_change(b, 0, n, 5, PB_STAT_MEAN, 500,
					     0.95, 1, &c1), -1);
}

/* 60 runs of a metric around 1000 with 2% noise; a +5% step at index 30. */
static void step_series(double *v, size_t n, size_t at, double step,
			uint64_t seed)
{
	struct pb_rng r;
	size_t i;

	pb_rng_seed(&r, seed);
	for (i = 0; i < n; i++)
		v[i] = (i >= at ? 1000 * (1 + step) : 1000) *
		       (1 + 0.02 * pb_rng_normal(&r));
}

/* E-divisive is sensitive: with 2% noise it may also split off a short
 * run of a couple of percent (as Otava's original algorithm does), which
 * is why `history check` filters by magnitude.  The step itself must be
 * found within two runs of where it is, and the only change point of 3%
 * or more. */
static void test_edivisive_finds_step(void **state)
{
	double v[60];
	struct pb_cp cps[8];
	uint64_t seed;
	int n, i, exact = 0, big, extra = 0;

	for (seed = 1; seed <= 10; seed++) {
		step_series(v, 60, 30, 0.05, seed);
		n = pb_edivisive(v, 60, 0.01, 199, seed, cps, 8);
		assert_true(n >= 1);
		for (i = 0, big = -1; i < n; i++) {
			if (fabs(cps[i].change_pct) < 3) {
				extra++;
				continue;
			}
			assert_int_equal(big, -1);	/* only one */
			big = i;
		}
		assert_true(big >= 0);
		assert_true(cps[big].index >= 28 && cps[big].index <= 32);
		exact += cps[big].index == 30;
		assert_true(cps[big].change_pct > 3 && cps[big].change_pct < 8);
		assert_true(cps[big].welch.p < 0.001);
		assert_true(cps[big].perm_p <= 0.01);
	}
	print_message("# 5%% step found at exactly index 30 in %d of 10 series, "
		      "%d smaller change points besides\n", exact, extra);
	assert_true(exact >= 6);
}

static void test_edivisive_two_steps(void **state)
{
	double v[90];
	struct pb_cp cps[8];
	struct pb_rng r;
	size_t i;
	int n;

	pb_rng_seed(&r, 5);
	for (i = 0; i < 90; i++)
		v[i] = (i >= 30 && i < 60 ? 1060 : 1000) *
		       (1 + 0.02 * pb_rng_normal(&r));
	n = pb_edivisive(v, 90, 0.01, 199, 1, cps, 8);
	assert_int_equal(n, 2);
	assert_true(cps[0].index >= 28 && cps[0].index <= 32);
	assert_true(cps[1].index >= 58 && cps[1].index <= 62);
	assert_true(cps[0].change_pct > 0 && cps[1].change_pct < 0);
}

static void test_edivisive_flat_series_has_none(void **state)
{
	double v[60];
	struct pb_cp cps[8];
	uint64_t seed;

	for (seed = 100; seed < 105; seed++) {
		step_series(v, 60, 60, 0, seed);
		assert_int_equal(pb_edivisive(v, 60, 0.01, 199, seed, cps, 8), 0);
	}
	/* too short to split */
	assert_int_equal(pb_edivisive(v, 2, 0.01, 199, 1, cps, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mann_whitney_matches_scipy),
		cmocka_unit_test(test_mann_whitney_rejects_empty),
		cmocka_unit_test(test_welch_matches_scipy),
		cmocka_unit_test(test_linear_fit_matches_scipy),
		cmocka_unit_test(test_quantile_is_numpy_linear),
		cmocka_unit_test(test_bootstrap_ci_covers_true_change),
		cmocka_unit_test(test_bootstrap_is_reproducible),
		cmocka_unit_test(test_edivisive_finds_step),
		cmocka_unit_test(test_edivisive_two_steps),
		cmocka_unit_test(test_edivisive_flat_series_has_none),
		cmocka_unit_test(test_large_sample_paths_agree),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
