/* SPDX-License-Identifier: GPL-2.0 */
/* Statistics for regression tracking: descriptive statistics, the
 * Mann-Whitney U test, percentile-bootstrap confidence intervals of a
 * relative change, Welch's t-test, least squares and E-divisive change
 * points.  Pure functions over double arrays; no I/O, no JSON.  Every
 * random choice comes from a caller-seeded PRNG so that output is
 * reproducible run to run. */
#ifndef PEELBENCH_STATS_H
#define PEELBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* xoshiro256** seeded through splitmix64. */
struct pb_rng {
	uint64_t s[4];
};
void pb_rng_seed(struct pb_rng *r, uint64_t seed);
uint64_t pb_rng_next(struct pb_rng *r);
/* Uniform in [0, n), without modulo bias. */
size_t pb_rng_below(struct pb_rng *r, size_t n);
/* Uniform in [0, 1). */
double pb_rng_uniform(struct pb_rng *r);
/* Standard normal (Box-Muller). */
double pb_rng_normal(struct pb_rng *r);
void pb_rng_shuffle(struct pb_rng *r, double *v, size_t n);

/* qsort comparator of doubles, ascending. */
int pb_cmp_double(const void *a, const void *b);

double pb_mean(const double *v, size_t n);
/* Sample standard deviation (n - 1); 0 for n < 2. */
double pb_stddev(const double *v, size_t n);
/* Quantile q in [0, 1] with linear interpolation between order statistics
 * (numpy's default, "type 7"); sorts a copy.  NAN for n == 0. */
double pb_quantile(const double *v, size_t n, double q);
/* The same on an array the caller has already sorted. */
double pb_quantile_sorted(const double *sorted, size_t n, double q);
double pb_median(const double *v, size_t n);
/* Nearest rank (1-based) of quantile q in [0, 1] over n values: the
 * smallest rank with at least q of the values at or below it, so p99 of
 * 100 values is the 99th and q >= 1 the last.  n >= 1. */
size_t pb_nearest_rank(size_t n, double q);
/* The value of that rank in n values sorted ascending; 0 for n == 0. */
uint64_t pb_nearest_rank_sorted(const uint64_t *sorted, size_t n, double q);

/* Two-sided Mann-Whitney U test of x against y, as
 * scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='auto',
 * use_continuity=True) computes it: u is U of x (U1); the exact null
 * distribution when both samples are free of ties and one has at most 8
 * values, otherwise the normal approximation with tie correction and
 * continuity correction.  Returns 0, or -1 when a sample is empty. */
struct pb_mwu {
	double u;		/* U statistic of x */
	double p;		/* two-sided p-value */
	int exact;		/* 1: exact distribution, 0: normal approximation */
};
int pb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		    struct pb_mwu *out);
/* The same on x and y each sorted ascending, in O(nx + ny). */
int pb_mann_whitney_sorted(const double *x, size_t nx, const double *y, size_t ny,
			   struct pb_mwu *out);
/* Ascending, in place (radix sort: linear time); qsort's comparison. */
void pb_sort_doubles(double *v, size_t n);
int pb_cmp_double(const void *a, const void *b);

/* The statistic a bootstrap resamples. */
enum pb_stat {
	PB_STAT_MEDIAN,
	PB_STAT_MEAN,
	PB_STAT_P90,
	PB_STAT_P99,
	PB_STAT_P999,
	PB_STAT_MAX,
};
double pb_stat_of(enum pb_stat s, const double *v, size_t n);
/* The quantile a statistic other than the mean is (max: 1). */
double pb_stat_quantile(enum pb_stat s);

/* Percentile-bootstrap CI of the % change of a statistic from base to new:
 * 100 * (stat(new*) / stat(base*) - 1) over `resamples` pairs of
 * resamples (each sample resampled with replacement at its own size).
 * level: e.g. 0.95.  Returns 0, or -1 when a sample is empty or no
 * resample had a nonzero base statistic.  When a side has more than
 * PB_BOOT_DIRECT_MIN values, pb_bootstrap_change_direct instead. */
struct pb_ci {
	double lo, hi;
};
int pb_bootstrap_change(const double *base, size_t nb, const double *new,
			size_t nn, enum pb_stat stat, unsigned resamples,
			double level, uint64_t seed, struct pb_ci *out);
