// SPDX-License-Identifier: GPL-2.0
/* peelbench overhead: what the tracer costs the peeloff it measures.
 *
 * The blocks are bench/'s A/B blocks (driver.h, bench_blocks): one arm
 * per mode, "none" (no tracer) the baseline, then the tracer in each
 * asked-for mode, attached before its block and detached after it, all in
 * this one process.  Every tracer is loaded once, at the start: between
 * blocks only attach and detach happen, so the blocks of a round run
 * seconds apart, not minutes.  A round's ratio compares its traced block
 * with its own untraced block; the median over rounds and its bootstrap
 * CI are reported, with the median call and the time each call gained.
 * Last, with bpf_stats on, one more block per traced mode gives every
 * program's run time per hit.  This file: options, the tracer around the
 * blocks, the result. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <json-c/json.h>

#include "commands.h"
#include "driver.h"
#include "jsonfile.h"
#include "opts.h"
#include "peelbench.h"
#include "probes.h"
#include "stats.h"
#include "trace.h"

enum ovh_mode { M_NONE, M_HIST, M_EVENTS, M_SYSCALL, M_FLOOR, M_MAX };

static const struct {
	const char *name;
	const char *what;
} modes[M_MAX] = {
	[M_NONE]    = { "none",    "no tracer" },
	[M_HIST]    = { "hist",    "trace: the phases, histograms" },
	[M_EVENTS]  = { "events",  "trace --events: the phases, ring-buffer events" },
	[M_SYSCALL] = { "syscall", "trace --phases syscall" },
	[M_FLOOR]   = { "floor",   "the programs attached, each returning at its pid filter" },
};

_Static_assert(M_MAX <= BENCH_ARMS_MAX, "one arm per mode");

struct ovh_cfg {
	unsigned int rounds, block;
	unsigned int mode_mask;		/* bits of enum ovh_mode; none always */
	unsigned int phases;		/* --phases for hist/events/floor; 0: all */
	double min_ratio;		/* 0: no gate */
	bool json, no_stats;
	const char *out;
};

struct ovh {
	struct ovh_cfg cfg;
	struct bench_blocks bb;		/* one arm per mode asked for */
	unsigned int mode[M_MAX];	/* per arm: its mode */
	const char *arm_name[M_MAX];
	struct tracer *t[M_MAX];	/* per mode: loaded, attached only for a block */
	unsigned long long before;	/* the attached tracer's count before its block */
	bool collect;			/* the bpf_stats blocks: read the programs' stats */
	int stats_fd;			/* BPF_STATS_RUN_TIME on while open */
	int stats_err;			/* errno of bpf_enable_stats */
	struct json_object *progs[M_MAX];	/* per mode: bpf_stats, one block */
	double bpf_ns_per_peel[M_MAX];
};

static bool parse_modes(const char *list, void *field)
{
	const char *names[M_MAX];
	unsigned int i, m;

	names[M_NONE] = NULL;	/* always measured, never named */
	for (i = M_HIST; i < M_MAX; i++)
		names[i] = modes[i].name;
	if (pb_parse_name_mask(list, names, M_MAX, &m))
		return false;
	*(unsigned int *)field = m | 1u << M_NONE;
	return true;
}

