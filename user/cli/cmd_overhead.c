// SPDX-License-Identifier: GPL-2.0
/* peelbench overhead: what the tracer costs the peeloff it measures.
 *
 * Blocks of peeloffs in a tight loop, one block per mode per round: no
 * tracer, and the tracer in each asked-for mode, attached before its block
 * and detached after it, all in this one process.  Every tracer is loaded
 * once, at the start: between blocks only attach and detach happen, so
 * the blocks of a round run seconds apart, not minutes.  A round's
 * associations are all set up before its first block (not timed), and its
 * peeled sockets closed after its last.  The order of the modes turns
 * every round, so that no mode always runs first or last.
 * A round's ratio compares its traced block with its own untraced block;
 * the median over rounds and its bootstrap CI are reported, with the
 * median call and the time each call gained.  Last, with bpf_stats on,
 * one more block per traced mode gives every program's run time per hit. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <json-c/json.h>

#include "assoc.h"
#include "commands.h"
#include "config.h"
#include "errors.h"
#include "fdlimit.h"
#include "jsonfile.h"
#include "opts.h"
#include "peeler.h"
#include "peelbench.h"
#include "probes.h"
#include "stats.h"
#include "stop.h"
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

struct ovh_cfg {
	unsigned int rounds, block;
	unsigned int mode_mask;		/* bits of enum ovh_mode; none always */
	unsigned int phases;		/* --phases for hist/events/floor; 0: all */
	double min_ratio;		/* 0: no gate */
	bool json, no_stats;
	const char *out;
};

struct mode_data {
	double *rate;			/* per round: peels per second of the block */
	double *p50;			/* per round: median call, ns */
	double *ratio;			/* per round: rate / the round's untraced rate */
	double *added;			/* per round: p50 - the untraced p50 */
	unsigned long long *ok, *seen;	/* per round: peeled; counted by the tracer */
	struct json_object *progs;	/* bpf_stats, one block */
	double bpf_ns_per_peel;
	unsigned long long stats_ok;
};

