// SPDX-License-Identifier: GPL-2.0
/* overhead's result (overhead.h): per mode its rate, ratio and time added
 * per call with 95 % bootstrap CIs, the rounds, bpf_stats; with
 * --calibrate the tracer's phase p50s per block, raw and compensated, and
 * its plan and calibration; the peers skipped and why.  JSON and text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <json-c/json.h>

#include "overhead.h"
#include "peelbench.h"
#include "probes.h"
#include "stats.h"
#include "trace.h"

static struct json_object *jd(double v)
{
	return json_object_new_double(v);
}

enum per_round { R_RATE, R_RATIO, R_P50, R_SECS };

static struct json_object *jrounds(const struct bench_blocks *bb, unsigned int arm,
				   enum per_round what)
{
	struct json_object *a = json_object_new_array();
	unsigned int r;

	for (r = 0; r < bb->done; r++)
		json_object_array_add(a, jd(what == R_RATIO ? bench_blocks_ratio(bb, r, arm) :
					   what == R_RATE ? bench_blocks_at(bb, r, arm)->rate :
					   what == R_SECS ? bench_blocks_at(bb, r, arm)->secs :
					   bench_blocks_at(bb, r, arm)->p50));
	return a;
}

/* The tracer's count per round, and whether it saw every peeloff. */
static struct json_object *traced_json(const struct bench_blocks *bb, unsigned int arm,
				       bool *all_seen)
{
	struct json_object *seen = json_object_new_array();
	unsigned int r;

	*all_seen = true;
	for (r = 0; r < bb->done; r++) {
		const struct bench_block *b = bench_blocks_at(bb, r, arm);

		json_object_array_add(seen, json_object_new_int64((int64_t)b->seen));
		if (b->seen != b->ok)
			*all_seen = false;
	}
	return seen;
}

static struct json_object *jci(const struct pb_ci *ci)
{
	struct json_object *a = json_object_new_array();

	json_object_array_add(a, jd(ci->lo));
	json_object_array_add(a, jd(ci->hi));
	return a;
}

/* A block's p50 of phase name, raw or compensated; 0 when absent. */
static double phase_p50(struct json_object *blk, const char *name, bool comp)
{
	struct json_object *p = json_object_object_get(json_object_object_get(blk, "phases"), name);

	if (comp)
		p = json_object_object_get(p, "compensated");
	p = json_object_object_get(p, "p50_ns");
	return p ? json_object_get_double(p) : 0;
}

/* --calibrate: per phase the tracer timed, its p50 in every block, raw and
 * compensated, and their medians over the rounds. */
static struct json_object *phases_json(struct ovh *o, unsigned int m)
{
	struct json_object *res = json_object_new_object(), *first = o->blk[m], *ph;
	double *v = calloc((size_t)o->bb.done * 2 + 1, sizeof(double));
	unsigned int r, k;

	ph = json_object_object_get(first, "phases");
	json_object_object_foreach(ph, name, unused) {
		struct json_object *p = json_object_new_object(), *a[2];

		(void)unused;
		a[0] = json_object_new_array();
		a[1] = json_object_new_array();
		for (r = 0; v && r < o->bb.done; r++) {
			struct json_object *b = o->blk[r * M_MAX + m];

			v[r] = phase_p50(b, name, false);
			v[o->bb.done + r] = phase_p50(b, name, true);
			for (k = 0; k < 2; k++)
				json_object_array_add(a[k], jd(v[k * o->bb.done + r]));
		}
		json_object_object_add(p, "p50_ns", jd(v ? pb_median(v, o->bb.done) : 0));
		json_object_object_add(p, "comp_p50_ns",
				       jd(v ? pb_median(v + o->bb.done, o->bb.done) : 0));
		json_object_object_add(p, "rounds_p50_ns", a[0]);
		json_object_object_add(p, "rounds_comp_p50_ns", a[1]);
		json_object_object_add(res, name, p);
	}
	free(v);
	return res;
}

/* The tracer's plan and calibration, with its phases per block. */
static void trace_json(struct ovh *o, unsigned int m, struct json_object *mo)
{
	struct json_object *tj;

	if (!o->blk || !o->t[m] || m == M_FLOOR || !o->blk[m])
		return;
	tj = tracer_json(o->t[m]);
	json_object_object_add(mo, "probes", json_object_get(json_object_object_get(tj, "probes")));
	json_object_object_add(mo, "calibration",
			       json_object_get(json_object_object_get(tj, "calibration")));
	json_object_put(tj);
	json_object_object_add(mo, "phases", phases_json(o, m));
}

/* How the blocks were sized and set up, and the untraced blocks that
 * lasted less than --block-time. */
static struct json_object *blocks_json(struct ovh *o)
{
	struct json_object *b = json_object_new_object();
	const struct bench_blocks *bb = &o->bb;
	double target = o->cfg.block_ns / 1e9, shortest;
	unsigned int nshort = bench_blocks_short(bb, 0, target, &shortest);

