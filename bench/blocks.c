// SPDX-License-Identifier: GPL-2.0
/* A/B blocks of peeloffs in one process (driver.h, "A/B blocks"): each
 * block's associations set up right before it and torn down right after
 * it, untimed; a warm-up, then a tight loop timed call by call; the arms'
 * order turned every round; optionally sized to last a given time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assoc.h"
#include "driver.h"
#include "fdlimit.h"
#include "peelbench.h"
#include "peeler.h"

struct bench_blocks_state {
	struct bench_config bc;
	struct bench_server srv;
	unsigned long long slot;	/* client port cursor, across blocks */
	struct bench_assoc_set set;	/* the block's associations */
	double *lat;			/* one block's calls, ns */
	int *fds;			/* the block's peeled sockets */
	size_t nfds;
};

unsigned int bench_blocks_arm(unsigned int r, unsigned int k, unsigned int narms)
{
	return (k + r) % narms;
}

struct bench_block *bench_blocks_at(const struct bench_blocks *bb, unsigned int r,
				    unsigned int arm)
{
	return &bb->b[(size_t)r * bb->narms + arm];
}

double bench_blocks_ratio(const struct bench_blocks *bb, unsigned int r, unsigned int arm)
{
	return bench_blocks_at(bb, r, arm)->rate / bench_blocks_at(bb, r, 0)->rate;
}

double bench_blocks_added(const struct bench_blocks *bb, unsigned int r, unsigned int arm)
{
	return bench_blocks_at(bb, r, arm)->p50 - bench_blocks_at(bb, r, 0)->p50;
}

int bench_blocks_summary(const struct bench_blocks *bb, unsigned int arm, uint64_t seed,
			 struct bench_arm_summary *s)
{
	unsigned int n = bb->done, r;
	double *v = calloc((size_t)n * 5 + 1, sizeof(double));
	double *rate = v, *p50 = v + n, *ratio = v + 2 * n, *added = v + 3 * n;
	double *secs = v + 4 * n;

	memset(s, 0, sizeof(*s));
	if (!v || !n) {
		free(v);
		return -1;
	}
	for (r = 0; r < n; r++) {
		rate[r] = bench_blocks_at(bb, r, arm)->rate;
		p50[r] = bench_blocks_at(bb, r, arm)->p50;
		ratio[r] = bench_blocks_ratio(bb, r, arm);
		added[r] = bench_blocks_added(bb, r, arm);
		secs[r] = bench_blocks_at(bb, r, arm)->secs;
		s->peeled += bench_blocks_at(bb, r, arm)->ok;
	}
	s->peel_per_s = pb_median(rate, n);
	s->call_p50_ns = pb_median(p50, n);
	s->ratio = pb_median(ratio, n);
	s->added_ns = pb_median(added, n);
	s->block_secs = pb_median(secs, n);
	s->has_ci = arm && !pb_bootstrap_stat(ratio, n, PB_STAT_MEDIAN, 2000, 0.95, seed,
					      &s->ratio_ci95) &&
		    !pb_bootstrap_stat(added, n, PB_STAT_MEDIAN, 2000, 0.95, seed + 1,
				       &s->added_ci95);
	free(v);
	return 0;
}

unsigned int bench_blocks_size(double target_s, double rate)
{
	double want = target_s * rate * 1.5 + 1;

	if (!(want >= BENCH_SIZING_PEELS))	/* NaN too */
		return BENCH_SIZING_PEELS;
	return want > BENCH_BLOCK_MAX ? BENCH_BLOCK_MAX : (unsigned int)want;
}

unsigned int bench_blocks_short(const struct bench_blocks *bb, unsigned int arm, double target_s,
				double *shortest)
{
	unsigned int r, n = 0;
	double s;

	*shortest = 0;
	for (r = 0; r < bb->done; r++) {
		s = bench_blocks_at(bb, r, arm)->secs;
		if (!r || s < *shortest)
			*shortest = s;
		n += s < target_s;
	}
	return n;
}

/* The descriptors and buffers for blocks of n peeloffs (plus warm-up). */
static int size_for(struct bench_blocks *bb, unsigned int n)
{
	struct bench_blocks_state *st = bb->st;
	unsigned long long per_block = (unsigned long long)n + bb->warmup;
	int ret;

	ret = bench_fdlimit_ensure(2 * per_block + 64, per_block);
	if (ret)
		return ret;
	free(st->lat);
	free(st->fds);
	st->lat = calloc(per_block, sizeof(double));
	st->fds = calloc(per_block, sizeof(int));
	if (!st->lat || !st->fds) {
		pb_err("out of memory for blocks of %llu peeloffs", per_block);
		return PB_EXIT_RUNTIME;
	}
	st->bc.assocs = per_block;
	return 0;
}

/* n associations for the next block, set up before anything is attached;
 * the server socket first, when there is none yet. */
static int setup_block(struct bench_blocks *bb, size_t n)
{
	struct bench_blocks_state *st = bb->st;
	struct bench_errors errs;
	double t0 = bench_now_s();
	int ret;

	if (st->srv.fd < 0) {
		ret = bench_server_open(&st->bc, &st->srv);
		if (ret)
			return ret;
	}
	bench_errors_init(&errs);
	ret = bench_assocs_setup(&st->bc, &st->srv, &st->set, n, &st->slot, &errs, NULL, NULL);
	bb->setup_s += bench_now_s() - t0;
	pb_debug("%s: %zu associations up in %.3f s (connects %.3f s)", bb->who, n,
		 bench_now_s() - t0, st->set.setup_s);
	bb->setup_n += n;
	if (ret)
		return ret;
	if (st->set.up < n) {
		pb_err("%s: only %zu of %zu associations came up", bb->who, st->set.up, n);
		return PB_EXIT_RUNTIME;
	}
	return 0;
}