/* The same bootstrap with each resample's statistic drawn from its
 * distribution, O(resamples + n) (stats_boot.c says how and why it is the
 * same distribution); sides of a mean with at most PB_BOOT_DIRECT_MIN
 * values are still resampled. */
#define PB_BOOT_DIRECT_MIN 20000
int pb_bootstrap_change_direct(const double *base, size_t nb, const double *new,
			       size_t nn, enum pb_stat stat, unsigned resamples,
			       double level, uint64_t seed, struct pb_ci *out);
/* Every resample drawn in full whatever the size, O(resamples * n): the
 * method before PB_BOOT_DIRECT_MIN (the benchmark's "before"). */
int pb_bootstrap_change_full(const double *base, size_t nb, const double *new,
			     size_t nn, enum pb_stat stat, unsigned resamples,
			     double level, uint64_t seed, struct pb_ci *out);
/* The percentile CI of vals (sorted in place). */
void pb_percentile_ci(double *vals, size_t n, double level, struct pb_ci *out);
/* Percentile-bootstrap CI of the statistic itself of one sample. */
int pb_bootstrap_stat(const double *v, size_t n, enum pb_stat stat,
		      unsigned resamples, double level, uint64_t seed,
		      struct pb_ci *out);

/* Welch's unequal-variances t-test, two-sided (scipy.stats.ttest_ind(a, b,
 * equal_var=False)).  p is 1 when either side has fewer than 2 values or
 * both have no variance and equal means. */
struct pb_ttest {
	double t, df, p;
};
void pb_welch(const double *a, size_t na, const double *b, size_t nb,
	      struct pb_ttest *out);
/* Survival function of Student's t with df degrees of freedom. */
double pb_student_sf(double t, double df);
/* Survival function of the standard normal. */
double pb_normal_sf(double z);

/* Ordinary least squares y = slope * x + intercept.  -1 when fewer than
 * 2 points or all x are equal. */
struct pb_linfit {
	double slope, intercept, r2;
};
int pb_linear_fit(const double *x, const double *y, size_t n,
		  struct pb_linfit *out);

/* Theil-Sen slope (stats_slope.c): the median slope over pairs of points
 * with distinct x, exact up to PB_TS_PAIRS_MAX pairs and over that many
 * pairs drawn at random above; intercept median(y) - slope * median(x)
 * (scipy.stats.theilslopes, method='separate'); percentile-bootstrap
 * 95 % CI of the slope over PB_TS_RESAMPLES resamples of the points, each
 * fitted with at most PB_TS_BOOT_PAIRS pairs (ci NAN when none had two
 * distinct x).  Returns -1 when fewer than 2 points or all x are equal. */
#define PB_TS_PAIRS_MAX		(1u << 20)
#define PB_TS_BOOT_PAIRS	(1u << 15)
#define PB_TS_RESAMPLES		400
struct pb_slope {
	double slope, intercept;
	struct pb_ci ci;	/* 95 % */
	double x_med, y_med;	/* the line passes through (x_med, y_med) */
	size_t n;		/* points */
	uint64_t pairs;		/* pairs with distinct x */
	bool sampled;		/* the slope is the median of sampled pairs */
};
int pb_theil_sen(const double *x, const double *y, size_t n, uint64_t seed,
		 struct pb_slope *out);

/* E-divisive means (Matteson & James 2014, arXiv:1306.4933) as Apache
 * Otava's compute_change_points_orig runs it: the candidate of each
 * segment maximises the q-hat divergence (exponent 1) over both the split
 * and the segment's end; the best candidate over all segments is kept when
 * a permutation test (values shuffled within each segment, `permutations`
 * times) gives p = #(q_perm >= q) / (permutations + 1) <= alpha; stop at
 * the first candidate that is not significant.  Each kept change point is
 * then described against its neighbouring segments with Welch's t-test. */
struct pb_cp {
	size_t index;		/* first value of the new segment */
	double qhat;
	double perm_p;		/* permutation-test p-value */
	double mean_before, mean_after;
	double change_pct;	/* 100 * (mean_after / mean_before - 1) */
	struct pb_ttest welch;	/* segment before vs segment after */
};
/* Fills cps (sorted by index) and returns how many, at most max; -1 on
 * allocation failure. */
int pb_edivisive(const double *v, size_t n, double alpha, unsigned permutations,
		 uint64_t seed, struct pb_cp *cps, size_t max);

#endif
