// SPDX-License-Identifier: GPL-2.0
/* A/B blocks of peeloffs in one process (driver.h, "A/B blocks"): a
 * round's associations all set up before its first block, each block a
 * tight loop timed call by call, the arms' order turned every round. */
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
	unsigned long long slot;	/* client port cursor, across rounds */
	struct bench_assoc_set set;	/* the round's associations */
	double *lat;			/* one block's calls, ns */
	int *fds;			/* the round's peeled sockets */
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

int bench_blocks_open(struct bench_blocks *bb)
{
	unsigned int arms = bb->size_arms > bb->narms ? bb->size_arms : bb->narms;
	unsigned long long per_round = (unsigned long long)arms * bb->block;
	struct bench_blocks_state *st;
	int ret;

	bb->done = 0;
	ret = bench_fdlimit_ensure(2 * per_round + 64, per_round);
	if (ret)
		return ret;
	bb->st = st = calloc(1, sizeof(*st));
	bb->b = calloc((size_t)bb->rounds * bb->narms, sizeof(*bb->b));
	if (st) {
		st->srv.fd = -1;
		st->lat = calloc(bb->block, sizeof(double));
		st->fds = calloc(per_round, sizeof(int));
	}
	if (!st || !bb->b || !st->lat || !st->fds) {
		pb_err("out of memory");
		return PB_EXIT_RUNTIME;
	}
	bench_config_defaults(&st->bc);
	st->bc.assocs = per_round;
	return 0;
}

/* The associations of one round, n blocks of them, all up before its
 * first block; the server socket first, when this is the first round. */
static int setup_round(struct bench_blocks *bb, unsigned int nblocks)
{
	struct bench_blocks_state *st = bb->st;
	size_t n = (size_t)nblocks * bb->block;
	struct bench_errors errs;
	int ret;

	if (st->srv.fd < 0) {
		ret = bench_server_open(&st->bc, &st->srv);
		if (ret)
			return ret;
	}
	bench_errors_init(&errs);
	ret = bench_assocs_setup(&st->bc, &st->srv, &st->set, n, &st->slot, &errs, NULL, NULL);
	if (ret)
		return ret;
	if (st->set.up < n) {
		pb_err("%s: only %zu of %zu associations came up", bb->who, st->set.up, n);
		return PB_EXIT_RUNTIME;
	}
	return 0;
}

static void end_round(struct bench_blocks *bb)
{
	struct bench_blocks_state *st = bb->st;

	while (st->nfds)
		close(st->fds[--st->nfds]);
	bench_assocs_free(&st->set);
	memset(&st->set, 0, sizeof(st->set));
}

/* Peel associations [from, from + block) of the round's set, timed call by
 * call, with arm's hooks around the loop.  The peeled sockets stay open
 * until the round ends.  0, -EINTR, or a PB_EXIT_* code. */
static int run_block(struct bench_blocks *bb, unsigned int arm, size_t from,
		     struct bench_block *b)
{
	struct bench_blocks_state *st = bb->st;
	unsigned int n = 0;
	double t0, t1, tc;
	size_t i;
	int ret, fd;

	if (bb->h.before) {
		ret = bb->h.before(bb->h.ctx, arm);
		if (ret)
			return ret;
	}
	t0 = bench_now_s();
	for (i = from; i < from + bb->block; i++) {
		tc = bench_now_s();
		fd = bench_peeloff(st->srv.fd, BENCH_CALL_PEELOFF, 0, st->set.a[i].id);
		if (fd < 0)
			continue;
		st->lat[n++] = (bench_now_s() - tc) * 1e9;
		st->fds[st->nfds++] = fd;
	}
	t1 = bench_now_s();
	b->ok = n;
	b->rate = n / (t1 - t0);
	b->p50 = pb_median(st->lat, n);
	b->secs = t1 - t0;
	b->seen = 0;
	if (bb->h.after)
		bb->h.after(bb->h.ctx, arm, b);
	return bench_stop_requested() ? -EINTR : 0;
}

int bench_blocks_run(struct bench_blocks *bb)
{
	unsigned int r, k, arm;
	int ret;

	for (r = 0; r < bb->rounds; r++) {
		pb_debug("round %u: setup at %.3f s", r + 1, bench_now_s());
		ret = setup_round(bb, bb->narms);
		pb_debug("round %u: blocks at %.3f s", r + 1, bench_now_s());
		for (k = 0; !ret && k < bb->narms; k++) {
			arm = bench_blocks_arm(r, k, bb->narms);
			if (bb->arm_names)
				pb_debug("round %u: %s at %.3f s", r + 1, bb->arm_names[arm],
					 bench_now_s());
			ret = run_block(bb, arm, (size_t)k * bb->block, bench_blocks_at(bb, r, arm));
		}
		pb_debug("round %u: closing at %.3f s", r + 1, bench_now_s());
		end_round(bb);
		if (ret)
			return ret;
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
	int ret;

	ret = setup_round(bb, n);
	if (!ret && ready && ready(bb->h.ctx)) {
		end_round(bb);
		return 0;
	}
	for (k = 0; !ret && k < n; k++)
		ret = run_block(bb, arms[k], (size_t)k * bb->block, &out[k]);
	end_round(bb);
	return ret;
}

void bench_blocks_close(struct bench_blocks *bb)
{
	struct bench_blocks_state *st = bb->st;

	if (st) {
		end_round(bb);
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
