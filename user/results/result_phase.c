// SPDX-License-Identifier: GPL-2.0
/* What a result's phases measured (phase_work.h, from trace.probes) and
 * the group metrics: group.NAME.STAT_ns, the sum of the phases that cover
 * the group on that result's kernel. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "result.h"

static bool probe_symbol(struct json_object *p, const char **phase, const char **symbol)
{
	struct json_object *o;

	if (!json_object_object_get_ex(p, "phase", &o) || !json_object_is_type(o, json_type_string))
		return false;
	*phase = json_object_get_string(o);
	if (json_object_object_get_ex(p, "attach", &o) && json_object_is_type(o, json_type_string) &&
	    (!strcmp(json_object_get_string(o), "unavailable") || !strcmp(json_object_get_string(o), "none")))
		return false;
	/* the tracer writes "symbol", older files "function" */
	if ((!json_object_object_get_ex(p, "symbol", &o) &&
	     !json_object_object_get_ex(p, "function", &o)) ||
	    !json_object_is_type(o, json_type_string))
		return false;
	*symbol = json_object_get_string(o);
	return true;
}

void pb_result_phase_work(const struct pb_result *r, unsigned int work[PB_PH_MAX])
{
	struct json_object *probes;
	const char *phase, *symbol;
	size_t i, n;
	unsigned int p;

	memset(work, 0, PB_PH_MAX * sizeof(*work));
	if (!r->trace || !json_object_object_get_ex(r->trace, "probes", &probes) ||
	    !json_object_is_type(probes, json_type_array))
		return;
	n = json_object_array_length(probes);
	for (i = 0; i < n; i++) {
		if (!probe_symbol(json_object_array_get_idx(probes, i), &phase, &symbol))
			continue;
		for (p = 0; p < PB_PH_MAX; p++)
			if (!strcmp(phase, pb_phase_name(p)))
				work[p] = pb_symbol_work(symbol);
	}
}

/* "phase.clone.p50_ns" -> the phase's index; PB_PH_MAX when not a phase
 * metric.  *rest gets what follows "phase.NAME". */
static unsigned int metric_phase(const char *metric, const char **rest)
{
	unsigned int p;
	size_t n;

	if (strncmp(metric, "phase.", 6))
		return PB_PH_MAX;
	for (p = 0; p < PB_PH_MAX; p++) {
		n = strlen(pb_phase_name(p));
		if (!strncmp(metric + 6, pb_phase_name(p), n) && metric[6 + n] == '.') {
			*rest = metric + 6 + n;
			return p;
		}
	}
	return PB_PH_MAX;
}

/* "group.copy_migrate.p50_ns" -> the group and ".p50_ns"; NULL when not. */
static const struct pb_phase_group *metric_group(const char *metric, const char **rest)
{
	size_t g, n;

	if (strncmp(metric, "group.", 6))
		return NULL;
	for (g = 0; g < pb_nphase_groups; g++) {
		n = strlen(pb_phase_groups[g].name);
		if (!strncmp(metric + 6, pb_phase_groups[g].name, n) && metric[6 + n] == '.') {
			*rest = metric + 6 + n;
			return &pb_phase_groups[g];
		}
	}
	return NULL;
}

/* The sum of phase.P<rest> over the phases covering g in metrics; false
 * when the plan cannot cover g or a phase's value is missing. */
static bool group_sum(const struct pb_result *r, const struct pb_phase_group *g,
		      const char *rest, struct json_object *metrics, double *out)
{
	unsigned int work[PB_PH_MAX], cover, p;
	struct json_object *o;
	char name[160];
	double sum = 0;

	pb_result_phase_work(r, work);
	cover = pb_group_cover(work, g->work);
	if (!cover || !metrics)
		return false;
	for (p = 0; p < PB_PH_MAX; p++) {
		if (!(cover & (1u << p)))
			continue;
		snprintf(name, sizeof(name), "phase.%s%s", pb_phase_name(p), rest);
		if (!json_object_object_get_ex(metrics, name, &o))
			return false;
		sum += json_object_get_double(o);
	}
	*out = sum;	/* untouched when a phase is missing */
	return true;
}

