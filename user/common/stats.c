// SPDX-License-Identifier: GPL-2.0
/* Statistics: see stats.h for what each function computes and which
 * reference implementation it agrees with. */
#include <float.h>
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

static int cmp_double(const void *a, const void *b)
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

/* --- Mann-Whitney U --- */

struct ranked {
	double v;
	size_t who;	/* 0: x, 1: y */
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const struct ranked *)a)->v,
			  &((const struct ranked *)b)->v);
}

/* P(U <= k) under H0 for sample sizes m, n without ties: U's frequencies
 * are the coefficients of the Gaussian binomial [m+n choose m]_q, built as
 * prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i).  The low coefficients, the
 * tail we need, come from additions only, so doubles keep them exact. */
static double mwu_exact_cdf(size_t m, size_t n, double k)
{
	size_t len, i, j, deg = 0;
	double *c, total = 0, below = 0;

	if (m > n) {
		size_t t = m;
		m = n;
		n = t;
	}
	len = m * n + 1;
	c = calloc(len, sizeof(*c));
	if (!c)
		return NAN;
	c[0] = 1;
	for (i = 1; i <= m; i++) {
		size_t shift = n + i;

		/* multiply by (1 - q^shift), from the top down */
		for (j = deg + shift; j >= shift; j--)
			if (j < len)
				c[j] -= c[j - shift];
		deg += n;	/* degree grows by (n + i) - i */
		/* divide by (1 - q^i): c[j] += c[j - i], bottom up */
		for (j = i; j < len; j++)
			c[j] += c[j - i];
	}
	for (j = 0; j < len; j++) {
		total += c[j];
		if ((double)j <= k)
			below += c[j];
	}
	free(c);
	return below / total;
}

int pb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		    struct pb_mwu *out)
{
	size_t n = nx + ny, i, j;
	struct ranked *r;
	double r1 = 0, tie = 0, u1, u2, u, mn, s, z;
	int ties = 0;

	if (!nx || !ny)
		return -1;
	r = malloc(n * sizeof(*r));
	if (!r)
		return -1;
	for (i = 0; i < nx; i++)
		r[i] = (struct ranked){ x[i], 0 };
	for (i = 0; i < ny; i++)
		r[nx + i] = (struct ranked){ y[i], 1 };
	qsort(r, n, sizeof(*r), cmp_ranked);
	for (i = 0; i < n; i = j) {
		double avg, t;
		size_t k;

		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		t = j - i;
		avg = (i + 1 + j) / 2.0;	/* mean of ranks i+1 .. j */
		if (t > 1) {
			ties = 1;
			tie += t * t * t - t;
		}
		for (k = i; k < j; k++)
			if (r[k].who == 0)
				r1 += avg;
	}
	free(r);

	mn = (double)nx * ny;
	u1 = r1 - nx * (nx + 1) / 2.0;
	u2 = mn - u1;
	u = u1 > u2 ? u1 : u2;
	out->u = u1;
	if ((nx <= 8 || ny <= 8) && !ties) {
		/* scipy: P(U >= u) = P(U <= mn - u) by symmetry */
		out->exact = 1;
		out->p = 2 * mwu_exact_cdf(nx, ny, mn - u);
	} else {
		out->exact = 0;
		s = sqrt(mn / 12.0 * ((n + 1) - tie / ((double)n * (n - 1))));
		if (s == 0) {
			out->p = 1;
			return 0;
		}
		z = (u - mn / 2 - 0.5) / s;
		out->p = 2 * pb_normal_sf(z);
	}
	if (out->p > 1)
		out->p = 1;
	return 0;
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
	qsort(vals, n, sizeof(*vals), cmp_double);
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

/* --- t distribution --- */

double pb_normal_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

/* Continued fraction of the regularised incomplete beta function
 * (modified Lentz), valid for x < (a + 1) / (a + b + 2). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	int m;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m <= 10000; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

static double incbeta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) +
		    a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * betacf(a, b, x) / a;
	return 1 - front * betacf(b, a, 1 - x) / b;
}

double pb_student_sf(double t, double df)
{
	double p;

	if (isinf(t))
		return t > 0 ? 0 : 1;
	/* P(T > |t|) = I_{df/(df+t^2)}(df/2, 1/2) / 2 */
	p = 0.5 * incbeta(df / 2, 0.5, df / (df + t * t));
	return t >= 0 ? p : 1 - p;
}

