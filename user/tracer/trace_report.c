// SPDX-License-Identifier: GPL-2.0
/* The tracer's report (trace.h): the per-CPU maps summed into counters,
 * errno counts and histograms, per round and in total, as JSON or text;
 * exact percentiles from the events when none was dropped. */
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "peelbench.h"
#include "stats.h"
#include "trace_priv.h"

/* Sum a per-CPU u64 array of n entries into out[n]. */
static void read_percpu_u64(struct tracer *t, struct bpf_map *map, __u32 n, __u64 *out)
{
	int fd = bpf_map__fd(map), c;
	__u64 *vals = calloc(t->ncpu, sizeof(__u64));
	__u32 k;

	memset(out, 0, n * sizeof(*out));
	if (!vals)
		return;
	for (k = 0; k < n; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (c = 0; c < t->ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
}

/* The per-CPU totals (phase count/sum/max and counters), summed. */
static void read_totals(struct tracer *t, struct pb_totals *out)
{
	struct pb_totals *v = calloc(t->ncpu, sizeof(*v));
	__u32 zero = 0, ph, k;
	int c;

	memset(out, 0, sizeof(*out));
	if (!v || bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.totals), &zero, v)) {
		free(v);
		return;
	}
	for (c = 0; c < t->ncpu; c++) {
		for (ph = 0; ph < PB_PH_MAX; ph++) {
			out->ph[ph].count += v[c].ph[ph].count;
			out->ph[ph].sum_ns += v[c].ph[ph].sum_ns;
			if (v[c].ph[ph].max_ns > out->ph[ph].max_ns)
				out->ph[ph].max_ns = v[c].ph[ph].max_ns;
			out->comp[ph].count += v[c].comp[ph].count;
			out->comp[ph].sum_ns += v[c].comp[ph].sum_ns;
			if (v[c].comp[ph].max_ns > out->comp[ph].max_ns)
				out->comp[ph].max_ns = v[c].comp[ph].max_ns;
		}
		for (k = 0; k < PB_C_MAX; k++)
			out->counters[k] += v[c].counters[k];
	}
	free(v);
}

/* One histogram map and its totals into h[PB_PH_MAX]. */
static void read_hists(struct tracer *t, struct bpf_map *map, const struct pb_phase_stat *tot,
		       __u64 *slots, struct hist *h)
{
	__u32 ph;

	if (slots) {
		read_percpu_u64(t, map, PB_PH_MAX * PB_HIST_BUCKETS, slots);
		for (ph = 0; ph < PB_PH_MAX; ph++)
			memcpy(h[ph].slot, slots + ph * PB_HIST_BUCKETS, sizeof(h[ph].slot));
	}
	for (ph = 0; ph < PB_PH_MAX; ph++) {
		h[ph].count = tot[ph].count;
		h[ph].sum_ns = tot[ph].sum_ns;
		h[ph].max_ns = tot[ph].max_ns;
	}
}

static void read_snapshot(struct tracer *t, struct snapshot *s)
{
	__u64 *slots = malloc(sizeof(__u64) * PB_PH_MAX * PB_HIST_BUCKETS);
	struct pb_totals tot;

	memset(s, 0, sizeof(*s));
	read_totals(t, &tot);
	memcpy(s->counters, tot.counters, sizeof(s->counters));
	read_percpu_u64(t, t->skel->maps.errors, PB_MAX_ERRNO, s->errors);
	read_hists(t, t->skel->maps.hists, tot.ph, slots, s->ph);
	if (calib_usable(&t->calib))
		read_hists(t, t->skel->maps.comp_hists, tot.comp, slots, s->comp);
	free(slots);
}

static bool phase_available(const struct tracer *t, __u32 ph)
{
	return t->plan.hook[ph].attach != PB_ATTACH_UNAVAILABLE;
}

/* Exact percentiles from the events of successful peeloffs, replacing the
 * histogram's when no event was dropped. */
