// SPDX-License-Identifier: GPL-2.0
/* Statistics: the PRNG, descriptive statistics and bootstrap CIs (tests
 * and fits: stats_tests.c; change points: stats_changepoint.c).  See
 * stats.h for what each function computes and which reference
 * implementation it agrees with. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* --- PRNG: xoshiro256** (Blackman & Vigna), seeded by splitmix64 --- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void pb_rng_seed(struct pb_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t pb_rng_next(struct pb_rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

size_t pb_rng_below(struct pb_rng *r, size_t n)
{
	/* Lemire's multiply-shift with rejection of the biased low range. */
	uint64_t x = pb_rng_next(r);
	__uint128_t m = (__uint128_t)x * n;
	uint64_t l = (uint64_t)m;

	if (l < n) {
		uint64_t t = -(uint64_t)n % n;

		while (l < t) {
			x = pb_rng_next(r);
			m = (__uint128_t)x * n;
			l = (uint64_t)m;
		}
	}
	return (size_t)(m >> 64);
}

double pb_rng_uniform(struct pb_rng *r)
{
	return (double)(pb_rng_next(r) >> 11) * 0x1.0p-53;
}

double pb_rng_normal(struct pb_rng *r)
{
	double u1, u2;

	do
		u1 = pb_rng_uniform(r);
	while (u1 <= 0.0);
	u2 = pb_rng_uniform(r);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

void pb_rng_shuffle(struct pb_rng *r, double *v, size_t n)
{
	size_t i, j;
	double t;

	for (i = n; i > 1; i--) {
		j = pb_rng_below(r, i);
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* --- descriptive statistics --- */

double pb_mean(const double *v, size_t n)
{
	double s = 0;
	size_t i;

	if (!n)
		return NAN;
	for (i = 0; i < n; i++)
		s += v[i];
	return s / n;
}

double pb_stddev(const double *v, size_t n)
{
	double m, s = 0;
	size_t i;

	if (n < 2)
		return 0;
	m = pb_mean(v, n);
	for (i = 0; i < n; i++)
		s += (v[i] - m) * (v[i] - m);
	return sqrt(s / (n - 1));
}

int pb_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double pb_quantile_sorted(const double *s, size_t n, double q)
{
	double h;
	size_t lo;

	if (!n)
		return NAN;
	h = (n - 1) * q;
	lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + (h - lo) * (s[lo + 1] - s[lo]);
}

/* Hoare selection: afterwards a[k] is the k-th smallest, everything
 * before it <= a[k], everything after it >= a[k].  Linear on average. */
static void select_kth(double *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = a[lo + (hi - lo) / 2], t;
		size_t i = lo, j = hi;

		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				t = a[i];
				a[i] = a[j];
				a[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/* Quantile of a scratch array the function may reorder. */
static double quantile_inplace(double *a, size_t n, double q)
{
	double h = (n - 1) * q, x, y;
	size_t lo = (size_t)floor(h), i;

	select_kth(a, n, lo);
	x = a[lo];
	if (lo + 1 >= n || h == lo)
		return x;
	y = a[lo + 1];
	for (i = lo + 2; i < n; i++)
		if (a[i] < y)
			y = a[i];
	return x + (h - lo) * (y - x);
}

double pb_quantile(const double *v, size_t n, double q)
{
	double *c, r;

	if (!n)
		return NAN;
	c = malloc(n * sizeof(*c));
	if (!c)
		return NAN;
	memcpy(c, v, n * sizeof(*c));
	r = quantile_inplace(c, n, q);
	free(c);
	return r;
}

double pb_median(const double *v, size_t n)
{
	return pb_quantile(v, n, 0.5);
}

size_t pb_nearest_rank(size_t n, double q)
{
	double r;

	if (q <= 0)
		return 1;
	/* 0.999 * 1000 is 999.0000000000001 in doubles: without the epsilon
	 * p99.9 of 1000 values would be the maximum. */
	r = ceil(q * (double)n - 1e-9);
	if (r < 1)
		return 1;
	return r > (double)n ? n : (size_t)r;
}

uint64_t pb_nearest_rank_sorted(const uint64_t *sorted, size_t n, double q)
{
	return n ? sorted[pb_nearest_rank(n, q) - 1] : 0;
}

/* The quantile a statistic other than the mean is. */
static double stat_q(enum pb_stat s)
{
	switch (s) {
	case PB_STAT_P90:	return 0.90;
	case PB_STAT_P99:	return 0.99;
	case PB_STAT_P999:	return 0.999;
	case PB_STAT_MAX:	return 1.0;
	case PB_STAT_MEDIAN:
	default:		return 0.5;
	}
}

static double stat_inplace(enum pb_stat s, double *v, size_t n)
{
	return s == PB_STAT_MEAN ? pb_mean(v, n) : quantile_inplace(v, n, stat_q(s));
}

double pb_stat_of(enum pb_stat s, const double *v, size_t n)
{
	if (!n)
		return NAN;
	return s == PB_STAT_MEAN ? pb_mean(v, n) : pb_quantile(v, n, stat_q(s));
}

/* --- bootstrap --- */

static void resample(struct pb_rng *rng, const double *v, size_t n, double *dst)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = v[pb_rng_below(rng, n)];
}

static void percentile_ci(double *vals, size_t n, double level,
			  struct pb_ci *out)
{
	qsort(vals, n, sizeof(*vals), pb_cmp_double);
	out->lo = pb_quantile_sorted(vals, n, (1 - level) / 2);
	out->hi = pb_quantile_sorted(vals, n, 1 - (1 - level) / 2);
}

int pb_bootstrap_change(const double *base, size_t nb, const double *new,
			size_t nn, enum pb_stat stat, unsigned resamples,
			double level, uint64_t seed, struct pb_ci *out)
{
	double *bb = NULL, *bn = NULL, *ch = NULL;
	struct pb_rng rng;
	size_t got = 0;
	unsigned i;
	int ret = -1;

	if (!nb || !nn || !resamples)
		return -1;
	bb = malloc(nb * sizeof(*bb));
	bn = malloc(nn * sizeof(*bn));
	ch = malloc(resamples * sizeof(*ch));
	if (!bb || !bn || !ch)
		goto out;
	pb_rng_seed(&rng, seed);
	for (i = 0; i < resamples; i++) {
		double sb, sn;

		resample(&rng, base, nb, bb);
		resample(&rng, new, nn, bn);
		sb = stat_inplace(stat, bb, nb);
		sn = stat_inplace(stat, bn, nn);
		if (sb == 0 || !isfinite(sb) || !isfinite(sn))
			continue;
		ch[got++] = 100.0 * (sn / sb - 1.0);
	}
	if (!got)
		goto out;
	percentile_ci(ch, got, level, out);
	ret = 0;
out:
	free(bb);
	free(bn);
	free(ch);
	return ret;
}

int pb_bootstrap_stat(const double *v, size_t n, enum pb_stat stat,
		      unsigned resamples, double level, uint64_t seed,
		      struct pb_ci *out)
{
	double *b, *st;
	struct pb_rng rng;
	unsigned i;

	if (!n || !resamples)
		return -1;
	b = malloc(n * sizeof(*b));
	st = malloc(resamples * sizeof(*st));
	if (!b || !st) {
		free(b);
		free(st);
		return -1;
	}
	pb_rng_seed(&rng, seed);
	for (i = 0; i < resamples; i++) {
		resample(&rng, v, n, b);
		st[i] = stat_inplace(stat, b, n);
	}
	percentile_ci(st, resamples, level, out);
	free(b);
	free(st);
	return 0;
}