#define O(field) PB_OPT_OFF(struct ovh_cfg, field)
static const struct pb_opt ovh_opts[] = {
	PB_OPT(PB_OPT_UINT, 'r', "rounds", O(rounds), "N",
	  "rounds, one block per mode each (default 9, >= 5)",
	  .min = 5, .max = 1000, .what = "round count"),
	PB_OPT(PB_OPT_UINT, 'b', "block", O(block), "N",
	  "peeloffs per block (default 200, 10 .. 5000)",
	  .min = 10, .max = 5000, .what = "block size"),
	PB_OPT(PB_OPT_CUSTOM, 'm', "modes", O(mode_mask), "LIST",
	  "traced modes, comma-separated (default hist,events):\n"
	  "  hist     every phase, histograms\n"
	  "  events   every phase, --events\n"
	  "  syscall  --phases syscall\n"
	  "  floor    every program attached, each returning\n"
	  "           at its pid filter: the trampolines' cost",
	  .what = "mode list", .range = "hist, events, syscall, floor",
	  .parse = parse_modes),
	PB_OPT(PB_OPT_CUSTOM, 'P', "phases", O(phases), "LIST",
	  "phases for hist, events and floor (as 'trace --phases')",
	  .what = "phase list", .range = PROBE_PHASE_CHOICES, .parse = probe_phases_opt),
	PB_OPT(PB_OPT_DOUBLE, 'g', "min-ratio", O(min_ratio), "R",
	  "exit 1 when a mode's median ratio is below R",
	  .min = 0.01, .max = 10, .what = "minimum ratio"),
	PB_OPT(PB_OPT_FLAG, 'n', "no-stats", O(no_stats), NULL, "skip the bpf_stats blocks"),
	PB_OPT(PB_OPT_FLAG, 'j', "json", O(json), NULL, "print the result as JSON"),
	PB_OPT(PB_OPT_OUTFILE, 'o', "output", O(out), "FILE",
	  "also write the JSON result to FILE (atomically)"),
	PB_OPT_TABLE_END,
};
#undef O

static const struct pb_cmd_spec ovh_spec = {
	.name = "overhead",
	.head = "usage: peelbench overhead [--rounds N] [--block N] [--modes LIST]\n"
		"                          [--phases LIST] [--min-ratio R] [--no-stats]\n"
		"                          [--json] [-o FILE]\n\n"
		"What the tracer costs: blocks of peeloffs in a tight loop, without the\n"
		"tracer and with it in each mode, interleaved in this one process (the\n"
		"tracer attached and detached between blocks, the order turned every\n"
		"round).  Reports per mode the median peel rate, its ratio to the\n"
		"untraced blocks of the same rounds with a 95% bootstrap CI, the median\n"
		"call, and each program's run time per hit from bpf_stats.\n\n",
	.tail = "\nExit: 0 done, 1 a ratio below --min-ratio, 2 bad option, 3 not root or\n"
		"no SCTP/BPF (on a kernel without SCTP: 'peelbench --vm 6.1 overhead'),\n"
		"4 setup, load or attach failed, 130 interrupted (the complete rounds are\n"
		"reported).\n",
	.opts = ovh_opts,
	.help_col = 23,
};

static int parse(int argc, char **argv, struct ovh_cfg *cfg)
{
	int first;

	cfg->rounds = 9;
	cfg->block = 200;
	cfg->mode_mask = 1u << M_NONE | 1u << M_HIST | 1u << M_EVENTS;
	return pb_opts_parse(&ovh_spec, argc, argv, cfg, &first);
}

static void on_stop(int sig)
{
	bench_request_stop();
}

struct stats_ctx {
	struct json_object *arr;
	unsigned long long total_ns;
};

static void on_prog(void *ctx, const char *name, unsigned long long cnt, unsigned long long ns)
{
	struct stats_ctx *c = ctx;
	struct json_object *o;

	if (!cnt)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "prog", json_object_new_string(name));
	json_object_object_add(o, "run_cnt", json_object_new_int64((int64_t)cnt));
	json_object_object_add(o, "ns_per_hit", json_object_new_double((double)ns / cnt));
	json_object_array_add(c->arr, o);
	c->total_ns += ns;
}

/* bench_blocks hooks: arm's tracer (loaded in advance: attaching is all
 * that happens between blocks) attached around its block. */
static int block_before(void *ctx, unsigned int arm)
{
	struct ovh *o = ctx;
	struct tracer *t = o->t[o->mode[arm]];

	if (!t)
		return 0;
	o->before = tracer_peeloff_ok(t);
	return tracer_attach(t);
}

/* Its count of the block's peeloffs; in the bpf_stats blocks, the
 * programs' stats too. */
