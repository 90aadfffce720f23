// SPDX-License-Identifier: GPL-2.0
/* The bootstrap of a large sample in bounded time (stats.h,
 * PB_BOOT_DIRECT_MIN).  Resampling n values 2000 times costs 2000 n; at a
 * million samples a side that is hours.  Above the bound each resample's
 * statistic is drawn from its distribution instead of computed from n
 * draws:
 *
 * - A quantile.  Resampling picks index floor(n U) of the sorted sample
 *   for each of n uniforms U; the index grows with U, so the k-th
 *   smallest resampled value is x[floor(n U_(k))], U_(k) the k-th
 *   smallest of n uniforms, which is Beta(k, n + 1 - k).  The next one up
 *   is U_(k) + (1 - U_(k)) (1 - V^(1 / (n - k))), V uniform (the least of
 *   n - k uniforms above U_(k)).  Two draws give the interpolated
 *   quantile of a resample exactly as the full resample would: the same
 *   bootstrap distribution, in O(1) per resample.
 * - The mean.  The resampled mean has mean m and variance s^2 / n (s with
 *   divisor n); above 20,000 values its distribution is normal up to a
 *   skewness of skew(x) / sqrt(n) (< 0.01 at a skewness of 1), so it is
 *   drawn as m + s / sqrt(n) Z.
 *
 * tests/oracle/bootcover.py checks the coverage of both against the full
 * resampling (docs/stats.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* Gamma(a, 1), a >= 1 (Marsaglia and Tsang 2000). */
