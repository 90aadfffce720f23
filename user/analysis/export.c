// SPDX-License-Identifier: GPL-2.0
/* CSV tables for gnuplot and spreadsheets; see export.h for each table's
 * columns.  Missing values are written as NaN, which gnuplot skips. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "events.h"
#include "export.h"
#include "files.h"
#include "history.h"
#include "migration_fit.h"
#include "peelbench.h"
#include "phase.h"
#include "result.h"
#include "stats.h"

#define RESAMPLES 2000
#define CI_SEED 20261130

struct table {
	FILE *f;
	char path[4096], tmp[4200];
};

static int table_open(struct table *t, const char *dir, const char *name)
{
	if (mkdir(dir, 0775) && errno != EEXIST) {
		pb_err("export: cannot create folder %s: %s", dir, strerror(errno));
		return PB_EXIT_RUNTIME;
	}
	snprintf(t->path, sizeof(t->path), "%s/%s", dir, name);
	if (pb_special_file(t->path)) {
		pb_err("export: %s: not a regular file; refusing to replace it", t->path);
		return PB_EXIT_USAGE;
	}
	snprintf(t->tmp, sizeof(t->tmp), "%s.tmp.%d", t->path, (int)getpid());
	t->f = fopen(t->tmp, "w");
	if (!t->f) {
		pb_err("export: cannot write %s: %s", t->tmp, strerror(errno));
		return PB_EXIT_RUNTIME;
	}
	return 0;
}

/* Close and move into place; on an earlier failure (ret != 0) remove the
 * temporary file instead. */
static int table_close(struct table *t, int ret)
{
	bool bad = ferror(t->f);

	if (fclose(t->f) || bad) {
		if (!ret)
			pb_err("export: cannot write %s: %s", t->tmp, strerror(errno));
		ret = ret ? ret : PB_EXIT_RUNTIME;
	}
	if (!ret && rename(t->tmp, t->path)) {
		pb_err("export: cannot rename %s to %s: %s", t->tmp, t->path,
		       strerror(errno));
		ret = PB_EXIT_RUNTIME;
	}
	if (ret)
		unlink(t->tmp);
	return ret;
}

void pb_metric_ci(const struct pb_result *r, const char *metric, double *value,
		  struct pb_ci *ci, size_t *n, const char **source)
{
	enum pb_stat stat = PB_STAT_MEDIAN;
	const char *key = NULL;
	double *v = NULL;

	*value = NAN;
	pb_result_metric(r, metric, value);
	*n = pb_result_metric_samples(r, metric, &v, &key);
	*source = "samples";
	if (*n >= 2) {
		stat = pb_metric_stat(metric);
	} else {
		free(v);
		*n = pb_result_round_values(r, metric, &v);
		*source = "rounds";
	}
	if (*n < 2 || pb_bootstrap_stat(v, *n, stat, RESAMPLES, 0.95, CI_SEED, ci)) {
		ci->lo = ci->hi = *value;
		*n = 0;
		*source = "none";
	}
	free(v);
}

static int write_metrics(const struct pb_result *r, const char *dir)
{
	struct table t;
	char name[512];
	int ret;

	snprintf(name, sizeof(name), "%s.metrics.csv", r->tag);
	if ((ret = table_open(&t, dir, name)))
		return ret;
	fprintf(t.f, "metric,value,ci_lo,ci_hi,n,source\n");
	json_object_object_foreach(r->metrics, k, v) {
		struct pb_ci ci;
		const char *src;
		double val;
		size_t n;

		(void)v;
		pb_metric_ci(r, k, &val, &ci, &n, &src);
		fprintf(t.f, "%s,%.15g,%.15g,%.15g,%zu,%s\n", k, val, ci.lo, ci.hi,
			n, src);
	}
	return table_close(&t, 0);
}

static int write_phase(const struct pb_result *r, const char *phase,
		       struct json_object *ph, const char *dir)
{
	struct json_object *hist;
	double total = 0, cum = 0;
	struct table t;
	char name[512];
	size_t i, n;
	int ret;

