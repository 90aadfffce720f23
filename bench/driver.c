// SPDX-License-Identifier: GPL-2.0
/* Rounds of setup, load and peeling. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "assoc.h"
#include "driver.h"
#include "fdlimit.h"
#include "load.h"
#include "peeler.h"
#include "peelbench.h"
#include "progress.h"

struct run_ctx {
	const struct bench_config *c;
	const struct bench_hooks *h;
	struct bench_result *r;
	struct bench_server srv;
	unsigned long long slot;	/* client port cursor, across rounds */
	char label[48];
	struct bench_round *rd;		/* the round under way */
	double sampled_s;		/* its last memory sample */
};

/* SCTP's memory and pressure from /proc/net/protocols, at most every
 * 100 ms: pressure can come and go within a round. */
static void sample_sctp_mem(struct run_ctx *x, bool force)
{
	struct pb_kstat k;
	double now = bench_now_s();
	long long mem;
	FILE *f;

	if (!x->rd || (!force && now - x->sampled_s < 0.1))
		return;
	x->sampled_s = now;
	f = fopen("/proc/net/protocols", "re");
	if (!f)
		return;
	k.n = 0;
	pb_kstat_parse_protocols(&k, f);
	fclose(f);
	mem = pb_kstat_get(&k, "proto.SCTP.memory", -1);
	if (mem > x->rd->sctp_mem_peak)
		x->rd->sctp_mem_peak = mem;
	if (pb_kstat_get(&k, "proto.SCTP.press", 0) > 0)
		x->rd->sctp_pressure = true;
}

static void tick(void *arg, const char *phase, size_t done, size_t total)
{
	struct run_ctx *x = arg;
	char label[64];

	sample_sctp_mem(x, false);
	snprintf(label, sizeof(label), "%s %s", x->label, phase);
	bench_progress(label, done, total);
	if (x->h && x->h->tick)
		x->h->tick(x->h->ctx);
}

/* kB from a "Name:   123 kB" line of a /proc file, or -1. */
static long proc_kb(const char *path, const char *name)
{
	char line[256];
	size_t len = strlen(name);
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':') {
			v = atol(line + len + 1);
			break;
		}
	fclose(f);
	return v;
}

/* Abort --abort-peers associations from the end of the peel order, then
 * wait (up to 2 s) until the server has dropped them, so that their
 * peeloffs meet a vanished association as a real aborting peer makes. */
static unsigned long long abort_peers(struct run_ctx *x, struct bench_assoc_set *set)
{
	unsigned long long want = x->c->abort_peers, done = 0;
	long before = bench_server_assoc_count(&x->srv);
	struct timespec ts = { 0, 10000000 };
	size_t i;
	int tries;

	for (i = set->n; i-- > 0 && done < want;) {
		if (atomic_load(&set->a[i].state) != BENCH_ASSOC_UP)
			continue;
		bench_assoc_abort(&set->a[i]);
		done++;
	}
	for (tries = 0; before >= 0 && tries < 200; tries++) {
		if (bench_server_assoc_count(&x->srv) <= before - (long)done)
			break;
		nanosleep(&ts, NULL);
	}
	return done;
}

static void mark_loaded(const struct bench_config *c, struct bench_assoc_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		set->a[i].loaded = bench_config_is_loaded(c, i);
}

static int peel_phase(struct run_ctx *x, struct bench_assoc_set *set,
		      struct bench_errors *errs, struct bench_round *rd)
{
	struct timespec ts = { 0, 20000000 };
	struct bench_load load;
	struct bench_peel peel;
	size_t k;
	int err;

	err = bench_load_start(&load, x->c, set);
	if (err)
		return err;
	err = bench_peel_start(&peel, x->c, &x->srv, set, errs);
	while (!err && !bench_peel_finished(&peel)) {
		nanosleep(&ts, NULL);
		tick(x, "peel", atomic_load(&peel.done), set->n);
	}
	bench_peel_join(&peel);
	tick(x, "peel", atomic_load(&peel.done), set->n);
	rd->nfail = atomic_load(&peel.nfail);
	if (rd->nfail > BENCH_FAILS_MAX)
		rd->nfail = BENCH_FAILS_MAX;
	memcpy(rd->fail, peel.fail, rd->nfail * sizeof(rd->fail[0]));
	bench_load_stop(&load);
	rd->load_sent = load.sent;
	rd->load_dropped = load.dropped;
	rd->load_failed = load.failed;
	rd->peel_s = peel.end_s - peel.start_s;
	for (k = 0; k < peel.nw; k++) {
		rd->peeled += peel.w[k].peeled;
		rd->verified += peel.w[k].verified;
		if (bench_samples_merge(&rd->lat, &peel.w[k].lat) && !err) {
			pb_err("out of memory for latency samples");
			err = PB_EXIT_RUNTIME;
		}
	}
	bench_peel_free(&peel);
	return err;
}

/* One round of n associations (the warm-up too: then no peer aborts). */
static int run_round(struct run_ctx *x, size_t n, struct bench_round *rd,
		     struct bench_errors *errs)
{
	struct bench_assoc_set set = { 0 }, fillers = { 0 };
	long rss0 = proc_kb("/proc/self/status", "VmRSS");
	long slab0 = proc_kb("/proc/meminfo", "Slab");
	bool warm = x->r->nrounds == 0, measure_mem = x->r->nrounds == 1;
	int err;