static double gamma_draw(struct pb_rng *r, double a)
{
	double d = a - 1.0 / 3, c = 1 / sqrt(9 * d), x, v, u;

	for (;;) {
		do {
			x = pb_rng_normal(r);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = pb_rng_uniform(r);
		if (u < 1 - 0.0331 * x * x * x * x ||
		    log(u) < 0.5 * x * x + d * (1 - v + log(v)))
			return d * v;
	}
}

/* Beta(a, b), a, b >= 1. */
static double beta_draw(struct pb_rng *r, double a, double b)
{
	double x = gamma_draw(r, a), y = gamma_draw(r, b);

	return x / (x + y);
}

static size_t index_of(double u, size_t n)
{
	size_t i = (size_t)(u * (double)n);

	return i < n ? i : n - 1;
}

/* One resample's q-quantile (stats.c's type 7) of sorted[0..n). */
static double resampled_quantile(struct pb_rng *r, const double *sorted, size_t n,
				 double q)
{
	double h = (double)(n - 1) * q, u, lo_v, hi_v;
	size_t k = (size_t)floor(h) + 1;	/* 1-based order statistic */

	u = beta_draw(r, (double)k, (double)(n + 1 - k));
	lo_v = sorted[index_of(u, n)];
	if (k >= n || h == (double)(k - 1))
		return lo_v;
	u += (1 - u) * (1 - pow(1 - pb_rng_uniform(r), 1.0 / (double)(n - k)));
	hi_v = sorted[index_of(u, n)];
	return lo_v + (h - (double)(k - 1)) * (hi_v - lo_v);
}

struct boot_side {
	const double *sorted;	/* the sample sorted, or NULL for the mean */
	double *own;		/* the sorted copy, when it was not sorted */
	const double *raw;	/* the mean of a small side: resampled */
	size_t n;
	double mean, se;	/* the mean's: s / sqrt(n) */
};

static int side_init(struct boot_side *s, const double *v, size_t n, enum pb_stat stat)
{
	double ss = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->n = n;
	if (stat == PB_STAT_MEAN && n <= PB_BOOT_DIRECT_MIN) {
		s->raw = v;
		return 0;
	}
	if (stat == PB_STAT_MEAN) {
		s->mean = pb_mean(v, n);
		for (i = 0; i < n; i++)
			ss += (v[i] - s->mean) * (v[i] - s->mean);
		s->se = sqrt(ss / (double)n) / sqrt((double)n);
		return 0;
	}
	for (i = 1; i < n && v[i - 1] <= v[i]; i++)
		;
	if (i >= n) {
		s->sorted = v;
		return 0;
	}
	s->sorted = s->own = malloc(n * sizeof(*s->own));
	if (!s->own)
		return -1;
	memcpy(s->own, v, n * sizeof(*v));
	pb_sort_doubles(s->own, n);
	return 0;
}

static double side_draw(struct boot_side *s, struct pb_rng *r, enum pb_stat stat)
{
	double sum = 0;

	if (s->raw) {
		for (size_t i = 0; i < s->n; i++)
			sum += s->raw[pb_rng_below(r, s->n)];
		return sum / (double)s->n;
	}
	if (stat == PB_STAT_MEAN)
		return s->mean + s->se * pb_rng_normal(r);
	return resampled_quantile(r, s->sorted, s->n, pb_stat_quantile(stat));
}

int pb_bootstrap_change_direct(const double *base, size_t nb, const double *new,
			       size_t nn, enum pb_stat stat, unsigned resamples,
			       double level, uint64_t seed, struct pb_ci *out)
{
	struct boot_side b, n;
	struct pb_rng rng;
	double *ch = malloc(resamples * sizeof(*ch));
	size_t got = 0;
	int ret = -1;

	if (!ch || side_init(&b, base, nb, stat))
		goto out_ch;
	if (side_init(&n, new, nn, stat))
		goto out_b;
	pb_rng_seed(&rng, seed);
	for (unsigned i = 0; i < resamples; i++) {
		double sb = side_draw(&b, &rng, stat), sn = side_draw(&n, &rng, stat);

		if (sb == 0 || !isfinite(sb) || !isfinite(sn))
			continue;
		ch[got++] = 100.0 * (sn / sb - 1.0);
	}
	if (got) {
		pb_percentile_ci(ch, got, level, out);
		ret = 0;
	}
	free(n.own);
out_b:
	free(b.own);
out_ch:
	free(ch);
	return ret;
}

/* The bits of a double, in an order that sorts as the doubles do. */
static uint64_t sort_key(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u >> 63 ? ~u : u | (1ULL << 63);
}

static double key_value(uint64_t u)
{
	double d;

	u = u >> 63 ? u & ~(1ULL << 63) : ~u;
	memcpy(&d, &u, sizeof(d));
	return d;
}

/* LSD radix sort on the keys, 16 bits a pass; qsort below 4096 values
 * or without the memory; nothing when v is sorted already.  NaNs go
 * wherever their bits say. */
void pb_sort_doubles(double *v, size_t n)
{
	uint64_t *a, *b, *t;
	size_t *cnt, i;

	for (i = 1; i < n && v[i - 1] <= v[i]; i++)
		;
	if (i >= n)
		return;		/* sorted already (or fewer than two) */
	a = n >= 4096 ? malloc(2 * n * sizeof(*a)) : NULL;
	cnt = a ? malloc(65536 * sizeof(*cnt)) : NULL;
	if (!cnt) {
		free(a);
		qsort(v, n, sizeof(*v), pb_cmp_double);
		return;
	}
	b = a + n;
	for (i = 0; i < n; i++)
		a[i] = sort_key(v[i]);
	for (int shift = 0; shift < 64; shift += 16) {
		size_t sum = 0;

		memset(cnt, 0, 65536 * sizeof(*cnt));
		for (i = 0; i < n; i++)
			cnt[(a[i] >> shift) & 0xffff]++;
		for (i = 0; i < 65536; i++) {
			size_t c = cnt[i];

			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[cnt[(a[i] >> shift) & 0xffff]++] = a[i];
		t = a, a = b, b = t;
	}
	for (i = 0; i < n; i++)
		v[i] = key_value(a[i]);
	free(a < b ? a : b);
	free(cnt);
}
