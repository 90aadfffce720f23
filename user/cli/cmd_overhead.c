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
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <json-c/json.h>

#include "commands.h"
#include "driver.h"
#include "jsonfile.h"
#include "overhead.h"
#include "opts.h"
#include "peelbench.h"
#include "probes.h"
#include "stats.h"
#include "trace.h"

const struct ovh_mode_info ovh_modes[M_MAX] = {
	[M_NONE]     = { "none",        "no tracer" },
	[M_HIST]     = { "hist",        "trace: the phases, histograms" },
	[M_EVENTS]   = { "events",      "trace --events: the phases, ring-buffer events" },
	[M_SYSCALL]  = { "syscall",     "trace --phases syscall" },
	[M_PEELOFF]  = { "peeloff",     "trace --phases do_peeloff" },
	[M_FLOOR]    = { "floor",       "the programs attached, each returning at its pid filter" },
	[M_BPFTRACE] = { "bpftrace",    "bpftrace: kfunc/kretfunc histogram of sctp_do_peeloff, this pid" },
	[M_FUNCLAT]  = { "funclatency", "libbpf-tools funclatency -p PID sctp_do_peeloff" },
	[M_BASELINE] = { "baseline",    "--baseline PATH: PATH trace -p PID [--phases LIST]" },
	[M_BUILD]    = { "build",       "this build: peelbench trace -p PID [--phases LIST]" },
};

static bool parse_modes(const char *list, void *field)
{
	const char *names[M_MAX];
	unsigned int i, m;

	names[M_NONE] = NULL;	/* always measured, never named */
	for (i = M_HIST; i < M_MAX; i++)
		names[i] = ovh_modes[i].name;
	names[M_BASELINE] = names[M_BUILD] = NULL;	/* --baseline's */
	if (pb_parse_name_mask(list, names, M_MAX, &m))
		return false;
	*(unsigned int *)field = m | 1u << M_NONE;
	return true;
}

/* --baseline PATH: an executable file, checked here so that a typo costs
 * one line and exit 2, not a guest boot; it adds the two peelbench peers. */
static int set_baseline(const struct pb_opt *opt, const char *val, void *cfg)
{
	struct ovh_cfg *c = cfg;
	struct stat st;

	if (stat(val, &st)) {
		pb_err("overhead: --baseline %s: %s", val, pb_errno_name(errno));
		return PB_EXIT_USAGE;
	}
	if (!S_ISREG(st.st_mode) || access(val, X_OK)) {
		pb_err("overhead: --baseline %s: not an executable file", val);
		return PB_EXIT_USAGE;
	}
	c->baseline = val;
	c->mode_mask |= 1u << M_BASELINE | 1u << M_BUILD;
	return 0;
}

#define O(field) PB_OPT_OFF(struct ovh_cfg, field)
static const struct pb_opt ovh_opts[] = {
	PB_OPT(PB_OPT_UINT, 'r', "rounds", O(rounds), "N",
	  "rounds, one block per mode each (default 15, >= 5)",
	  .min = 5, .max = 1000, .what = "round count"),
	PB_OPT(PB_OPT_DURATION, 't', "block-time", O(block_ns), "DUR",
	  "size the blocks to last DUR untraced (default 1s)",
	  .min = 10000000ULL, .max = 600000000000ULL, .what = "block time"),
	PB_OPT(PB_OPT_UINT, 'b', "block", O(block), "N",
	  "peeloffs per block instead (10 .. 200000)",
	  .min = 10, .max = BENCH_BLOCK_MAX, .what = "block size"),
	PB_OPT(PB_OPT_UINT, 'w', "warmup", O(warmup), "N",
	  "untimed peeloffs per block, after the attach (default 50)",
	  .max = 100000, .what = "warm-up count"),
	PB_OPT(PB_OPT_CUSTOM, 'm', "modes", O(mode_mask), "LIST",
	  "traced modes, comma-separated (default hist,events;\n"
	  "with --baseline: none but the two builds):\n"
	  "  hist         every phase, histograms\n"
	  "  events       every phase, --events\n"
	  "  syscall      --phases syscall\n"
	  "  peeloff      --phases do_peeloff\n"
	  "  floor        every program attached, each returning\n"
	  "               at its pid filter: the trampolines' cost\n"
	  "  bpftrace     peer: a kfunc/kretfunc histogram of\n"
	  "               sctp_do_peeloff (skipped if it cannot)\n"
	  "  funclatency  peer: libbpf-tools' funclatency on it",
	  .what = "mode list",
	  .range = "hist, events, syscall, peeloff, floor, bpftrace, funclatency",
	  .parse = parse_modes),
	PB_OPT(PB_OPT_CALL, 0, "baseline", 0, "PATH",
	  "compare two tracer builds: PATH's 'trace -p PID'\n"
	  "and this build's, each a process around its own\n"
	  "block (modes baseline and build)", .call = set_baseline),
	PB_OPT(PB_OPT_CUSTOM, 'P', "phases", O(phases), "LIST",
	  "phases for hist, events, floor and --baseline\n"
	  "(as 'trace --phases')",
	  .what = "phase list", .range = PROBE_PHASE_CHOICES, .parse = probe_phases_opt),
	PB_OPT(PB_OPT_DOUBLE, 'g', "min-ratio", O(min_ratio), "R",
	  "exit 1 when a mode's median ratio is below R",
	  .min = 0.01, .max = 10, .what = "minimum ratio"),
	PB_OPT(PB_OPT_FLAG, 'C', "calibrate", O(calibrate), NULL,
	  "calibrate the tracers; per block, their phase p50s,\n"
	  "raw and compensated"),
	PB_OPT(PB_OPT_FLAG, 'n', "no-stats", O(no_stats), NULL, "skip the bpf_stats blocks"),
	PB_OPT(PB_OPT_FLAG, 'j', "json", O(json), NULL, "print the result as JSON"),
	PB_OPT(PB_OPT_OUTFILE, 'o', "output", O(out), "FILE",
	  "also write the JSON result to FILE (atomically)"),
	PB_OPT_TABLE_END,
};
#undef O