struct ovh {
	struct ovh_cfg cfg;
	struct bench_config bc;
	struct bench_server srv;
	unsigned long long slot;
	struct mode_data m[M_MAX];
	unsigned int done;		/* complete rounds */
	struct tracer *t[M_MAX];	/* loaded, attached only for a block */
	struct bench_assoc_set set;	/* the round's associations */
	double *lat;			/* one block's calls, ns */
	int *fds;			/* the round's peeled sockets */
	size_t nfds;
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

static bool parse_phases(const char *list, void *field)
{
	return !probe_phases_parse(list, field);
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
	  .what = "phase list", .range = PROBE_PHASE_CHOICES, .parse = parse_phases),
	PB_OPT(PB_OPT_DOUBLE, 'g', "min-ratio", O(min_ratio), "R",
	  "exit 1 when a mode's median ratio is below R",
	  .min = 0.01, .max = 10, .what = "minimum ratio"),
	PB_OPT(PB_OPT_FLAG, 'n', "no-stats", O(no_stats), NULL, "skip the bpf_stats blocks"),
	PB_OPT(PB_OPT_FLAG, 'j', "json", O(json), NULL, "print the result as JSON"),
	PB_OPT(PB_OPT_STRING, 'o', "output", O(out), "FILE",
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_sigint(int sig)
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

/* Peel associations [from, from + block) of the round's set in a tight
 * loop, timed call by call, with mode's tracer attached around the loop
 * (loaded in advance: attaching is all that happens between blocks).
 * Fills rate, p50, ok, seen; with sc, the programs' bpf_stats.  The
 * peeled sockets stay open until the round ends.  0, -EINTR, or a
 * PB_EXIT_* code. */
static int run_block(struct ovh *o, enum ovh_mode mode, size_t from, double *rate,
		     double *p50, unsigned long long *ok, unsigned long long *seen,
		     struct stats_ctx *sc)
{
	struct tracer *t = o->t[mode];
	unsigned long long before = 0;
	unsigned int n = 0;
	double t0, t1, tc;
	size_t i;
	int ret, fd;

	if (t) {
		before = tracer_peeloff_ok(t);
		ret = tracer_attach(t);
		if (ret)
			return ret;
	}
	t0 = now_s();
	for (i = from; i < from + o->cfg.block; i++) {
		tc = now_s();
		fd = bench_peeloff(o->srv.fd, BENCH_CALL_PEELOFF, 0, o->set.a[i].id);
		if (fd < 0)
			continue;
		o->lat[n++] = (now_s() - tc) * 1e9;
		o->fds[o->nfds++] = fd;
	}
	t1 = now_s();
	*ok = n;
	*rate = n / (t1 - t0);
	*p50 = pb_median(o->lat, n);
	*seen = 0;
	if (t) {
		tracer_poll(t, 0);
		*seen = tracer_peeloff_ok(t) - before;
		if (sc)
			tracer_prog_stats(t, on_prog, sc);
		tracer_detach(t);
	}
	return bench_stop_requested() ? -EINTR : 0;
}

/* The associations of one round, all up before its first block. */
static int setup_round(struct ovh *o, unsigned int blocks)
{
	struct bench_errors errs;
	size_t n = (size_t)blocks * o->cfg.block;
	int ret;

	bench_errors_init(&errs);
	ret = bench_assocs_setup(&o->bc, &o->srv, &o->set, n, &o->slot, &errs, NULL, NULL);
	if (ret)
		return ret;
	if (o->set.up < n) {
		pb_err("overhead: only %zu of %zu associations came up", o->set.up, n);
		return PB_EXIT_RUNTIME;
	}
	return 0;
}

static void end_round(struct ovh *o)
{
	while (o->nfds)
		close(o->fds[--o->nfds]);
	bench_assocs_free(&o->set);
	memset(&o->set, 0, sizeof(o->set));
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
			.keep_events = i == M_EVENTS,
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

static int alloc_modes(struct ovh *o)
{
	unsigned int r = o->cfg.rounds, i;

	for (i = 0; i < M_MAX; i++) {
		struct mode_data *d = &o->m[i];

		d->rate = calloc(r, sizeof(double));
		d->p50 = calloc(r, sizeof(double));
		d->ratio = calloc(r, sizeof(double));
		d->added = calloc(r, sizeof(double));
		d->ok = calloc(r, sizeof(unsigned long long));
		d->seen = calloc(r, sizeof(unsigned long long));
		if (!d->rate || !d->p50 || !d->ratio || !d->added || !d->ok || !d->seen)
			return -1;
	}
	o->lat = calloc(o->cfg.block, sizeof(double));
	o->fds = calloc((size_t)M_MAX * o->cfg.block, sizeof(int));
	return o->lat && o->fds ? 0 : -1;
}

static void free_modes(struct ovh *o)
{
	unsigned int i;

	for (i = 0; i < M_MAX; i++) {
		free(o->m[i].rate);
		free(o->m[i].p50);
		free(o->m[i].ratio);
		free(o->m[i].added);
		free(o->m[i].ok);
		free(o->m[i].seen);
		json_object_put(o->m[i].progs);
		tracer_close(o->t[i]);
	}
	free(o->lat);
	free(o->fds);
}

static int rounds(struct ovh *o)
{
	unsigned int r, k, i, m, order[M_MAX], nm = 0;
	int ret;

	for (i = 0; i < M_MAX; i++)
		if (o->cfg.mode_mask & (1u << i))
			order[nm++] = i;
	for (r = 0; r < o->cfg.rounds; r++) {
		pb_debug("round %u: setup at %.3f s", r + 1, now_s());
		ret = setup_round(o, nm);
		pb_debug("round %u: blocks at %.3f s", r + 1, now_s());
		for (k = 0; !ret && k < nm; k++) {
			m = order[(k + r) % nm];
			pb_debug("round %u: %s at %.3f s", r + 1, modes[m].name, now_s());
			ret = run_block(o, m, (size_t)k * o->cfg.block, &o->m[m].rate[r],
					&o->m[m].p50[r], &o->m[m].ok[r], &o->m[m].seen[r], NULL);
		}
		pb_debug("round %u: closing at %.3f s", r + 1, now_s());
		end_round(o);
		if (ret)
			return ret;
		for (i = 0; i < M_MAX; i++) {
			o->m[i].ratio[r] = o->m[i].rate[r] / o->m[M_NONE].rate[r];
			o->m[i].added[r] = o->m[i].p50[r] - o->m[M_NONE].p50[r];
		}
		o->done = r + 1;
		if (!o->cfg.json)
			fprintf(stderr, "peelbench: round %u of %u done\n", r + 1, o->cfg.rounds);
	}
	return 0;
}

/* One more block per traced mode with BPF_STATS_RUN_TIME on (the
 * programs' counters move only then, and only while attached). */
static int prog_stats(struct ovh *o, struct json_object **note)
{
	unsigned int i, k = 0, nt = 0;
	unsigned long long seen;
	struct stats_ctx sc;
	double rate, p50;
	int fd, ret;

	for (i = M_HIST; i < M_MAX; i++)
		nt += !!(o->cfg.mode_mask & (1u << i));
	ret = setup_round(o, nt);
	if (ret) {
		end_round(o);
		return ret;
	}
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0) {
		*note = json_object_new_string(pb_errno_name(errno));
		end_round(o);
		return 0;
	}
	for (i = M_HIST; i < M_MAX && !ret; i++) {
		if (!(o->cfg.mode_mask & (1u << i)))
			continue;
		sc.arr = json_object_new_array();
		sc.total_ns = 0;
		ret = run_block(o, i, (size_t)k++ * o->cfg.block, &rate, &p50,
				&o->m[i].stats_ok, &seen, &sc);
		o->m[i].progs = sc.arr;
		o->m[i].bpf_ns_per_peel = o->m[i].stats_ok ?
			(double)sc.total_ns / o->m[i].stats_ok : 0;
	}
	close(fd);
	end_round(o);
	return ret;
}

static struct json_object *jd(double v)
{
	return json_object_new_double(v);
}

static struct json_object *jarr(const double *v, unsigned int n)
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, jd(v[i]));
	return a;
}

