// SPDX-License-Identifier: GPL-2.0
/* The matrix's numbers: which metrics a cell shows, per cell and kernel
 * the median of each metric over the repeats, and its ratio to the first
 * kernel with a bootstrap CI, or "not comparable" where a phase covered
 * other work on that kernel (phase_work.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "peelbench.h"
#include "phase.h"
#include "result.h"
#include "stats.h"

#define RESAMPLES 2000
#define CI_LEVEL 0.95

static const char *const base_metrics[] = {
	"peel_per_s", "setup_per_s", "latency.p50_ns", "latency.p99_ns",
	"migrate.per_queued_msg_ns",	/* migration_fit.h */
};
#define NBASE (sizeof(base_metrics) / sizeof(base_metrics[0]))

static bool cell_has(const struct mx_matrix *m, size_t cell, const char *metric)
{
	const struct mx_opts *o = m->plan->o;
	size_t k;
	unsigned r;
	double v;

	for (r = 1; r <= o->repeat; r++)
		for (k = 0; k < o->nkernels; k++) {
			const struct mx_outcome *x = mx_at(m, r, k, cell);

			if (x->state == MX_OK && pb_result_metric(x->res, metric, &v))
				return true;
		}
	return false;
}

/* The first result of kernel k in cell; NULL when none ran. */
static const struct pb_result *cell_result(const struct mx_matrix *m, size_t cell, size_t k)
{
	unsigned r;

	for (r = 1; r <= m->plan->o->repeat; r++)
		if (mx_at(m, r, k, cell)->state == MX_OK)
			return mx_at(m, r, k, cell)->res;
	return NULL;
}

/* Whether a phase covers other work on some kernel than on the first
 * (phase_work.h): then the group rows are shown. */
static bool cell_work_differs(const struct mx_matrix *m, size_t cell)
{
	const struct pb_result *a = cell_result(m, cell, 0), *b;
	size_t k;

	for (k = 1; a && k < m->plan->o->nkernels; k++)
		if ((b = cell_result(m, cell, k)) && pb_results_work_differs(a, b))
			return true;
	return false;
}

/* p50 and p99 of each phase, raw then compensated (phase.P.comp.*, from
 * a calibrated tracer: docs/trace.md), then of each group. */
char **mx_cell_metrics(const struct mx_matrix *m, size_t cell)
{
	static const char *const stats[] = { "p50", "p99", "comp.p50", "comp.p99" };
	enum { NSTATS = sizeof(stats) / sizeof(stats[0]) };
	char **names = calloc(NBASE + NSTATS * (PB_PH_MAX + pb_nphase_groups) + 1, sizeof(*names));
	bool groups = cell_work_differs(m, cell);
	char buf[96];
	size_t n = 0, i, j;

	if (!names)
		return NULL;
	for (i = 0; i < NBASE; i++)
		if (cell_has(m, cell, base_metrics[i]))
			names[n++] = strdup(base_metrics[i]);
	for (i = 0; i < PB_PH_MAX; i++)
		for (j = 0; j < NSTATS; j++) {
			snprintf(buf, sizeof(buf), "phase.%s.%s_ns", pb_phase_name(i), stats[j]);
			if (cell_has(m, cell, buf))
				names[n++] = strdup(buf);
		}
	for (i = 0; groups && i < pb_nphase_groups; i++)
		for (j = 0; j < NSTATS; j++) {
			snprintf(buf, sizeof(buf), "group.%s.%s_ns", pb_phase_groups[i].name, stats[j]);
			if (cell_has(m, cell, buf))
				names[n++] = strdup(buf);
		}
	return names;
}

void mx_metrics_free(char **names)
{
	size_t i;

	for (i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

uint64_t mx_hash64(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Per-repeat values of a metric, round order. */
static size_t repeat_values(const struct mx_matrix *m, size_t cell, size_t k,
			    const char *metric, double **out)
{
	const struct mx_opts *o = m->plan->o;
	double *v = calloc(o->repeat, sizeof(*v));
	size_t n = 0;
	unsigned r;

	*out = v;
	if (!v)
		return 0;
	for (r = 1; r <= o->repeat; r++) {
		const struct mx_outcome *x = mx_at(m, r, k, cell);

		if (x->state == MX_OK && pb_result_metric(x->res, metric, &v[n]))
			n++;
	}
	return n;
}

void mx_value(const struct mx_matrix *m, size_t cell, size_t k,
	      const char *metric, struct mx_value *v)
{
	struct pb_ci ci;
	double *base;
	size_t nb;

	if (m->nmachines > 1) {
		mx_value_pooled(m, cell, k, metric, v);
		return;
	}
	memset(v, 0, sizeof(*v));
	v->median = NAN;
	v->n = repeat_values(m, cell, k, metric, &v->values);
	if (!v->n)
		return;
	v->median = pb_median(v->values, v->n);
	if (k == 0)
		return;
	if (cell_result(m, cell, 0) &&
	    !pb_results_comparable(cell_result(m, cell, 0), cell_result(m, cell, k), metric,
				   v->why, sizeof(v->why))) {
		v->not_comparable = true;
		return;
	}
	nb = repeat_values(m, cell, 0, metric, &base);
	if (nb && pb_median(base, nb) != 0) {
		v->has_ratio = true;
		v->ratio = v->median / pb_median(base, nb);
		if (nb >= 2 && v->n >= 2 &&
		    !pb_bootstrap_change(base, nb, v->values, v->n, PB_STAT_MEDIAN,
					 RESAMPLES, CI_LEVEL, mx_hash64(metric), &ci)) {
			v->has_ci = true;
			v->ci.lo = 1 + ci.lo / 100;
			v->ci.hi = 1 + ci.hi / 100;
		}
	}
	free(base);
}

void mx_value_free(struct mx_value *v)
{
	free(v->values);
	v->values = NULL;
}