	if (!json_object_object_get_ex(ph, "hist", &hist))
		return 0;
	n = json_object_array_length(hist);
	for (i = 0; i < n; i++)
		total += json_object_get_double(
			json_object_array_get_idx(json_object_array_get_idx(hist, i), 1));
	snprintf(name, sizeof(name), "%s.phase-%s.csv", r->tag, phase);
	if ((ret = table_open(&t, dir, name)))
		return ret;
	fprintf(t.f, "lower_ns,upper_ns,count,fraction,cdf\n");
	for (i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(hist, i);
		double lo = json_object_get_double(json_object_array_get_idx(b, 0));
		double c = json_object_get_double(json_object_array_get_idx(b, 1));
		double hi = i + 1 < n ? json_object_get_double(json_object_array_get_idx(
					json_object_array_get_idx(hist, i + 1), 0)) :
			    (lo > 0 ? 2 * lo : 1);

		/* A zero lower bound cannot sit on a log axis. */
		if (lo <= 0)
			lo = hi / 2;
		cum += c;
		fprintf(t.f, "%.15g,%.15g,%.15g,%.15g,%.15g\n", lo, hi, c,
			total ? c / total : 0, total ? cum / total : 0);
	}
	return table_close(&t, 0);
}

/* An event's PHASE_ns (README: trace.events); NAN when not measured. */
static double event_value(struct json_object *ev, const char *phase)
{
	struct json_object *o;
	char key[96];

	snprintf(key, sizeof(key), "%s_ns", phase);
	if (json_object_object_get_ex(ev, key, &o) && o)
		return json_object_get_double(o);
	return NAN;
}

/* Whether the trace was calibrated: its events carry PHASE_comp_ns. */
static bool trace_compensated(struct json_object *trace)
{
	struct json_object *cal, *v;

	return trace && json_object_object_get_ex(trace, "calibration", &cal) &&
	       json_object_object_get_ex(cal, "compensated", &v) && json_object_get_boolean(v);
}

struct event_table {
	FILE *f;
	bool comp;
};

static int event_row(struct json_object *ev, void *ctx)
{
	struct event_table *t = ctx;
	struct json_object *o;
	char key[32];
	size_t j;

	if (json_object_object_get_ex(ev, "parent_rq_len", &o))
		fprintf(t->f, "%.15g", json_object_get_double(o));
	else
		fprintf(t->f, "NaN");
	for (j = 0; j < PB_PH_MAX; j++)
		fprintf(t->f, ",%.15g", event_value(ev, pb_phase_name(j)));
	for (j = 0; t->comp && j < PB_PH_MAX; j++) {
		snprintf(key, sizeof(key), "%s_comp", pb_phase_name(j));
		fprintf(t->f, ",%.15g", event_value(ev, key));
	}
	fputc('\n', t->f);
	return 0;	/* a failed write: table_close sees it */
}

/* TAG.events.csv, streamed from the events (inline or the sidecar);
 * a calibrated trace's compensated times (PHASE_comp_ns) after the raw. */
static int write_events(const struct pb_result *r, const char *dir)
{
	struct event_table et = { .comp = trace_compensated(r->trace) };
	struct table t;
	char name[512];
	size_t j;
	int ret;

	if (!pb_events_present(r->trace))
		return 0;
	snprintf(name, sizeof(name), "%s.events.csv", r->tag);
	if ((ret = table_open(&t, dir, name)))
		return ret;
	fprintf(t.f, "parent_rq_len");
	for (j = 0; j < PB_PH_MAX; j++)
		fprintf(t.f, ",%s_ns", pb_phase_name(j));
	for (j = 0; et.comp && j < PB_PH_MAX; j++)
		fprintf(t.f, ",%s_comp_ns", pb_phase_name(j));
	fputc('\n', t.f);
	et.f = t.f;
	ret = pb_events_foreach(r->trace, r->path, event_row, &et, NULL);
	return table_close(&t, ret);
}