	json_object_object_add(b, "sized", json_object_new_boolean(!o->cfg.block));
	json_object_object_add(b, "target_s", jd(target));
	json_object_object_add(b, "sizing_peel_per_s", o->cfg.block ? NULL : jd(bb->sizing_rate));
	json_object_object_add(b, "peeloffs", json_object_new_int((int)bb->block));
	json_object_object_add(b, "warmup", json_object_new_int((int)bb->warmup));
	json_object_object_add(b, "untraced_shortest_s", jd(shortest));
	json_object_object_add(b, "untraced_short", json_object_new_int((int)nshort));
	json_object_object_add(b, "setup_assocs", json_object_new_int64((int64_t)bb->setup_n));
	json_object_object_add(b, "setup_s", jd(bb->setup_s));
	return b;
}

/* One mode's object of the result. */
static struct json_object *mode_json(struct ovh *o, unsigned int arm, double *ratio)
{
	struct json_object *m = json_object_new_object(), *cis = NULL, *seen = NULL;
	unsigned int i = o->mode[arm];
	struct bench_arm_summary s;
	bool all_seen = true;

	bench_blocks_summary(&o->bb, arm, 0x5eed + i, &s);
	json_object_object_add(m, "mode", json_object_new_string(ovh_modes[i].name));
	json_object_object_add(m, "what", json_object_new_string(ovh_modes[i].what));
	json_object_object_add(m, "peel_per_s", jd(s.peel_per_s));
	json_object_object_add(m, "call_p50_ns", jd(s.call_p50_ns));
	json_object_object_add(m, "ratio", jd(s.ratio));
	if (s.has_ci)
		cis = jci(&s.ratio_ci95);
	json_object_object_add(m, "ratio_ci95", cis);
	json_object_object_add(m, "added_ns_per_call", jd(s.added_ns));
	json_object_object_add(m, "added_ci95", s.has_ci ? jci(&s.added_ci95) : NULL);
	json_object_object_add(m, "block_s_p50", jd(s.block_secs));
	trace_json(o, i, m);
	json_object_object_add(m, "rounds_peel_per_s", jrounds(&o->bb, arm, R_RATE));
	json_object_object_add(m, "rounds_ratio", jrounds(&o->bb, arm, R_RATIO));
	json_object_object_add(m, "rounds_call_p50_ns", jrounds(&o->bb, arm, R_P50));
	json_object_object_add(m, "rounds_block_s", jrounds(&o->bb, arm, R_SECS));
	if (i != M_NONE && !ovh_is_peer(i))
		seen = traced_json(&o->bb, arm, &all_seen);
	json_object_object_add(m, "peeled", json_object_new_int64((int64_t)s.peeled));
	json_object_object_add(m, "rounds_traced_ok", seen);
	/* the floor's programs filter us out: they count nothing */
	json_object_object_add(m, "tracer_saw_every_peeloff",
			       i == M_NONE || i == M_FLOOR || ovh_is_peer(i) ? NULL :
			       json_object_new_boolean(all_seen));
	if (i != M_NONE && !ovh_is_peer(i)) {
		json_object_object_add(m, "bpf_stats", json_object_get(o->progs[i]));
		json_object_object_add(m, "bpf_ns_per_peeloff",
				       o->progs[i] ? jd(o->bpf_ns_per_peel[i]) : NULL);
	}
	*ratio = s.ratio;
	return m;
}

/* The peers asked for and skipped: [{mode, reason}]. */
static struct json_object *skipped_json(struct ovh *o)
{
	struct json_object *a = json_object_new_array(), *e;
	unsigned int m;

	for (m = 0; m < M_MAX; m++) {
		if (!o->peer[m].skipped)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "mode", json_object_new_string(ovh_modes[m].name));
		json_object_object_add(e, "reason", json_object_new_string(o->peer[m].reason));
		json_object_array_add(a, e);
	}
	return a;
}

struct json_object *ovh_result_json(struct ovh *o, struct json_object *stats_note,
				    bool *below)
{
	struct json_object *res = json_object_new_object(), *arr = json_object_new_array();
	unsigned int arm;
	struct utsname u;
	double ratio;

	uname(&u);
	json_object_object_add(res, "kernel", json_object_new_string(u.release));
	json_object_object_add(res, "rounds", json_object_new_int((int)o->bb.done));
	json_object_object_add(res, "block", json_object_new_int((int)o->bb.block));
	json_object_object_add(res, "blocks", blocks_json(o));
	json_object_object_add(res, "min_ratio", o->cfg.min_ratio > 0 ? jd(o->cfg.min_ratio) : NULL);
	*below = false;
	for (arm = 0; arm < o->bb.narms; arm++) {
		json_object_array_add(arr, mode_json(o, arm, &ratio));
		if (arm && o->cfg.min_ratio > 0 && ratio < o->cfg.min_ratio)
			*below = true;
	}
	json_object_object_add(res, "modes", arr);
	json_object_object_add(res, "skipped", skipped_json(o));
	json_object_object_add(res, "bpf_stats_unavailable", stats_note);
	json_object_object_add(res, "complete",
			       json_object_new_boolean(o->bb.done == o->cfg.rounds));
	return res;
}