static void exact_from_events(struct tracer *t, __u32 ph, bool comp, struct json_object *o)
{
	static const struct { const char *key; double p; } pcts[] = {
		{ "p50_ns", 0.50 }, { "p90_ns", 0.90 }, { "p99_ns", 0.99 }, { "p999_ns", 0.999 },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		if (tev_percentile(t, ph, comp, pcts[i].p, &v))
			json_object_object_add(o, pcts[i].key, json_object_new_int64((int64_t)v));
}

/* phases.P.compensated: the figures of hist_json without the buckets. */
static struct json_object *comp_json(struct tracer *t, const struct hist *h, __u32 ph, bool exact)
{
	struct json_object *o = hist_json(h);

	json_object_object_del(o, "hist");
	if (exact)
		exact_from_events(t, ph, true, o);
	return o;
}

static struct json_object *summary_json(struct tracer *t, const struct snapshot *s,
					bool with_exact)
{
	struct json_object *o = json_object_new_object(), *po, *errs, *phases;
	bool exact = with_exact && t->opts.events && !s->counters[PB_C_DROPS];
	__u32 ph, e;

	po = json_object_new_object();
	json_object_object_add(po, "attempts", json_object_new_int64((int64_t)s->counters[PB_C_ATTEMPTS]));
	json_object_object_add(po, "ok", json_object_new_int64((int64_t)s->counters[PB_C_OK]));
	errs = json_object_new_object();
	for (e = 1; e < PB_MAX_ERRNO; e++)
		if (s->errors[e])
			json_object_object_add(errs, pb_errno_name((int)e),
					       json_object_new_int64((int64_t)s->errors[e]));
	json_object_object_add(po, "errors", errs);
	json_object_object_add(o, "peeloff", po);
	json_object_object_add(o, "accept_migrations",
			       t->plan.hook[PB_HOOK_ACCEPT].attach == PB_ATTACH_UNAVAILABLE ? NULL :
			       json_object_new_int64((int64_t)s->counters[PB_C_ACCEPT_MIGRATIONS]));
	phases = json_object_new_object();
	for (ph = 0; ph < PB_PH_MAX; ph++) {
		struct json_object *h;
		bool ex = exact && !t->tev.x[0][ph].over;

		if (!phase_available(t, ph))
			continue;
		h = hist_json(&s->ph[ph]);
		if (ex)
			exact_from_events(t, ph, false, h);
		if (calib_usable(&t->calib))
			json_object_object_add(h, "compensated", comp_json(t, &s->comp[ph], ph, exact));
		json_object_object_add(h, "percentiles_from",
				       json_object_new_string(ex ? "events" : "histogram"));
		json_object_object_add(phases, probe_phase_name(ph), h);
	}
	json_object_object_add(o, "phases", phases);
	json_object_object_add(o, "drops", json_object_new_int64((int64_t)s->counters[PB_C_DROPS]));
	if (s->counters[PB_C_NOSTATE])
		json_object_object_add(o, "untraced_calls",
				       json_object_new_int64((int64_t)s->counters[PB_C_NOSTATE]));
	return o;
}

void tracer_round(struct tracer *t)
{
	struct snapshot *now = malloc(sizeof(*now)), *d = calloc(1, sizeof(*d));
	__u32 i;

	if (!now || !d || !t->last) {
		free(now);
		free(d);
		return;
	}
	read_snapshot(t, now);
	for (i = 0; i < PB_PH_MAX; i++) {
		hist_sub(&d->ph[i], &now->ph[i], &t->last->ph[i]);
		hist_sub(&d->comp[i], &now->comp[i], &t->last->comp[i]);
	}
	for (i = 0; i < PB_C_MAX; i++)
		d->counters[i] = now->counters[i] - t->last->counters[i];
	for (i = 0; i < PB_MAX_ERRNO; i++)
		d->errors[i] = now->errors[i] - t->last->errors[i];
	json_object_array_add(t->rounds, summary_json(t, d, false));
	free(t->last);
	t->last = now;
	free(d);
}

struct json_object *tracer_last_round(struct tracer *t)
{
	size_t n = json_object_array_length(t->rounds);

	return n ? json_object_array_get_idx(t->rounds, n - 1) : NULL;
}

struct json_object *tracer_json(struct tracer *t)
{
	struct snapshot *s = malloc(sizeof(*s));
	struct json_object *o, *sum;

	if (!s)
		return NULL;
	read_snapshot(t, s);
	o = json_object_new_object();
	json_object_object_add(o, "kernel", json_object_new_string(t->kernel));
	json_object_object_add(o, "probes", probe_plan_json(&t->plan));
	if (t->calib.done)
		json_object_object_add(o, "calibration", calib_json(&t->calib));
	sum = summary_json(t, s, true);
	json_object_object_foreach(sum, k, v)
		json_object_object_add(o, k, json_object_get(v));
	json_object_put(sum);
	if (json_object_array_length(t->rounds))
		json_object_object_add(o, "rounds", json_object_get(t->rounds));
	/* the events themselves are in the sidecar, one JSON line each */
	if (t->opts.events) {
		json_object_object_add(o, "events_written", json_object_new_int64(
			(int64_t)(tev_file_name(t) ? t->tev.received : 0)));
		if (tev_file_name(t))
			json_object_object_add(o, "events_file", json_object_new_string(tev_file_name(t)));
	}
	free(s);
	return o;
}

void tracer_print(struct tracer *t, FILE *f)
{
	struct snapshot *s = malloc(sizeof(*s));
	bool any = false;
	__u32 ph, e;

	if (!s)
		return;
	read_snapshot(t, s);
	fprintf(f, "kernel %s\n", t->kernel);
	if (t->calib.done) {
		struct json_object *cal = calib_json(&t->calib);

		calib_print_json(cal, f);
		json_object_put(cal);
	}
	fputc('\n', f);
	for (ph = 0; ph < PB_PH_MAX; ph++) {
		const struct probe_choice *c = &t->plan.hook[ph];

		if (!phase_available(t, ph)) {
			fprintf(f, "%-14s unavailable: %s\n", c->phase, c->reason);
			continue;
		}
		fprintf(f, "%s (%s %s%s)\n", c->phase, probe_attach_name(c->attach), c->symbol,
			c->enclosing ? ", enclosing" : "");
		hist_print(&s->ph[ph], "", f);
		if (calib_usable(&t->calib) && s->comp[ph].count)
			fprintf(f, "  compensated: p50 %llu ns  p99 %llu ns  mean %.0f ns\n",
				(unsigned long long)hist_percentile(&s->comp[ph], 0.5),
				(unsigned long long)hist_percentile(&s->comp[ph], 0.99),
				hist_mean(&s->comp[ph]));
	}
	fprintf(f, "\npeeloff: attempts %llu  ok %llu  failed %llu",
		(unsigned long long)s->counters[PB_C_ATTEMPTS],
		(unsigned long long)s->counters[PB_C_OK],
		(unsigned long long)(s->counters[PB_C_ATTEMPTS] - s->counters[PB_C_OK]));
	for (e = 1; e < PB_MAX_ERRNO; e++) {
		if (!s->errors[e])
			continue;
		fprintf(f, "%s%s %llu", any ? ", " : " (", pb_errno_name((int)e),
			(unsigned long long)s->errors[e]);
		any = true;
	}
	fprintf(f, "%s\n", any ? ")" : "");
	if (t->plan.hook[PB_HOOK_ACCEPT].attach != PB_ATTACH_UNAVAILABLE)
		fprintf(f, "accept() migrations (not peeloffs): %llu\n",
			(unsigned long long)s->counters[PB_C_ACCEPT_MIGRATIONS]);
	else
		fprintf(f, "accept() migrations: unavailable (%s)\n",
			t->plan.hook[PB_HOOK_ACCEPT].reason);
	if (t->opts.events)
		fprintf(f, "events: %llu received, %llu dropped (ring buffer full)\n", t->tev.received,
			(unsigned long long)s->counters[PB_C_DROPS]);
	if (s->counters[PB_C_NOSTATE])
		fprintf(f, "untraced calls (task map full): %llu\n",
			(unsigned long long)s->counters[PB_C_NOSTATE]);
	free(s);
}

int tracer_events_commit(struct tracer *t)
{
	return t ? tev_commit(t) : 0;
}

unsigned long long tracer_peeloff_ok(struct tracer *t)
{
	struct pb_totals tot;

	if (!t || !t->skel)
		return 0;
	read_totals(t, &tot);
	return tot.counters[PB_C_OK];
}