/* TAG.fit.csv: the migration fit (migration_fit.h), when there is one. */
static int write_fit(const struct pb_result *r, const struct pb_migration_fit *fit,
		     const char *dir)
{
	const struct pb_slope *s = &fit->fit;
	struct table t;
	char name[512];
	int ret;

	if (!fit->ok)
		return 0;
	snprintf(name, sizeof(name), "%s.fit.csv", r->tag);
	if ((ret = table_open(&t, dir, name)))
		return ret;
	fprintf(t.f, "method,phase,ns_per_msg,ci_lo,ci_hi,intercept_ns,x_med,y_med,events,pairs,sampled\n");
	fprintf(t.f, "theil-sen,%s,%.15g,%.15g,%.15g,%.15g,%.15g,%.15g,%zu,%llu,%d\n", fit->phase,
		s->slope, s->ci.lo, s->ci.hi, s->intercept, s->x_med, s->y_med, s->n,
		(unsigned long long)s->pairs, s->sampled);
	return table_close(&t, 0);
}

int pb_export_result(const struct pb_result *r, const char *dir,
		     size_t *tables_out)
{
	struct pb_migration_fit fit;
	struct json_object *phases;
	size_t np = 1;
	int ret;

	if ((ret = write_metrics(r, dir)) || (ret = write_events(r, dir)) ||
	    (ret = pb_migration_fit(r->trace, r->path, &fit)) ||
	    (ret = write_fit(r, &fit, dir)))
		return ret;
	np += pb_events_present(r->trace) + fit.ok;
	if (r->trace && json_object_object_get_ex(r->trace, "phases", &phases)) {
		json_object_object_foreach(phases, k, v) {
			if ((ret = write_phase(r, k, v, dir)))
				return ret;
			np++;
		}
	}
	if (tables_out)
		*tables_out = np;
	return 0;
}

static double config_number(const struct pb_result *r, const char *key)
{
	struct json_object *o;

	if (r->config && json_object_object_get_ex(r->config, key, &o) &&
	    (json_object_is_type(o, json_type_int) ||
	     json_object_is_type(o, json_type_double)))
		return json_object_get_double(o);
	return NAN;
}

struct sweep_row {
	double assocs;
	const struct pb_result *r;
};

static int cmp_sweep(const void *a, const void *b)
{
	double x = ((const struct sweep_row *)a)->assocs;
	double y = ((const struct sweep_row *)b)->assocs;

	return (x > y) - (x < y);
}

int pb_export_sweep(struct pb_result *const *rs, size_t n, const char *dir,
		    size_t *rows)
{
	struct sweep_row *sw = calloc(n ? n : 1, sizeof(*sw));
	struct table t;
	size_t i, k = 0;
	int ret;

	*rows = 0;
	if (!sw) {
		pb_err("export: out of memory");
		return PB_EXIT_RUNTIME;
	}
	for (i = 0; i < n; i++) {
		double a = config_number(rs[i], "assocs");

		if (!isnan(a))
			sw[k++] = (struct sweep_row){ a, rs[i] };
	}
	qsort(sw, k, sizeof(*sw), cmp_sweep);
	if ((ret = table_open(&t, dir, "sweep.csv"))) {
		free(sw);
		return ret;
	}
	fprintf(t.f, "assocs,tag,peel_per_s,peel_lo,peel_hi,p99_ns,p99_lo,p99_hi\n");
	for (i = 0; i < k; i++) {
		struct pb_ci pc, lc;
		const char *src;
		double pv, lv;
		size_t m;

		pb_metric_ci(sw[i].r, "peel_per_s", &pv, &pc, &m, &src);
		pb_metric_ci(sw[i].r, "latency.p99_ns", &lv, &lc, &m, &src);
		fprintf(t.f, "%.15g,%s,%.15g,%.15g,%.15g,%.15g,%.15g,%.15g\n",
			sw[i].assocs, sw[i].r->tag, pv, pc.lo, pc.hi, lv, lc.lo, lc.hi);
	}
	*rows = k;
	free(sw);
	return table_close(&t, 0);
}

/* One row of phases.csv: label, then each result's metric with its CI. */
static void phases_row(FILE *f, const char *label, const char *metric,
		       struct pb_result *const *rs, size_t n)
{
	size_t i, m;

	fprintf(f, "%s", label);
	for (i = 0; i < n; i++) {
		struct pb_ci ci;
		const char *src;
		double v;

		pb_metric_ci(rs[i], metric, &v, &ci, &m, &src);
		fprintf(f, ",%.15g,%.15g,%.15g", v, ci.lo, ci.hi);
	}
	fputc('\n', f);
}