static void block_after(void *ctx, unsigned int arm, struct bench_block *b)
{
	struct ovh *o = ctx;
	unsigned int m = o->mode[arm];
	struct tracer *t = o->t[m];
	struct stats_ctx sc = { 0 };

	if (!t)
		return;
	tracer_poll(t, 0);
	b->seen = tracer_peeloff_ok(t) - o->before;
	if (o->collect) {
		sc.arr = json_object_new_array();
		tracer_prog_stats(t, on_prog, &sc);
		o->progs[m] = sc.arr;
		o->bpf_ns_per_peel[m] = b->ok ? (double)sc.total_ns / b->ok : 0;
	}
	tracer_detach(t);
}

static void round_done(void *ctx, unsigned int r)
{
	struct ovh *o = ctx;

	if (!o->cfg.json)
		fprintf(stderr, "peelbench: round %u of %u done\n", r + 1, o->cfg.rounds);
}

/* Every traced mode's tracer, loaded and not attached. */
static int open_tracers(struct ovh *o)
{
	unsigned int i;
	int ret;

	for (i = M_HIST; i < M_MAX; i++) {
		struct trace_opts topts = {
			.pid = getpid(),
			.events = i == M_EVENTS,
			.phases = i == M_SYSCALL ? 1u << PB_PH_SYSCALL : o->cfg.phases,
			.defer_attach = true,
		};

		if (!(o->cfg.mode_mask & (1u << i)))
			continue;
		if (i == M_FLOOR)
			topts.pid = getpid() == 1 ? 2 : 1;
		ret = tracer_open(&topts, &o->t[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static void close_tracers(struct ovh *o)
{
	unsigned int i;

	for (i = 0; i < M_MAX; i++) {
		json_object_put(o->progs[i]);
		tracer_close(o->t[i]);
	}
}

/* The arms: one per mode asked for, in the order of enum ovh_mode. */
static void setup_blocks(struct ovh *o)
{
	struct bench_blocks *bb = &o->bb;
	unsigned int i;

	bb->rounds = o->cfg.rounds;
	bb->block = o->cfg.block;
	bb->size_arms = M_MAX;
	bb->who = "overhead";
	bb->arm_names = o->arm_name;
	bb->h = (struct bench_block_hooks){ .before = block_before, .after = block_after,
					    .round_done = round_done, .ctx = o };
	for (i = 0; i < M_MAX; i++)
		if (o->cfg.mode_mask & (1u << i)) {
			o->mode[bb->narms] = i;
			o->arm_name[bb->narms++] = modes[i].name;
		}
}

static int stats_ready(void *ctx)
{
	struct ovh *o = ctx;

	o->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (o->stats_fd < 0)
		return o->stats_err = errno;
	o->collect = true;
	return 0;
}

/* One more block per traced mode with BPF_STATS_RUN_TIME on (the
 * programs' counters move only then, and only while attached). */
static int prog_stats(struct ovh *o, struct json_object **note)
{
	struct bench_block b[M_MAX];
	unsigned int arms[M_MAX], i;
	int ret;

	for (i = 1; i < o->bb.narms; i++)
		arms[i - 1] = i;
	o->stats_fd = -1;
	o->stats_err = 0;
	ret = bench_blocks_extra(&o->bb, arms, o->bb.narms - 1, stats_ready, b);
	if (o->stats_err && !ret)
		*note = json_object_new_string(pb_errno_name(o->stats_err));
	if (o->stats_fd >= 0)
		close(o->stats_fd);
	o->collect = false;
	return ret;
}

static struct json_object *jd(double v)
{
	return json_object_new_double(v);
}

enum per_round { R_RATE, R_RATIO, R_P50 };

static struct json_object *jrounds(const struct bench_blocks *bb, unsigned int arm,
				   enum per_round what)
{
	struct json_object *a = json_object_new_array();
	unsigned int r;

	for (r = 0; r < bb->done; r++)
		json_object_array_add(a, jd(what == R_RATIO ? bench_blocks_ratio(bb, r, arm) :
					   what == R_RATE ? bench_blocks_at(bb, r, arm)->rate :
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

/* One mode's object of the result. */
static struct json_object *mode_json(struct ovh *o, unsigned int arm, double *ratio)
{
	struct json_object *m = json_object_new_object(), *cis = NULL, *seen = NULL;
	unsigned int i = o->mode[arm];
	struct bench_arm_summary s;
	bool all_seen = true;

	bench_blocks_summary(&o->bb, arm, 0x5eed + i, &s);
	json_object_object_add(m, "mode", json_object_new_string(modes[i].name));
	json_object_object_add(m, "what", json_object_new_string(modes[i].what));
	json_object_object_add(m, "peel_per_s", jd(s.peel_per_s));
	json_object_object_add(m, "call_p50_ns", jd(s.call_p50_ns));
	json_object_object_add(m, "ratio", jd(s.ratio));
	if (s.has_ci) {
		cis = json_object_new_array();
		json_object_array_add(cis, jd(s.ratio_ci95.lo));
		json_object_array_add(cis, jd(s.ratio_ci95.hi));
	}
	json_object_object_add(m, "ratio_ci95", cis);
	json_object_object_add(m, "added_ns_per_call", jd(s.added_ns));
	json_object_object_add(m, "rounds_peel_per_s", jrounds(&o->bb, arm, R_RATE));
	json_object_object_add(m, "rounds_ratio", jrounds(&o->bb, arm, R_RATIO));
	json_object_object_add(m, "rounds_call_p50_ns", jrounds(&o->bb, arm, R_P50));
	if (i != M_NONE)
		seen = traced_json(&o->bb, arm, &all_seen);
	json_object_object_add(m, "peeled", json_object_new_int64((int64_t)s.peeled));
	json_object_object_add(m, "rounds_traced_ok", seen);
	/* the floor's programs filter us out: they count nothing */
	json_object_object_add(m, "tracer_saw_every_peeloff",
			       i == M_NONE || i == M_FLOOR ? NULL :
			       json_object_new_boolean(all_seen));
	if (i != M_NONE) {
		json_object_object_add(m, "bpf_stats", json_object_get(o->progs[i]));
		json_object_object_add(m, "bpf_ns_per_peeloff",
				       o->progs[i] ? jd(o->bpf_ns_per_peel[i]) : NULL);
	}
	*ratio = s.ratio;
	return m;
}

static struct json_object *result_json(struct ovh *o, struct json_object *stats_note,
				       bool *below)
{
	struct json_object *res = json_object_new_object(), *arr = json_object_new_array();
	unsigned int arm;
	struct utsname u;
	double ratio;

	uname(&u);
	json_object_object_add(res, "kernel", json_object_new_string(u.release));
	json_object_object_add(res, "rounds", json_object_new_int((int)o->bb.done));
	json_object_object_add(res, "block", json_object_new_int((int)o->cfg.block));
	json_object_object_add(res, "min_ratio", o->cfg.min_ratio > 0 ? jd(o->cfg.min_ratio) : NULL);
	*below = false;
	for (arm = 0; arm < o->bb.narms; arm++) {
		json_object_array_add(arr, mode_json(o, arm, &ratio));
		if (arm && o->cfg.min_ratio > 0 && ratio < o->cfg.min_ratio)
			*below = true;
	}
	json_object_object_add(res, "modes", arr);
	json_object_object_add(res, "bpf_stats_unavailable", stats_note);
	json_object_object_add(res, "complete",
			       json_object_new_boolean(o->bb.done == o->cfg.rounds));
	return res;
}

static void print_text(struct json_object *res)
{
	struct json_object *arr = json_object_object_get(res, "modes"), *m, *ci, *st;
	size_t i, j, n = json_object_array_length(arr);

	printf("tracer overhead on %s: %d rounds x %d peeloffs per mode, interleaved\n",
	       json_object_get_string(json_object_object_get(res, "kernel")),
	       json_object_get_int(json_object_object_get(res, "rounds")),
	       json_object_get_int(json_object_object_get(res, "block")));
	printf("%-8s %10s %7s %-17s %12s %12s\n", "mode", "peel/s", "ratio", "[95% CI]",
	       "call p50", "added/call");
	for (i = 0; i < n; i++) {
		char cis[40] = "";

		m = json_object_array_get_idx(arr, i);
		ci = json_object_object_get(m, "ratio_ci95");
		if (ci)
			snprintf(cis, sizeof(cis), "[%.3f, %.3f]",
				 json_object_get_double(json_object_array_get_idx(ci, 0)),
				 json_object_get_double(json_object_array_get_idx(ci, 1)));
		printf("%-8s %10.0f %7.3f %-17s %9.0f ns %9.0f ns\n",
		       json_object_get_string(json_object_object_get(m, "mode")),
		       json_object_get_double(json_object_object_get(m, "peel_per_s")),
		       json_object_get_double(json_object_object_get(m, "ratio")), cis,
		       json_object_get_double(json_object_object_get(m, "call_p50_ns")),
		       json_object_get_double(json_object_object_get(m, "added_ns_per_call")));
	}
	for (i = 0; i < n; i++) {
		m = json_object_array_get_idx(arr, i);
		st = json_object_object_get(m, "bpf_stats");
		if (!st)
			continue;
		printf("bpf_stats, %s: %.0f ns of BPF per peeloff\n",
		       json_object_get_string(json_object_object_get(m, "mode")),
		       json_object_get_double(json_object_object_get(m, "bpf_ns_per_peeloff")));
		for (j = 0; j < json_object_array_length(st); j++) {
			struct json_object *p = json_object_array_get_idx(st, j);

			printf("  %-24s %8lld hits %8.0f ns/hit\n",
			       json_object_get_string(json_object_object_get(p, "prog")),
			       (long long)json_object_get_int64(json_object_object_get(p, "run_cnt")),
			       json_object_get_double(json_object_object_get(p, "ns_per_hit")));
		}
	}
	if ((st = json_object_object_get(res, "bpf_stats_unavailable")))
		printf("bpf_stats: unavailable (%s)\n", json_object_get_string(st));
}


int cmd_overhead(int argc, char **argv)
{
	struct json_object *res = NULL, *note = NULL;
	struct ovh o = { 0 };
	bool below = false;
	int ret, err;

	ret = parse(argc, argv, &o.cfg);
	if (ret)
		return ret < 0 ? PB_EXIT_OK : ret;
	if (geteuid() != 0) {
		pb_err("overhead: must run as root (it loads BPF programs): try sudo");
		return PB_EXIT_ENV;
	}
	err = bench_sctp_probe(BENCH_INET);
	if (err) {
		pb_err("overhead: this kernel has no SCTP (%s): try 'modprobe sctp', or 'peelbench --vm 6.1 overhead'",
		       pb_errno_name(err));
		return PB_EXIT_ENV;
	}
	pb_catch_stop_signals(on_stop);

	setup_blocks(&o);
	ret = bench_blocks_open(&o.bb);
	if (!ret)
		ret = open_tracers(&o);
	if (!ret)
		ret = bench_blocks_run(&o.bb);
	if (!ret && !o.cfg.no_stats)
		ret = prog_stats(&o, &note);
	if (ret && ret != -EINTR)
		goto out;
	if (!o.bb.done) {
		pb_err("overhead: interrupted before a round was complete");
		ret = PB_EXIT_INTR;
		goto out;
	}
	res = result_json(&o, note, &below);
	note = NULL;
	if (o.cfg.out) {
		err = pb_write_json_atomic(o.cfg.out, res);
		if (err) {
			ret = err;
			goto out;
		}
	}
	if (o.cfg.json)
		printf("%s\n", json_object_to_json_string_ext(res, JSON_C_TO_STRING_PRETTY));
	else
		print_text(res);
	if (ret == -EINTR)
		ret = PB_EXIT_INTR;
	else
		ret = below ? PB_EXIT_FOUND : PB_EXIT_OK;
	if (below)
		pb_err("overhead: a mode's median ratio is below --min-ratio %.3f", o.cfg.min_ratio);
out:
	json_object_put(res);
	json_object_put(note);
	bench_blocks_close(&o.bb);
	close_tracers(&o);
	return ret;
}