bool pb_result_group_metric(const struct pb_result *r, const char *name, double *out)
{
	const char *rest;
	const struct pb_phase_group *g = metric_group(name, &rest);

	return g && group_sum(r, g, rest, r->metrics, out);
}

size_t pb_result_group_rounds(const struct pb_result *r, const char *name, double **out)
{
	size_t i, n = r->rounds ? json_object_array_length(r->rounds) : 0, k = 0;
	const char *rest;
	const struct pb_phase_group *g = metric_group(name, &rest);
	double *v;

	*out = NULL;
	if (!g || !n || !(v = malloc(n * sizeof(*v))))
		return 0;
	for (i = 0; i < n; i++) {
		struct json_object *m;

		if (json_object_object_get_ex(json_object_array_get_idx(r->rounds, i), "metrics", &m) &&
		    group_sum(r, g, rest, m, &v[k]))
			k++;
	}
	if (!k)
		free(v);
	else
		*out = v;
	return k;
}

bool pb_results_comparable(const struct pb_result *a, const struct pb_result *b,
			   const char *metric, char *why, size_t size)
{
	unsigned int wa[PB_PH_MAX], wb[PB_PH_MAX], p;
	char na[96], nb[96];
	const char *rest;

	if ((p = metric_phase(metric, &rest)) == PB_PH_MAX)
		return true;
	pb_result_phase_work(a, wa);
	pb_result_phase_work(b, wb);
	/* unknown on either side (no probes, an unlisted symbol): as before */
	if (!wa[p] || !wb[p] || wa[p] == wb[p])
		return true;
	pb_work_name(wa[p], na, sizeof(na));
	pb_work_name(wb[p], nb, sizeof(nb));
	snprintf(why, size, "%s covers %s in one, %s in the other", pb_phase_name(p), na, nb);
	return false;
}

bool pb_results_work_differs(const struct pb_result *a, const struct pb_result *b)
{
	unsigned int wa[PB_PH_MAX], wb[PB_PH_MAX], p;

	pb_result_phase_work(a, wa);
	pb_result_phase_work(b, wb);
	for (p = 0; p < PB_PH_MAX; p++)
		if (wa[p] && wb[p] && wa[p] != wb[p])
			return true;
	return false;
}

static const char *const group_stats[] = { ".p50_ns", ".p99_ns", ".p999_ns", ".mean_ns" };
#define N_GROUP_STATS (sizeof(group_stats) / sizeof(group_stats[0]))

size_t pb_group_metric_names(const struct pb_result *a, const struct pb_result *b,
			     char (*names)[64], size_t max)
{
	size_t g, s, n = 0;
	double v;

	for (g = 0; g < pb_nphase_groups; g++)
		for (s = 0; s < N_GROUP_STATS && n < max; s++) {
			snprintf(names[n], 64, "group.%s%s", pb_phase_groups[g].name, group_stats[s]);
			if (pb_result_group_metric(a, names[n], &v) &&
			    pb_result_group_metric(b, names[n], &v))
				n++;
		}
	return n;
}

struct json_object *pb_result_metrics_with_groups(const struct pb_result *r)
{
	struct json_object *m = NULL, *v;
	char name[64];
	size_t g, s;
	double x;

	if (r->metrics ? json_object_deep_copy(r->metrics, &m, NULL) : !(m = json_object_new_object()))
		return NULL;
	for (g = 0; g < pb_nphase_groups; g++)
		for (s = 0; s < N_GROUP_STATS; s++) {
			snprintf(name, sizeof(name), "group.%s%s", pb_phase_groups[g].name,
				 group_stats[s]);
			if (json_object_object_get_ex(m, name, NULL) ||
			    !pb_result_group_metric(r, name, &x))
				continue;
			if (!(v = json_object_new_double(x)) || json_object_object_add(m, name, v)) {
				json_object_put(v);
				json_object_put(m);
				return NULL;
			}
		}
	return m;
}
