// SPDX-License-Identifier: GPL-2.0
/* Statistical tests and fits: Mann-Whitney U, the normal and Student t
 * tails, Welch's t-test, least squares.  See stats.h for what each
 * function computes and which reference implementation it agrees with. */
#include <math.h>
#include <stdlib.h>

#include "stats.h"

/* --- Mann-Whitney U --- */

struct ranked {
	double v;
	size_t who;	/* 0: x, 1: y */
};

static int cmp_ranked(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->v, y = ((const struct ranked *)b)->v;

	return (x > y) - (x < y);
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

/* U and its p-value from the rank sum of x (r1) and the tie term
 * (sum of t^3 - t over groups of t equal values). */
static int mwu_of_ranks(size_t nx, size_t ny, double r1, double tie, int ties,
			struct pb_mwu *out)
{
	size_t n = nx + ny;
	double u1, u2, u, mn, s, z;

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


int pb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		    struct pb_mwu *out)
{
	size_t n = nx + ny, i, j;
	struct ranked *r;
	double r1 = 0, tie = 0;
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
	return mwu_of_ranks(nx, ny, r1, tie, ties, out);
}

/* The same from x and y each sorted ascending: ranks by merging, O(n). */
int pb_mann_whitney_sorted(const double *x, size_t nx, const double *y, size_t ny,
			   struct pb_mwu *out)
{
	size_t i = 0, j = 0, done = 0;
	double r1 = 0, tie = 0;
	int ties = 0;

	if (!nx || !ny)
		return -1;
	while (i < nx || j < ny) {
		double v = j >= ny || (i < nx && x[i] <= y[j]) ? x[i] : y[j], t;
		size_t ci = 0, cj = 0;

		while (i + ci < nx && x[i + ci] == v)
			ci++;
		while (j + cj < ny && y[j + cj] == v)
			cj++;
		t = (double)(ci + cj);
		if (ci + cj > 1) {
			ties = 1;
			tie += t * t * t - t;
		}
		/* mean of ranks done+1 .. done+t */
		r1 += ci * ((double)done + (t + 1) / 2.0);
		done += ci + cj;
		i += ci;
		j += cj;
	}
	return mwu_of_ranks(nx, ny, r1, tie, ties, out);
}

/* --- t distribution --- */

double pb_normal_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

/* One term aa of modified Lentz's method: updates c and d, returns the
 * factor it multiplies the fraction by. */
static double lentz_step(double aa, double *c, double *d)
{
	const double tiny = 1e-300;

	*d = 1 + aa * *d;
	if (fabs(*d) < tiny)
		*d = tiny;
	*c = 1 + aa / *c;
	if (fabs(*c) < tiny)
		*c = tiny;
	*d = 1 / *d;
	return *d * *c;
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
		h *= lentz_step(aa, &c, &d);
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		del = lentz_step(aa, &c, &d);
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