static const struct pb_cmd_spec ovh_spec = {
	.name = "overhead",
	.head = "usage: peelbench overhead [--rounds N] [--block-time DUR | --block N]\n"
		"                          [--warmup N] [--modes LIST] [--phases LIST]\n"
		"                          [--baseline PATH] [--calibrate] [--min-ratio R]\n"
		"                          [--no-stats] [--json] [-o FILE]\n\n"
		"What the tracer costs: blocks of peeloffs in a tight loop, without the\n"
		"tracer and with it in each mode, interleaved in this one process (the\n"
		"tracer attached and detached between blocks, the order turned every\n"
		"round).  Each block's associations are set up before the attach and\n"
		"torn down after the detach, untimed; its first --warmup peeloffs are\n"
		"untimed too.  Blocks are sized to last --block-time untraced; the\n"
		"untraced blocks that lasted less are counted.  Reports per mode the\n"
		"median peel rate, its ratio to the untraced blocks of the same rounds\n"
		"with a 95% bootstrap CI, the median call, the time added per call\n"
		"(with its CI), and each program's run time per hit from bpf_stats.\n"
		"A peer tool (bpftrace, funclatency) runs as a process around its\n"
		"block; missing or unable to attach, it is skipped with its reason.\n"
		"--baseline PATH runs PATH's tracer and this build's the same way\n"
		"('trace -p PID', with --phases): two builds, one guest, interleaved.\n\n",
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

	int ret;

	cfg->rounds = 15;
	cfg->block = 0;
	cfg->block_ns = 1000000000ULL;
	cfg->warmup = 50;
	ret = pb_opts_parse(&ovh_spec, argc, argv, cfg, &first);
	/* no --modes (it sets M_NONE): hist,events, or with --baseline only
	 * the two builds */
	if (!(cfg->mode_mask & 1u << M_NONE))
		cfg->mode_mask |= 1u << M_NONE |
				  (cfg->baseline ? 0 : 1u << M_HIST | 1u << M_EVENTS);
	return ret;
}

static void on_stop(int sig)
{
	bench_request_stop();
}

struct stats_ctx {
	struct ovh *o;
	struct json_object *arr;
	unsigned long long total_ns;
};

/* After a bpf_stats block's warm-up: each program's counters then. */
static void on_prog_warm(void *ctx, const char *name, unsigned long long cnt,
			 unsigned long long ns)
{
	struct ovh *o = ctx;

	if (o->nwarm >= OVH_WARM_PROGS)
		return;
	snprintf(o->warm[o->nwarm].name, sizeof(o->warm[0].name), "%s", name);
	o->warm[o->nwarm].cnt = cnt;
	o->warm[o->nwarm++].ns = ns;
}

static void on_prog(void *ctx, const char *name, unsigned long long cnt, unsigned long long ns)
{
	struct stats_ctx *c = ctx;
	struct json_object *o;
	unsigned int i;

	/* the timed peeloffs only: less what the warm-up ran */
	for (i = 0; i < c->o->nwarm; i++)
		if (!strcmp(c->o->warm[i].name, name)) {
			cnt -= c->o->warm[i].cnt < cnt ? c->o->warm[i].cnt : cnt;
			ns -= c->o->warm[i].ns < ns ? c->o->warm[i].ns : ns;
			break;
		}
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
 * that happens between blocks) attached around its block, or its peer
 * tool started. */