/* The block's clients abort (one ABORT each: cheaper than a shutdown
 * handshake under TCG, and the peeled ends then close at once), then its
 * peeled sockets close. */
static void end_block(struct bench_blocks *bb)
{
	struct bench_blocks_state *st = bb->st;
	double t0 = bench_now_s();
	size_t i;

	for (i = 0; st->set.a && i < st->set.n; i++)
		bench_assoc_abort(&st->set.a[i]);
	while (st->nfds)
		close(st->fds[--st->nfds]);
	bench_assocs_free(&st->set);
	memset(&st->set, 0, sizeof(st->set));
	bb->setup_s += bench_now_s() - t0;
	pb_debug("%s: torn down in %.3f s", bb->who, bench_now_s() - t0);
}

static int peel_one(struct bench_blocks_state *st, size_t i)
{
	int fd = bench_peeloff(st->srv.fd, BENCH_CALL_PEELOFF, 0, st->set.a[i].id);

	if (fd >= 0)
		st->fds[st->nfds++] = fd;
	return fd;
}

/* Set up n associations, run arm's hooks around the warm-up and a loop of
 * n peeloffs timed call by call (no hooks when arm < 0: the sizing block,
 * with its own warm-up), tear down.  0, -EINTR, or a PB_EXIT_* code. */
static int run_block(struct bench_blocks *bb, int arm, unsigned int n, struct bench_block *b)
{
	struct bench_blocks_state *st = bb->st;
	unsigned int ok = 0, warm = arm < 0 ? BENCH_SIZING_PEELS : bb->warmup;
	double t0, t1, tc;
	size_t i;
	int ret;

	ret = setup_block(bb, (size_t)n + warm);
	if (ret)
		goto out;
	if (arm >= 0 && bb->h.before) {
		ret = bb->h.before(bb->h.ctx, (unsigned int)arm);
		if (ret)
			goto out;
	}
	for (i = 0; i < warm; i++)
		peel_one(st, i);
	if (arm >= 0 && bb->h.warmed)
		bb->h.warmed(bb->h.ctx, (unsigned int)arm);
	t0 = bench_now_s();
	for (i = warm; i < (size_t)warm + n; i++) {
		tc = bench_now_s();
		if (peel_one(st, i) < 0)
			continue;
		st->lat[ok++] = (bench_now_s() - tc) * 1e9;
	}
	t1 = bench_now_s();
	b->ok = ok;
	b->rate = ok / (t1 - t0);
	b->p50 = pb_median(st->lat, ok);
	b->secs = t1 - t0;
	b->seen = 0;
	if (arm >= 0 && bb->h.after)
		bb->h.after(bb->h.ctx, (unsigned int)arm, b);
	ret = bench_stop_requested() ? -EINTR : 0;
out:
	end_block(bb);
	return ret;
}

int bench_blocks_open(struct bench_blocks *bb)
{
	struct bench_blocks_state *st;
	struct bench_block sz;
	int ret;

	bb->done = 0;
	bb->setup_s = 0;
	bb->setup_n = 0;
	bb->st = st = calloc(1, sizeof(*st));
	bb->b = calloc((size_t)bb->rounds * bb->narms, sizeof(*bb->b));
	if (!st || !bb->b) {
		pb_err("out of memory");
		return PB_EXIT_RUNTIME;
	}
	st->srv.fd = -1;
	bench_config_defaults(&st->bc);
	if (bb->block)
		return size_for(bb, bb->block);
	/* Sized: one untraced block of BENCH_SIZING_PEELS after as many
	 * untimed ones (the first calls after a setup are slow: sized on
	 * them, blocks came out at 0.6 of the target), counted nowhere. */
	ret = size_for(bb, 2 * BENCH_SIZING_PEELS);
	if (!ret)
		ret = run_block(bb, -1, BENCH_SIZING_PEELS, &sz);
	if (ret)
		return ret == -EINTR ? PB_EXIT_INTR : ret;
	bb->sizing_rate = sz.rate;
	bb->block = bench_blocks_size(bb->target_s, sz.rate);
	pb_debug("%s: %.0f peels/s untraced: blocks of %u", bb->who, sz.rate, bb->block);
	return size_for(bb, bb->block);
}

int bench_blocks_run(struct bench_blocks *bb)
{
	unsigned int r, k, arm;
	int ret;

	for (r = 0; r < bb->rounds; r++) {
		for (k = 0; k < bb->narms; k++) {
			arm = bench_blocks_arm(r, k, bb->narms);
			if (bb->arm_names)
				pb_debug("round %u: %s at %.3f s", r + 1, bb->arm_names[arm],
					 bench_now_s());
			ret = run_block(bb, (int)arm, bb->block, bench_blocks_at(bb, r, arm));
			if (ret)
				return ret;
		}
		bb->done = r + 1;
		if (bb->h.round_done)
			bb->h.round_done(bb->h.ctx, r);
	}
	return 0;
}

int bench_blocks_extra(struct bench_blocks *bb, const unsigned int *arms, unsigned int n,
		       int (*ready)(void *ctx), struct bench_block *out)
{
	unsigned int k;
	int ret = 0;

	if (ready && ready(bb->h.ctx))
		return 0;
	for (k = 0; !ret && k < n; k++)
		ret = run_block(bb, (int)arms[k], bb->block, &out[k]);
	return ret;
}

void bench_blocks_close(struct bench_blocks *bb)
{
	struct bench_blocks_state *st = bb->st;

	if (st) {
		end_block(bb);
		if (st->srv.fd >= 0)
			bench_server_close(&st->srv);
		free(st->lat);
		free(st->fds);
		free(st);
	}
	free(bb->b);
	bb->b = NULL;
	bb->st = NULL;
}
