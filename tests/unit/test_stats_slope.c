// SPDX-License-Identifier: GPL-2.0
/* user/common/stats_slope.c (Theil-Sen) against scipy.stats.theilslopes,
 * on migration-like data with planted outliers that move least squares. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "helpers.h"
#include "stats.h"

#define NCASES 4

struct tcase {
	double *x, *y;
	size_t n;
};

/* Events like a backlog sweep's: a few queue lengths (levels), a time of
 * 20 us + 44 ns per queued message, lognormal-ish noise, and every
 * `every`-th point a TCG stall 30 to 300 times the typical time, planted
 * on the longest queues so that least squares tilts up. */
static void fill(struct tcase *c, size_t n, size_t levels, size_t every, uint64_t seed)
{
	static const double lv[] = { 0, 256, 1024, 64, 512, 2048, 128 };
	struct pb_rng r;
	size_t i;

	pb_rng_seed(&r, seed);
	c->n = n;
	c->x = malloc(n * sizeof(double));
	c->y = malloc(n * sizeof(double));
	for (i = 0; i < n; i++) {
		c->x[i] = levels ? lv[i % levels] : (double)pb_rng_below(&r, 2000);
		c->y[i] = (20000 + 44 * c->x[i]) * exp(0.15 * pb_rng_normal(&r));
		if (every && i % every == 0) {
			c->x[i] = levels ? 2048 : 1900 + (double)pb_rng_below(&r, 100);
			c->y[i] = 20000 * (30 + 270 * pb_rng_uniform(&r));
		}
	}
}

/* rel: the slope's tolerance; the intercept's is rel of slope * median x
 * beside, as a slope error moves the intercept by that much. */
static void check_vs_scipy(const struct tcase *c, size_t nc, double rel, bool want_sampled)
{
	char path[] = "/tmp/pb-ts-XXXXXX", line[256];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w"), *o;
	size_t i;

	for (i = 0; i < nc; i++)
		oracle_case(f, c[i].x, c[i].n, c[i].y, c[i].n);
	fclose(f);
	o = oracle_run("theilslopes.py", path);
	assert_non_null(o);
	for (i = 0; i < nc; i++) {
		struct pb_slope ts;
		struct pb_linfit ls;
		double s, b;

		assert_non_null(fgets(line, sizeof(line), o));
		assert_int_equal(sscanf(line, "%lf %lf", &s, &b), 2);
		assert_int_equal(pb_theil_sen(c[i].x, c[i].y, c[i].n, 1, &ts), 0);
		assert_int_equal(ts.sampled, want_sampled);
		if (fabs(ts.slope - s) > rel * fabs(s) || fabs(ts.intercept - b) > rel * (fabs(b) + fabs(s * ts.x_med)) + 1e-6)
			fail_msg("case %zu: slope %.9g intercept %.9g, scipy %.9g %.9g",
				 i, ts.slope, ts.intercept, s, b);
		/* The planted stalls move least squares far off 44 ns; the
		 * estimate stays near it, least squares outside its CI. */
		assert_int_equal(pb_linear_fit(c[i].x, c[i].y, c[i].n, &ls), 0);
		if (!(ls.slope > 2 * 44) || !(fabs(ts.slope - 44) < 10))
			fail_msg("case %zu: least squares %.1f, Theil-Sen %.1f ns", i, ls.slope, ts.slope);
		if (!(ts.ci.lo <= ts.slope && ts.slope <= ts.ci.hi && ts.ci.lo > 20 &&
		      ts.ci.hi < ls.slope))
			fail_msg("case %zu: CI [%.2f, %.2f] around %.2f", i, ts.ci.lo, ts.ci.hi, ts.slope);
		free(c[i].x);
		free(c[i].y);
	}
	assert_int_equal(pclose(o), 0);
	unlink(path);
}

/* Every pair (n <= 1448): equal to scipy to rounding. */
static void test_exact_matches_scipy(void **state)
{
	struct tcase c[NCASES];

	fill(&c[0], 61, 0, 7, 11);	/* x spread, odd pair count */
	fill(&c[1], 300, 3, 9, 12);	/* three backlog levels: ties in x */
	fill(&c[2], 1000, 7, 13, 13);
	fill(&c[3], 1448, 2, 19, 14);	/* the largest exact n */
	check_vs_scipy(c, NCASES, 1e-9, false);
}

/* Above PB_TS_PAIRS_MAX pairs the median of sampled pairs: within 0.5 %
 * of scipy's exact median. */
static void test_sampled_close_to_scipy(void **state)
{
	struct tcase c[2];

	fill(&c[0], 3000, 3, 11, 21);
	fill(&c[1], 2500, 0, 10, 22);
	check_vs_scipy(c, 2, 5e-3, true);
}

static void test_degenerate(void **state)
{
	double x[] = { 5, 5, 5, 5 }, y[] = { 1, 2, 3, 4 };
	struct pb_slope ts;

	assert_int_equal(pb_theil_sen(x, y, 4, 1, &ts), -1);	/* all x equal */
	assert_int_equal(pb_theil_sen(x, y, 1, 1, &ts), -1);
	x[3] = 6;
	assert_int_equal(pb_theil_sen(x, y, 4, 1, &ts), 0);
	assert_int_equal(ts.pairs, 3);
	assert_float_equal(ts.slope, 2.0, 1e-12);	/* slopes 3, 2, 1 */
}

static void test_reproducible(void **state)
{
	struct tcase c;
	struct pb_slope a, b;

	fill(&c, 2000, 3, 10, 5);
	assert_int_equal(pb_theil_sen(c.x, c.y, c.n, 7, &a), 0);
	assert_int_equal(pb_theil_sen(c.x, c.y, c.n, 7, &b), 0);
	assert_true(a.slope == b.slope && a.ci.lo == b.ci.lo && a.ci.hi == b.ci.hi);
	free(c.x);
	free(c.y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_matches_scipy),
		cmocka_unit_test(test_sampled_close_to_scipy),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_reproducible),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
