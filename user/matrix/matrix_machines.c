// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix --collect`: figures over several machines (matrix.h).
 * These figures move 20 to 100x between TCG and native and several-fold
 * between CPUs, so a ratio is only ever taken within one machine: per
 * machine the median of a kernel over the baseline's median, then the
 * median of those ratios, with a bootstrap CI that resamples machines
 * and, within each, its repeats. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "matrix.h"
#include "stats.h"

#define RESAMPLES 2000
#define CI_LEVEL 0.95

/* median(vals) / median(base) of one resample of one machine; NAN when
 * the base's median is 0. */
static double resampled_ratio(struct pb_rng *rng, const struct mx_side *s,
			      double *tmp)
{
	double b, v;
	size_t i;

	for (i = 0; i < s->nbase; i++)
		tmp[i] = s->base[pb_rng_below(rng, s->nbase)];
	b = pb_median(tmp, s->nbase);
	for (i = 0; i < s->nvals; i++)
		tmp[i] = s->vals[pb_rng_below(rng, s->nvals)];
	v = pb_median(tmp, s->nvals);
	return b != 0 ? v / b : NAN;
}

static size_t usable_sides(const struct mx_side *s, size_t n, size_t *use,
			   double *ratios, size_t *most)
{
	size_t i, u = 0;

	*most = 1;
	for (i = 0; i < n; i++) {
		double b;

		if (!s[i].nbase || !s[i].nvals || !(b = pb_median(s[i].base, s[i].nbase)))
			continue;
		ratios[u] = pb_median(s[i].vals, s[i].nvals) / b;
		use[u++] = i;
		if (s[i].nbase > *most)
			*most = s[i].nbase;
		if (s[i].nvals > *most)
			*most = s[i].nvals;
	}
	return u;
}

size_t mx_pool_ratio(const struct mx_side *s, size_t n, unsigned resamples,
		     double level, uint64_t seed, double *ratio, struct pb_ci *ci,
		     bool *has_ci)
{
	size_t *use = calloc(n + 1, sizeof(*use)), u = 0, most, b, j, got;
	double *ratios = calloc(n + 1, sizeof(*ratios)), *pooled = NULL, *tmp = NULL;
	double *pick = NULL;
	struct pb_rng rng;

	*has_ci = false;
	*ratio = NAN;
	if (!use || !ratios || !(u = usable_sides(s, n, use, ratios, &most)))
		goto out;
	*ratio = pb_median(ratios, u);
	pooled = calloc(resamples, sizeof(*pooled));
	tmp = calloc(most, sizeof(*tmp));
	pick = calloc(u, sizeof(*pick));
	if (u < 2 || !pooled || !tmp || !pick)
		goto out;
	pb_rng_seed(&rng, seed);
	for (b = got = 0; b < resamples; b++) {
		size_t k = 0;

		for (j = 0; j < u; j++) {
			double r = resampled_ratio(&rng, &s[use[pb_rng_below(&rng, u)]], tmp);

			if (!isnan(r))
				pick[k++] = r;
		}
		if (k)
			pooled[got++] = pb_median(pick, k);
	}
	if (got) {
		ci->lo = pb_quantile(pooled, got, (1 - level) / 2);
		ci->hi = pb_quantile(pooled, got, 1 - (1 - level) / 2);
		*has_ci = true;
	}
out:
	free(use);
	free(ratios);
	free(pooled);
	free(tmp);
	free(pick);
	return u;
}

/* The pooled figure of kernel k: values every machine's, median the
 * median of the machines' medians, ratio and CI from mx_pool_ratio (one
 * machine with a ratio: its own CI over its repeats). */
void mx_value_pooled(const struct mx_matrix *m, size_t cell, size_t k,
		     const char *metric, struct mx_value *v)
{
	size_t n = m->nmachines, i, nmed = 0, used;
	struct mx_value *per = calloc(2 * n, sizeof(*per)), *base = per + n;
	struct mx_side *sides = calloc(n, sizeof(*sides));
	double *meds = calloc(n, sizeof(*meds));

	memset(v, 0, sizeof(*v));
	v->median = NAN;
	if (!per || !sides || !meds)
		goto out;
	for (i = 0; i < n; i++) {
		mx_value(&m->machines[i].m, cell, k, metric, &per[i]);
		mx_value(&m->machines[i].m, cell, 0, metric, &base[i]);
		v->n += per[i].n;
		if (per[i].n)
			meds[nmed++] = per[i].median;
		sides[i] = (struct mx_side){ base[i].values, per[i].values, base[i].n, per[i].n };
	}
	v->values = calloc(v->n + 1, sizeof(*v->values));
	for (i = 0, v->n = 0; v->values && i < n; i++) {
		memcpy(v->values + v->n, per[i].values, per[i].n * sizeof(double));
		v->n += per[i].n;
	}
	if (nmed)
		v->median = pb_median(meds, nmed);
	if (k == 0)
		goto out;
	used = mx_pool_ratio(sides, n, RESAMPLES, CI_LEVEL, mx_hash64(metric), &v->ratio,
			     &v->ci, &v->has_ci);
	v->has_ratio = used > 0;
	for (i = 0; used == 1 && i < n; i++)
		if (per[i].has_ratio) {	/* one machine: its CI over its repeats */
			v->has_ci = per[i].has_ci;
			v->ci = per[i].ci;
		}
out:
	for (i = 0; per && i < 2 * n; i++)
		mx_value_free(&per[i]);
	free(per);
	free(sides);
	free(meds);
}

struct json_object *mx_machines_json(const struct mx_matrix *m, size_t cell, size_t k,
				     const char *metric)
{
	struct json_object *all = json_object_new_object();
	size_t i;

	for (i = 0; i < m->nmachines; i++) {
		struct json_object *o = json_object_new_object();
		struct mx_value v;

		mx_value(&m->machines[i].m, cell, k, metric, &v);
		json_object_object_add(o, "id", json_object_new_string(m->machines[i].id));
		json_object_object_add(o, "n", json_object_new_int((int)v.n));
		json_object_object_add(o, "median", v.n ? json_object_new_double(v.median) : NULL);
		json_object_object_add(o, "ratio", v.has_ratio && isfinite(v.ratio) ?
				       json_object_new_double(v.ratio) : NULL);
		json_object_object_add(all, m->machines[i].label, o);
		mx_value_free(&v);
	}
	return all;
}