static bool any_has(struct pb_result *const *rs, size_t n, const char *metric)
{
	size_t i;
	double v;

	for (i = 0; i < n; i++)
		if (pb_result_metric(rs[i], metric, &v))
			return true;
	return false;
}

/* Each phase's p50 row; where a result is calibrated, the compensated p50
 * (phase.P.comp.p50_ns) on the next row, "P compensated". */
int pb_export_phases(struct pb_result *const *rs, size_t n, const char *dir)
{
	char metric[64], comp[64], label[96], why[160];
	bool differs = false;
	struct table t;
	size_t i, j;
	int ret;

	if ((ret = table_open(&t, dir, "phases.csv")))
		return ret;
	fprintf(t.f, "phase");
	for (i = 0; i < n; i++)
		fprintf(t.f, ",%s_p50,%s_lo,%s_hi", rs[i]->tag, rs[i]->tag, rs[i]->tag);
	fputc('\n', t.f);
	for (j = 0; j < PB_PH_MAX; j++) {
		bool same = true;

		snprintf(metric, sizeof(metric), "phase.%s.p50_ns", pb_phase_name(j));
		snprintf(comp, sizeof(comp), "phase.%s.comp.p50_ns", pb_phase_name(j));
		/* a phase that covers other work on another kernel (phase_work.h)
		 * says so under its bars; its group follows */
		for (i = 1; i < n; i++)
			same &= pb_results_comparable(rs[0], rs[i], metric, why, sizeof(why));
		differs |= !same;
		snprintf(label, sizeof(label), "%s%s", pb_phase_name(j), same ? "" : " (not comparable)");
		phases_row(t.f, label, metric, rs, n);
		if (!any_has(rs, n, comp))
			continue;
		snprintf(label, sizeof(label), "%s compensated%s", pb_phase_name(j),
			 same ? "" : " (not comparable)");
		phases_row(t.f, label, comp, rs, n);
	}
	for (j = 0; differs && j < pb_nphase_groups; j++) {
		snprintf(metric, sizeof(metric), "group.%s.p50_ns", pb_phase_groups[j].name);
		snprintf(label, sizeof(label), "%s (group)", pb_phase_groups[j].name);
		phases_row(t.f, label, metric, rs, n);
		snprintf(metric, sizeof(metric), "group.%s.comp.p50_ns", pb_phase_groups[j].name);
		snprintf(label, sizeof(label), "%s compensated (group)", pb_phase_groups[j].name);
		if (any_has(rs, n, metric))
			phases_row(t.f, label, metric, rs, n);
	}
	return table_close(&t, 0);
}

int pb_export_history(const char *metric, const struct pb_history_point *p,
		      size_t n, const struct pb_cp *cps, size_t ncp,
		      const char *dir)
{
	struct table t;
	char name[512];
	size_t i, c = 0, seg_start = 0;
	int ret;

	snprintf(name, sizeof(name), "history-%s.csv", metric);
	if ((ret = table_open(&t, dir, name)))
		return ret;
	fprintf(t.f, "index,time,value,segment_mean,change_pct\n");
	for (i = 0; i < n; i++) {
		size_t seg_end = c < ncp ? cps[c].index : n, k;
		double mean = 0;

		if (i == seg_end) {
			seg_start = seg_end;
			c++;
			seg_end = c < ncp ? cps[c].index : n;
		}
		for (k = seg_start; k < seg_end; k++)
			mean += p[k].value;
		mean /= seg_end - seg_start;
		fprintf(t.f, "%zu,%s,%.15g,%.15g,", i, p[i].created, p[i].value, mean);
		if (c > 0 && cps[c - 1].index == i)
			fprintf(t.f, "%.15g\n", cps[c - 1].change_pct);
		else
			fprintf(t.f, "NaN\n");
	}
	return table_close(&t, 0);
}

int pb_export_tags_distinct(struct pb_result *const *rs, size_t n, const char *cmd)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(rs[i]->tag, rs[j]->tag)) {
				pb_err("%s: %s and %s have one name, '%s': their tables would overwrite each other; copy one to another name",
				       cmd, rs[j]->path, rs[i]->path, rs[i]->tag);
				return PB_EXIT_USAGE;
			}
	return 0;
}
