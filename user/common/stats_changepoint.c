// SPDX-License-Identifier: GPL-2.0
/* E-divisive change points.  See stats.h for what each function computes
 * and which reference implementation it agrees with. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

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