static struct json_object *result_json(struct ovh *o, struct json_object *stats_note,
				       bool *below)
{
	struct json_object *res = json_object_new_object(), *arr = json_object_new_array();
	unsigned int n = o->done, i, r;
	struct utsname u;
	struct pb_ci ci;

	uname(&u);
	json_object_object_add(res, "kernel", json_object_new_string(u.release));
	json_object_object_add(res, "rounds", json_object_new_int((int)n));
	json_object_object_add(res, "block", json_object_new_int((int)o->cfg.block));
	json_object_object_add(res, "min_ratio", o->cfg.min_ratio > 0 ? jd(o->cfg.min_ratio) : NULL);
	*below = false;
	for (i = 0; i < M_MAX; i++) {
		struct mode_data *d = &o->m[i];
		struct json_object *m, *cis = NULL, *seen = NULL;
		unsigned long long peeled = 0;
		bool all_seen = true;
		double ratio;

		if (!(o->cfg.mode_mask & (1u << i)))
			continue;
		m = json_object_new_object();
		json_object_object_add(m, "mode", json_object_new_string(modes[i].name));
		json_object_object_add(m, "what", json_object_new_string(modes[i].what));
		json_object_object_add(m, "peel_per_s", jd(pb_median(d->rate, n)));
		json_object_object_add(m, "call_p50_ns", jd(pb_median(d->p50, n)));
		ratio = pb_median(d->ratio, n);
		json_object_object_add(m, "ratio", jd(ratio));
		if (i != M_NONE && !pb_bootstrap_stat(d->ratio, n, PB_STAT_MEDIAN, 2000, 0.95,
						       0x5eed + i, &ci)) {
			cis = json_object_new_array();
			json_object_array_add(cis, jd(ci.lo));
			json_object_array_add(cis, jd(ci.hi));
		}
		json_object_object_add(m, "ratio_ci95", cis);
		json_object_object_add(m, "added_ns_per_call", jd(pb_median(d->added, n)));
		json_object_object_add(m, "rounds_peel_per_s", jarr(d->rate, n));
		json_object_object_add(m, "rounds_ratio", jarr(d->ratio, n));
		json_object_object_add(m, "rounds_call_p50_ns", jarr(d->p50, n));
		if (i != M_NONE)
			seen = json_object_new_array();
		for (r = 0; r < n; r++) {
			peeled += d->ok[r];
			if (!seen)
				continue;
			json_object_array_add(seen, json_object_new_int64((int64_t)d->seen[r]));
			/* the floor's programs filter us out: they count nothing */
			if (i != M_FLOOR && d->seen[r] != d->ok[r])
				all_seen = false;
		}
		json_object_object_add(m, "peeled", json_object_new_int64((int64_t)peeled));
		json_object_object_add(m, "rounds_traced_ok", seen);
		json_object_object_add(m, "tracer_saw_every_peeloff",
				       i == M_NONE || i == M_FLOOR ? NULL :
				       json_object_new_boolean(all_seen));
		if (i != M_NONE) {
			json_object_object_add(m, "bpf_stats", d->progs ? json_object_get(d->progs) : NULL);
			json_object_object_add(m, "bpf_ns_per_peeloff",
					       d->progs ? jd(d->bpf_ns_per_peel) : NULL);
		}
		if (i != M_NONE && o->cfg.min_ratio > 0 && ratio < o->cfg.min_ratio)
			*below = true;
		json_object_array_add(arr, m);
	}
	json_object_object_add(res, "modes", arr);
	json_object_object_add(res, "bpf_stats_unavailable", stats_note);
	json_object_object_add(res, "complete", json_object_new_boolean(n == o->cfg.rounds));
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
	struct sigaction sa = { .sa_handler = on_sigint };
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
	err = bench_sctp_probe(AF_INET);
	if (err) {
		pb_err("overhead: this kernel has no SCTP (%s): try 'modprobe sctp', or 'peelbench --vm 6.1 overhead'",
		       pb_errno_name(err));
		return PB_EXIT_ENV;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	bench_config_defaults(&o.bc);
	o.bc.assocs = (unsigned long long)M_MAX * o.cfg.block;	/* a round's */
	o.srv.fd = -1;
	ret = bench_fdlimit_ensure(2ull * M_MAX * o.cfg.block + 64, o.bc.assocs);
	if (ret)
		return ret;
	if (alloc_modes(&o)) {
		pb_err("out of memory");
		ret = PB_EXIT_RUNTIME;
		goto out;
	}
	ret = open_tracers(&o);
	if (ret)
		goto out;
	ret = bench_server_open(&o.bc, &o.srv);
	if (ret)
		goto out;
	ret = rounds(&o);
	if (!ret && !o.cfg.no_stats)
		ret = prog_stats(&o, &note);
	if (ret && ret != -EINTR)
		goto out;
	if (!o.done) {
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
	if (o.srv.fd >= 0)
		bench_server_close(&o.srv);
	free_modes(&o);
	return ret;
}