void pb_welch(const double *a, size_t na, const double *b, size_t nb,
	      struct pb_ttest *out)
{
	double ma, mb, va, vb, se2;

	out->t = 0;
	out->df = 0;
	out->p = 1;
	if (na < 2 || nb < 2)
		return;
	ma = pb_mean(a, na);
	mb = pb_mean(b, nb);
	va = pb_stddev(a, na);
	vb = pb_stddev(b, nb);
	va = va * va / na;
	vb = vb * vb / nb;
	se2 = va + vb;
	if (se2 == 0) {
		/* No variance at all: the means either are or are not equal. */
		out->df = na + nb - 2;
		if (ma != mb) {
			out->t = ma > mb ? INFINITY : -INFINITY;
			out->p = 0;
		}
		return;
	}
	out->t = (ma - mb) / sqrt(se2);
	out->df = se2 * se2 / (va * va / (na - 1) + vb * vb / (nb - 1));
	out->p = 2 * pb_student_sf(fabs(out->t), out->df);
	if (out->p > 1)
		out->p = 1;
}

/* --- least squares --- */

int pb_linear_fit(const double *x, const double *y, size_t n,
		  struct pb_linfit *out)
{
	double mx, my, sxx = 0, sxy = 0, syy = 0;
	size_t i;

	if (n < 2)
		return -1;
	mx = pb_mean(x, n);
	my = pb_mean(y, n);
	for (i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
		syy += (y[i] - my) * (y[i] - my);
	}
	if (sxx == 0)
		return -1;
	out->slope = sxy / sxx;
	out->intercept = my - out->slope * mx;
	out->r2 = syy == 0 ? 1 : sxy * sxy / (sxx * syy);
	return 0;
}

/* --- E-divisive means --- */

/* col[c * (n + 1) + r] = sum over i < r of |v[i] - v[c]|: with it every
 * between- and within-segment distance sum is two lookups. */
static void distance_prefix(const double *v, size_t n, double *col)
{
	size_t c, r;

	for (c = 0; c < n; c++) {
		double *p = col + c * (n + 1);

		p[0] = 0;
		for (r = 0; r < n; r++)
			p[r + 1] = p[r] + fabs(v[r] - v[c]);
	}
}

struct candidate {
	size_t index;
	double qhat;
};

/* Best split tau of segment [s, e), maximising q-hat over tau and the
 * segment end kappa (s < tau < kappa <= e), first maximum wins as numpy's
 * argmax does. */
static struct candidate best_split(const double *col, size_t n, size_t s,
				   size_t e)
{
	struct candidate best = { 0, -INFINITY };
	double within_x = 0;
	size_t tau, kappa;

#define COL(c, r) col[(size_t)(c) * (n + 1) + (r)]
	for (tau = s + 1; tau < e; tau++) {
		double n1 = tau - s, between = 0, within_y = 0;

		if (tau > s + 1)
			within_x += COL(tau - 1, tau - 1) - COL(tau - 1, s);
		for (kappa = tau + 1; kappa <= e; kappa++) {
			size_t j = kappa - 1;
			double n2 = kappa - tau, q;

			between += COL(j, tau) - COL(j, s);
			within_y += COL(j, j) - COL(j, tau);
			q = 2.0 / (n1 + n2) * between;
			if (n1 > 1)
				q -= 2.0 * n2 / ((n1 + n2) * (n1 - 1)) * within_x;
			if (n2 > 1)
				q -= 2.0 * n1 / ((n1 + n2) * (n2 - 1)) * within_y;
			if (q > best.qhat) {
				best.qhat = q;
				best.index = tau;
			}
		}
	}
#undef COL
	return best;
}