	rd->assocs = n;
	rd->sctp_mem_peak = -1;
	pb_kstat_read(&rd->k0, "");
	x->rd = rd;
	sample_sctp_mem(x, true);
	err = bench_assocs_setup(x->c, &x->srv, &set, n, &x->slot, errs, tick, x);
	rd->setup_s = set.setup_s;
	rd->up = set.up;
	rd->setup_per_s = set.setup_s > 0 ? (double)set.up / set.setup_s : 0;
	if (err)
		goto out;
	if (measure_mem && set.up && rss0 > 0 && slab0 > 0) {
		x->r->user_bytes_per_assoc =
			(double)(proc_kb("/proc/self/status", "VmRSS") - rss0) * 1024 / (double)set.up;
		x->r->kernel_bytes_per_assoc =
			(double)(proc_kb("/proc/meminfo", "Slab") - slab0) * 1024 / (double)set.up;
	}
	if (!set.up) {
		bench_progress_clear();
		pb_err("no association could be set up (%llu failures); see the error counts",
		       bench_errors_total(errs));
		err = PB_EXIT_RUNTIME;
		goto out;
	}
	mark_loaded(x->c, &set);
	if (bench_config_fillers(x->c)) {
		err = bench_assocs_setup(x->c, &x->srv, &fillers, bench_config_fillers(x->c),
					 &x->slot, errs, tick, x);
		if (err)
			goto out;
		rd->backlog = bench_backlog_fill(x->c, &fillers, errs);
	}
	rd->aborted = warm ? 0 : abort_peers(x, &set);
	err = peel_phase(x, &set, errs, rd);
	rd->peel_per_s = rd->peel_s > 0 ? (double)rd->peeled / rd->peel_s : 0;
out:
	bench_progress_clear();
	bench_assocs_free(&set);
	bench_assocs_free(&fillers);
	/* The parent keeps the fillers' backlog and the load's messages for
	 * associations not yet peeled: the next round starts empty. */
	bench_server_drain(&x->srv);
	sample_sctp_mem(x, true);
	x->rd = NULL;
	pb_kstat_read(&rd->k1, "");
	rd->interrupted = bench_stop_requested();
	/* Setup reports a stop as -EINTR; to the caller it is SIGINT's exit. */
	if (err == -EINTR || (!err && rd->interrupted))
		err = PB_EXIT_INTR;
	return err;
}

static int warmup(struct run_ctx *x)
{
	struct bench_round rd = { 0 };
	int err;

	if (!x->c->warmup)
		return 0;
	snprintf(x->label, sizeof(x->label), "warm-up");
	err = run_round(x, x->c->warmup, &rd, &x->r->warmup_errs);
	x->r->warmup_peeled = rd.peeled;
	if (x->h && x->h->round_end)
		x->h->round_end(x->h->ctx, 0, true);
	bench_samples_free(&rd.lat);
	return err;
}

static void add_round(struct bench_result *r, struct bench_round *rd)
{
	bench_lat_summarize(&rd->lat, &rd->sum);
	bench_samples_merge(&r->lat, &rd->lat);
	r->assocs += rd->up;
	r->peeled += rd->peeled;
	r->verified += rd->verified;
	r->setup_s += rd->setup_s;
	r->peel_s += rd->peel_s;
}

int bench_run(const struct bench_config *c, const struct bench_hooks *h,
	      struct bench_result *r)
{
	struct run_ctx x = { .c = c, .h = h, .r = r };
	unsigned long long i, before;
	int err;

	memset(r, 0, sizeof(*r));
	bench_errors_init(&r->errs);
	bench_errors_init(&r->warmup_errs);
	r->src_addrs = bench_config_src_addrs(c);
	r->fds_start = bench_fd_count();
	r->rounds = calloc(c->repeat, sizeof(*r->rounds));
	if (!r->rounds) {
		pb_err("out of memory");
		return PB_EXIT_RUNTIME;
	}
	err = bench_fdlimit_ensure(bench_config_fds_needed(c), c->assocs);
	if (err)
		return err;
	err = bench_server_open(c, &x.srv);
	if (err)
		return err;
	r->port = x.srv.port;
	err = warmup(&x);
	for (i = 0; !err && i < c->repeat; i++) {
		struct bench_round *rd = &r->rounds[i];

		snprintf(x.label, sizeof(x.label), "round %llu/%llu", i + 1, c->repeat);
		r->nrounds = i + 1;
		before = bench_errors_total(&r->errs);
		err = run_round(&x, c->assocs, rd, &r->errs);
		rd->errors = bench_errors_total(&r->errs) - before;
		add_round(r, rd);
		if (h && h->round_end)
			h->round_end(h->ctx, i, false);
	}
	bench_server_close(&x.srv);
	bench_lat_summarize(&r->lat, &r->sum);
	r->setup_per_s = r->setup_s > 0 ? (double)r->assocs / r->setup_s : 0;
	r->peel_per_s = r->peel_s > 0 ? (double)r->peeled / r->peel_s : 0;
	r->complete = !err;
	r->fds_end = bench_fd_count();
	return err;
}

void bench_result_free(struct bench_result *r)
{
	unsigned long long i;

	for (i = 0; r->rounds && i < r->nrounds; i++)
		bench_samples_free(&r->rounds[i].lat);
	free(r->rounds);
	bench_samples_free(&r->lat);
	memset(r, 0, sizeof(*r));
}