static double jdbl(struct json_object *o, const char *k)
{
	return json_object_get_double(json_object_object_get(o, k));
}

static void ci_text(struct json_object *ci, const char *fmt, double scale, char *buf, size_t len)
{
	*buf = 0;
	if (ci)
		snprintf(buf, len, fmt,
			 json_object_get_double(json_object_array_get_idx(ci, 0)) * scale,
			 json_object_get_double(json_object_array_get_idx(ci, 1)) * scale);
}

/* --calibrate: each tracer's phases, median over blocks of the p50. */
static void print_phases(struct json_object *arr)
{
	size_t i, n = json_object_array_length(arr);
	bool head = false;

	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(arr, i);
		struct json_object *ph = json_object_object_get(m, "phases");

		if (!ph)
			continue;
		if (!head)
			printf("phase p50 per block, median over rounds:   raw  compensated\n");
		head = true;
		json_object_object_foreach(ph, name, p)
			printf("  %-11s %-14s %9.1f us %9.1f us\n",
			       json_object_get_string(json_object_object_get(m, "mode")), name,
			       jdbl(p, "p50_ns") / 1e3, jdbl(p, "comp_p50_ns") / 1e3);
	}
}

static void print_stats(struct json_object *arr)
{
	size_t i, j, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(arr, i);
		struct json_object *st = json_object_object_get(m, "bpf_stats");

		if (!st)
			continue;
		printf("bpf_stats, %s: %.0f ns of BPF per peeloff\n",
		       json_object_get_string(json_object_object_get(m, "mode")),
		       jdbl(m, "bpf_ns_per_peeloff"));
		for (j = 0; j < json_object_array_length(st); j++) {
			struct json_object *p = json_object_array_get_idx(st, j);

			printf("  %-24s %8lld hits %8.0f ns/hit\n",
			       json_object_get_string(json_object_object_get(p, "prog")),
			       (long long)json_object_get_int64(json_object_object_get(p, "run_cnt")),
			       jdbl(p, "ns_per_hit"));
		}
	}
}

void ovh_print_text(struct json_object *res)
{
	struct json_object *arr = json_object_object_get(res, "modes"), *m, *st;
	size_t i, n = json_object_array_length(arr);

	struct json_object *b = json_object_object_get(res, "blocks");
	long long na = json_object_get_int64(json_object_object_get(b, "setup_assocs"));

	printf("tracer overhead on %s: %d rounds x %d peeloffs per mode (+%d warm-up), interleaved\n",
	       json_object_get_string(json_object_object_get(res, "kernel")),
	       json_object_get_int(json_object_object_get(res, "rounds")),
	       json_object_get_int(json_object_object_get(res, "block")),
	       json_object_get_int(json_object_object_get(b, "warmup")));
	printf("setup and teardown, untimed: %lld associations in %.1f s (%.0f us each)\n",
	       na, jdbl(b, "setup_s"), na ? jdbl(b, "setup_s") * 1e6 / (double)na : 0);
	if (json_object_get_int(json_object_object_get(b, "untraced_short")))
		printf("warning: %d of %d untraced blocks lasted less than %.2f s (shortest %.3f s)\n",
		       json_object_get_int(json_object_object_get(b, "untraced_short")),
		       json_object_get_int(json_object_object_get(res, "rounds")),
		       jdbl(b, "target_s"), jdbl(b, "untraced_shortest_s"));
	printf("%-11s %9s %7s %-16s %11s %10s %-18s %7s\n", "mode", "peel/s", "ratio", "[95% CI]",
	       "call p50", "added/call", "[95% CI]", "block");
	for (i = 0; i < n; i++) {
		char rci[40], aci[40];

		m = json_object_array_get_idx(arr, i);
		ci_text(json_object_object_get(m, "ratio_ci95"), "[%.3f, %.3f]", 1, rci, sizeof(rci));
		ci_text(json_object_object_get(m, "added_ci95"), "[%.1f, %.1f] us", 1e-3,
			aci, sizeof(aci));
		printf("%-11s %9.0f %7.3f %-16s %8.1f us %7.1f us %-18s %5.2f s\n",
		       json_object_get_string(json_object_object_get(m, "mode")),
		       jdbl(m, "peel_per_s"), jdbl(m, "ratio"), rci, jdbl(m, "call_p50_ns") / 1e3,
		       jdbl(m, "added_ns_per_call") / 1e3, aci, jdbl(m, "block_s_p50"));
	}
	for (i = 0; i < json_object_array_length(json_object_object_get(res, "skipped")); i++) {
		m = json_object_array_get_idx(json_object_object_get(res, "skipped"), i);
		printf("%-11s skipped: %s\n", json_object_get_string(json_object_object_get(m, "mode")),
		       json_object_get_string(json_object_object_get(m, "reason")));
	}
	print_phases(arr);
	print_stats(arr);
	if ((st = json_object_object_get(res, "bpf_stats_unavailable")))
		printf("bpf_stats: unavailable (%s)\n", json_object_get_string(st));
}