static int block_before(void *ctx, unsigned int arm)
{
	struct ovh *o = ctx;
	unsigned int m = o->mode[arm];
	struct tracer *t = o->t[m];

	if (ovh_is_peer(m)) {
		if (!ovh_peer_start(o, m))
			return 0;
		pb_err("overhead: %s", o->peer[m].reason);
		return PB_EXIT_RUNTIME;
	}
	if (!t)
		return 0;
	o->before = tracer_peeloff_ok(t);
	return tracer_attach(t);
}

/* After the block's warm-up: the tracer counts and summarises the timed
 * peeloffs only. */
static void block_warmed(void *ctx, unsigned int arm)
{
	struct ovh *o = ctx;
	struct tracer *t = o->t[o->mode[arm]];

	if (!t)
		return;
	tracer_poll(t, 0);
	o->before = tracer_peeloff_ok(t);
	if (o->collect) {
		o->nwarm = 0;
		tracer_prog_stats(t, on_prog_warm, o);
	}
	if (o->blk && !o->collect && o->round < o->cfg.rounds)
		tracer_round(t);
}

/* Its count of the block's peeloffs; with --calibrate its summary of the
 * block; in the bpf_stats blocks, the programs' stats. */
static void block_after(void *ctx, unsigned int arm, struct bench_block *b)
{
	struct ovh *o = ctx;
	unsigned int m = o->mode[arm];
	struct tracer *t = o->t[m];
	struct stats_ctx sc = { .o = o };

	if (ovh_is_peer(m))
		ovh_peer_stop(o, m);
	if (!t)
		return;
	tracer_poll(t, 0);
	b->seen = tracer_peeloff_ok(t) - o->before;
	if (o->collect) {
		sc.arr = json_object_new_array();
		tracer_prog_stats(t, on_prog, &sc);
		o->progs[m] = sc.arr;
		o->bpf_ns_per_peel[m] = b->ok ? (double)sc.total_ns / b->ok : 0;
	} else if (o->blk && o->round < o->cfg.rounds) {
		tracer_round(t);
		o->blk[o->round * M_MAX + m] = json_object_get(tracer_last_round(t));
	}
	tracer_detach(t);
}

static void round_done(void *ctx, unsigned int r)
{
	struct ovh *o = ctx;

	o->round = r + 1;
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
			.phases = i == M_SYSCALL ? 1u << PB_PH_SYSCALL :
				  i == M_PEELOFF ? 1u << PB_PH_SYSCALL | 1u << PB_PH_DO_PEELOFF :
				  o->cfg.phases,
			.defer_attach = true,
			.calibrate = o->cfg.calibrate && i != M_FLOOR,
		};

		if (!(o->cfg.mode_mask & (1u << i)) || ovh_is_peer(i))
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
		if (o->peer[i].pid > 0)
			ovh_peer_stop(o, i);
	}
	for (i = 0; o->blk && i < o->cfg.rounds * M_MAX; i++)
		json_object_put(o->blk[i]);
	free(o->blk);
}

/* The arms: one per mode asked for, in the order of enum ovh_mode. */
static void setup_blocks(struct ovh *o)
{
	struct bench_blocks *bb = &o->bb;
	unsigned int i;

	bb->rounds = o->cfg.rounds;
	bb->block = o->cfg.block;
	bb->warmup = o->cfg.warmup;
	bb->target_s = o->cfg.block_ns / 1e9;
	bb->who = "overhead";
	bb->arm_names = o->arm_name;
	bb->h = (struct bench_block_hooks){ .before = block_before, .warmed = block_warmed,
					    .after = block_after,
					    .round_done = round_done, .ctx = o };
	for (i = 0; i < M_MAX; i++)
		if (o->cfg.mode_mask & (1u << i)) {
			o->mode[bb->narms] = i;
			o->arm_name[bb->narms++] = ovh_modes[i].name;
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


int cmd_overhead(int argc, char **argv)
{
	struct json_object *res = NULL, *note = NULL;
	struct ovh o = { 0 };
	bool below = false;
	unsigned int i;
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

	for (i = 0; i < M_MAX; i++)
		o.peer[i].fd = -1;
	ovh_peers_probe(&o);
	if (o.cfg.calibrate)
		o.blk = calloc((size_t)o.cfg.rounds * M_MAX, sizeof(*o.blk));
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
	res = ovh_result_json(&o, note, &below);
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
		ovh_print_text(res);
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