/* Segment bounds from the sorted change points: bounds[0] = 0, then each
 * change point, then n. */
static size_t segments(const struct pb_cp *cps, size_t ncp, size_t n,
		       size_t *bounds)
{
	size_t i, k = 0;

	bounds[k++] = 0;
	for (i = 0; i < ncp; i++)
		bounds[k++] = cps[i].index;
	bounds[k++] = n;
	return k;
}

static struct candidate best_over_segments(const double *col, size_t n,
					   const size_t *bounds, size_t nb)
{
	struct candidate best = { 0, -INFINITY }, c;
	size_t i;

	for (i = 0; i + 1 < nb; i++) {
		if (bounds[i + 1] - bounds[i] < 2)
			continue;
		c = best_split(col, n, bounds[i], bounds[i + 1]);
		if (c.qhat > best.qhat)
			best = c;
	}
	return best;
}

static void describe(const double *v, size_t from, size_t at, size_t to,
		     struct pb_cp *cp)
{
	cp->mean_before = pb_mean(v + from, at - from);
	cp->mean_after = pb_mean(v + at, to - at);
	cp->change_pct = cp->mean_before != 0 ?
		100.0 * (cp->mean_after / cp->mean_before - 1) : 0;
	pb_welch(v + from, at - from, v + at, to - at, &cp->welch);
}

int pb_edivisive(const double *v, size_t n, double alpha, unsigned permutations,
		 uint64_t seed, struct pb_cp *cps, size_t max)
{
	double *col = NULL, *pcol = NULL, *perm = NULL;
	size_t *bounds = NULL, ncp = 0, nb, i, j;
	struct pb_rng rng;
	int ret = -1;

	if (n < 3)
		return 0;
	col = malloc(n * (n + 1) * sizeof(*col));
	pcol = malloc(n * (n + 1) * sizeof(*pcol));
	perm = malloc(n * sizeof(*perm));
	bounds = malloc((n + 2) * sizeof(*bounds));
	if (!col || !pcol || !perm || !bounds)
		goto out;
	pb_rng_seed(&rng, seed);
	distance_prefix(v, n, col);

	while (ncp < max) {
		struct candidate cand;
		unsigned k, extreme = 0;
		double p;

		nb = segments(cps, ncp, n, bounds);
		cand = best_over_segments(col, n, bounds, nb);
		if (!isfinite(cand.qhat))
			break;
		for (k = 0; k < permutations; k++) {
			struct candidate pc;

			memcpy(perm, v, n * sizeof(*perm));
			for (i = 0; i + 1 < nb; i++)
				pb_rng_shuffle(&rng, perm + bounds[i],
					       bounds[i + 1] - bounds[i]);
			distance_prefix(perm, n, pcol);
			pc = best_over_segments(pcol, n, bounds, nb);
			if (pc.qhat >= cand.qhat)
				extreme++;
		}
		p = (double)extreme / (permutations + 1);
		if (p > alpha)
			break;
		/* insert sorted */
		for (i = ncp; i > 0 && cps[i - 1].index > cand.index; i--)
			cps[i] = cps[i - 1];
		memset(&cps[i], 0, sizeof(cps[i]));
		cps[i].index = cand.index;
		cps[i].qhat = cand.qhat;
		cps[i].perm_p = p;
		ncp++;
	}
	/* Describe each change point against its neighbouring segments. */
	for (j = 0; j < ncp; j++)
		describe(v, j ? cps[j - 1].index : 0, cps[j].index,
			 j + 1 < ncp ? cps[j + 1].index : n, &cps[j]);
	ret = (int)ncp;
out:
	free(col);
	free(pcol);
	free(perm);
	free(bounds);
	return ret;
}
