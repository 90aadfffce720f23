// SPDX-License-Identifier: GPL-2.0
/* The Theil-Sen slope (Theil 1950, Sen 1968): the median of the slopes of
 * all pairs of points with distinct x, the intercept median(y) - slope *
 * median(x) (scipy.stats.theilslopes, method='separate').  Up to half of
 * the points minus one can be outliers without moving it; least squares
 * moves with one.  The migration cost per queued message is fitted to raw
 * events whose times span three decades (TCG stalls), hence this.
 *
 * Cost is bounded: with at most PB_TS_PAIRS_MAX pairs (n <= 1448) every
 * pair is used (exact); above, the median of PB_TS_PAIRS_MAX pairs drawn
 * uniformly with a seeded PRNG (an incomplete U-statistic: its median rank
 * is within about 1/sqrt(PB_TS_PAIRS_MAX) = 0.1 % of the true one).  The
 * CI is a percentile bootstrap over the points, each resample fitted the
 * same way with PB_TS_BOOT_PAIRS pairs: above that many pairs, the
 * sampling noise of the pairs adds to the resampling noise, so the CI is
 * conservative (wider), never narrower. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static void swap_d(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/* Hoare's selection: afterwards v[k] holds the k-th smallest (0-based),
 * everything before it is <= v[k].  Median-of-three pivots. */
static void select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (hi > lo) {
		size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		double p;

		if (v[mid] < v[lo])
			swap_d(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap_d(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap_d(&v[hi], &v[mid]);
		p = v[mid];
		while (i <= j) {
			while (v[i] < p)
				i++;
			while (v[j] > p)
				j--;
			if (i <= j) {
				swap_d(&v[i], &v[j]);
				i++;
				if (j-- == 0)
					break;
			}
		}
		if (k <= j && j != (size_t)-1)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/* numpy's median: the mean of the two middle values when n is even. */
static double median_inplace(double *v, size_t n)
{
	size_t k = n / 2, i;
	double lower;

	select_kth(v, n, k);
	if (n % 2)
		return v[k];
	lower = v[0];
	for (i = 1; i < k; i++)
		if (v[i] > lower)
			lower = v[i];
	return (lower + v[k]) / 2;
}

/* Pairs (i < j) with x[i] != x[j]. */
static uint64_t distinct_pairs(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));
	uint64_t total = (uint64_t)n * (n ? n - 1 : 0) / 2;
	size_t i, run = 1;

	if (!s)
		return 0;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), pb_cmp_double);
	for (i = 1; i <= n; i++) {
		if (i < n && s[i] == s[i - 1]) {
			run++;
			continue;
		}
		total -= (uint64_t)run * (run - 1) / 2;
		run = 1;
	}
	free(s);
	return total;
}

/* The median slope of the pairs of (x[idx[i]], y[idx[i]]) (idx NULL: the
 * identity), all of them when there are at most max_pairs, else max_pairs
 * drawn at random.  buf holds max_pairs doubles.  NAN when no pair has
 * distinct x. */
static double median_slope(const double *x, const double *y, const size_t *idx,
			   size_t n, size_t max_pairs, struct pb_rng *rng,
			   double *buf, bool *sampled)
{
	size_t i, j, m = 0, tries = 0;

#define X(k) x[idx ? idx[k] : (k)]
#define Y(k) y[idx ? idx[k] : (k)]
	*sampled = n > 1 && (uint64_t)n * (n - 1) / 2 > max_pairs;
	if (!*sampled) {
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (X(i) != X(j))
					buf[m++] = (Y(j) - Y(i)) / (X(j) - X(i));
	} else {
		/* Rejecting equal x: give up after 64 draws per pair wanted
		 * (almost every x equal) and use what was found. */
		while (m < max_pairs && tries++ < 64 * (uint64_t)max_pairs) {
			i = pb_rng_below(rng, n);
			j = pb_rng_below(rng, n);
			if (X(i) != X(j))
				buf[m++] = (Y(j) - Y(i)) / (X(j) - X(i));
		}
	}
#undef X
#undef Y
	return m ? median_inplace(buf, m) : NAN;
}

static int boot_ci(const double *x, const double *y, size_t n, uint64_t seed,
		   struct pb_ci *ci)
{
	size_t *idx = malloc(n * sizeof(*idx)), got = 0, i;
	double *buf = malloc(PB_TS_BOOT_PAIRS * sizeof(*buf));
	double *st = malloc(PB_TS_RESAMPLES * sizeof(*st));
	struct pb_rng rng;
	unsigned b;
	bool sampled;
	int ret = -1;

	if (!idx || !buf || !st)
		goto out;
	pb_rng_seed(&rng, seed ^ 0x9e3779b97f4a7c15ull);
	for (b = 0; b < PB_TS_RESAMPLES; b++) {
		double s;

		for (i = 0; i < n; i++)
			idx[i] = pb_rng_below(&rng, n);
		s = median_slope(x, y, idx, n, PB_TS_BOOT_PAIRS, &rng, buf, &sampled);
		if (isfinite(s))
			st[got++] = s;
	}
	if (got) {
		qsort(st, got, sizeof(*st), pb_cmp_double);
		ci->lo = pb_quantile_sorted(st, got, 0.025);
		ci->hi = pb_quantile_sorted(st, got, 0.975);
		ret = 0;
	}
out:
	free(idx);
	free(buf);
	free(st);
	return ret;
}

int pb_theil_sen(const double *x, const double *y, size_t n, uint64_t seed,
		 struct pb_slope *out)
{
	double *buf, *tmp;
	struct pb_rng rng;

	memset(out, 0, sizeof(*out));
	out->ci.lo = out->ci.hi = NAN;
	out->n = n;
	if (n < 2 || !(out->pairs = distinct_pairs(x, n)))
		return -1;
	buf = malloc(PB_TS_PAIRS_MAX * sizeof(*buf));
	tmp = malloc(n * sizeof(*tmp));
	if (!buf || !tmp) {
		free(buf);
		free(tmp);
		return -1;
	}
	pb_rng_seed(&rng, seed);
	out->slope = median_slope(x, y, NULL, n, PB_TS_PAIRS_MAX, &rng, buf, &out->sampled);
	memcpy(tmp, x, n * sizeof(*tmp));
	out->x_med = median_inplace(tmp, n);
	memcpy(tmp, y, n * sizeof(*tmp));
	out->y_med = median_inplace(tmp, n);
	out->intercept = out->y_med - out->slope * out->x_med;
	free(buf);
	free(tmp);
	if (!isfinite(out->slope))
		return -1;
	boot_ci(x, y, n, seed, &out->ci);
	return 0;
}
