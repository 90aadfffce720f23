/* SPDX-License-Identifier: GPL-2.0 */
/* bench/'s one public header: the load generator as the commands use it.
 * The other headers of bench/ are its internals.
 *
 * bench_run: the benchmark as a whole: warm-up, then --repeat rounds, each
 * setting up its associations (plus --backlog fillers), starting the load,
 * peeling everything off with the workers and tearing down.  The caller
 * (cmd_run) gets a tick about every 100 ms from the main thread, for the
 * tracer.
 *
 * bench_blocks: interleaved A/B blocks of peeloffs in one process
 * (peelbench overhead). */
#ifndef PEELBENCH_BENCH_DRIVER_H
#define PEELBENCH_BENCH_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "errors.h"
#include "kstat.h"
#include "samples.h"
#include "stats.h"
#include "verify.h"

struct bench_round {
	unsigned long long assocs;	/* requested */
	unsigned long long up;		/* set up, id known */
	unsigned long long aborted;	/* --abort-peers done */
	unsigned long long peeled;	/* peeloff calls that returned an fd */
	unsigned long long verified;	/* ... and passed every check */
	unsigned long long errors;	/* failures of any kind, this round */
	unsigned long long backlog;	/* messages left on the parent */
	unsigned long long load_sent, load_dropped, load_failed;
	double setup_s, peel_s;
	double setup_per_s, peel_per_s;
	bool interrupted;
	struct bench_samples lat;	/* ns per successful peeloff call */
	struct bench_lat_summary sum;
	/* The kernel's counters (kstat.h) when the round's setup starts and
	 * after its teardown; SCTP's memory in pages, the highest of the
	 * samples taken about every 100 ms (-1: not counted), and whether any
	 * sample found the kernel under SCTP memory pressure. */
	struct pb_kstat k0, k1;
	long long sctp_mem_peak;
	bool sctp_pressure;
	unsigned int nfail;		/* in fail[] */
	struct bench_failure fail[BENCH_FAILS_MAX];
};

struct bench_hooks {
	/* After every round, the warm-up (warm = true) included: the tracer
	 * closes its per-round summary there (tracer_round summarises the
	 * time since its previous call). */
	void (*round_end)(void *ctx, unsigned long long round, bool warm);
	void (*tick)(void *ctx);
	void *ctx;
};

struct bench_result {
	bool complete;			/* false: stopped by SIGINT */
	unsigned short port;		/* the server's port */
	unsigned long long src_addrs;
	struct bench_round *rounds;	/* measured rounds that started peeling */
	unsigned long long nrounds;
	struct bench_samples lat;	/* all measured rounds, in order */
	struct bench_lat_summary sum;
	struct bench_errors errs;	/* measured rounds */
	unsigned long long assocs, peeled, verified;
	double setup_s, peel_s, setup_per_s, peel_per_s;
	unsigned long long warmup_peeled;
	struct bench_errors warmup_errs;	/* not counted in errs */
	/* Memory of the first measured round's setup, per association:
	 * this process (VmRSS) and the kernel (Slab + SUnreclaim... from
	 * /proc/meminfo "Slab"), both sides of every association. */
	double user_bytes_per_assoc, kernel_bytes_per_assoc;
	long fds_start, fds_end;	/* open descriptors before and after */
};

/* Why a round had failures, from its counters, as one sentence for the
 * summary and the result (rounds[].kernel.explain); NULL when it had
 * none.  Memory pressure that this round's own associations created is
 * said to be so, with the setting that avoids it. */
const char *bench_round_explain(const struct bench_round *rd, char *buf, size_t len);
/* The counters of loss, retries and refusals (retransmissions, discards,
 * out-of-blues, aborts) that moved during the round, at most max. */
int bench_round_trouble(const struct bench_round *rd, struct pb_kstat_delta *out, int max);

/* Runs the whole benchmark.  r is filled as far as the run got in every
 * case; 0, PB_EXIT_INTR (SIGINT), or another PB_EXIT_* code (printed). */
int bench_run(const struct bench_config *c, const struct bench_hooks *h,
	      struct bench_result *r);
void bench_result_free(struct bench_result *r);

/* 0 when this kernel has SCTP for family (enum bench_family), else
 * socket()'s errno; _avail tries `modprobe sctp` first when it is missing
 * (sctp_avail.h). */
int bench_sctp_probe(enum bench_family family);
int bench_sctp_avail(enum bench_family family);

/* The stop request (SIGINT): set from a signal handler, read by every loop
 * of the driver and the blocks, which then unwind and close what they
 * opened. */
void bench_request_stop(void);	/* async-signal-safe */
bool bench_stop_requested(void);

/* ---- A/B blocks -------------------------------------------------------
 * Right before each block, its associations are set up (not timed, nothing
 * attached yet); then the arm's before hook attaches what it measures, the
 * first `warmup` peeloffs run untimed (a freshly attached program's first
 * runs: translation, cold caches), and the block peels in a tight loop,
 * timed call by call; the after hook detaches, and the block's
 * associations are torn down (clients abort: not timed either).  The
 * arms' order turns every round (bench_blocks_arm) so that no arm always
 * runs first or last.  Arm 0 is the baseline: every arm's ratio and added
 * time are against arm 0's block of the same round.  With block 0, the
 * blocks are sized before the first round to last target_s each at the
 * untraced rate (bench_blocks_size). */
#define BENCH_ARMS_MAX 10
#define BENCH_BLOCK_MAX 200000		/* peeloffs per block, at most */
#define BENCH_SIZING_PEELS 500		/* the sizing block's peeloffs */

struct bench_block {
	double rate;			/* peels per second of the block */
	double p50;			/* median call, ns */
	double secs;			/* the block's wall time */
	unsigned long long ok;		/* peeled */
	unsigned long long seen;	/* left to the hooks (the tracer's count) */
};

struct bench_block_hooks {
	/* Right before arm's block; 0 or a PB_EXIT_* code (printed). */
	int (*before)(void *ctx, unsigned int arm);
	/* After the warm-up, before the timed loop (NULL: nothing). */
	void (*warmed)(void *ctx, unsigned int arm);
	/* Right after it, b filled but for seen. */
	void (*after)(void *ctx, unsigned int arm, struct bench_block *b);
	/* After every complete round (0-based). */
	void (*round_done)(void *ctx, unsigned int round);
	void *ctx;
};

struct bench_blocks_state;

struct bench_blocks {
	unsigned int rounds;		/* >= 1 */
	unsigned int block;		/* peeloffs per block; 0: sized to target_s */
	unsigned int warmup;		/* untimed peeloffs after the before hook */
	double target_s;		/* block 0: how long a block should last */
	double sizing_rate;		/* block 0: the sizing block's peels per s */
	double setup_s;			/* setup and teardown wall time, all blocks */
	unsigned long long setup_n;	/* associations set up, all blocks */
	unsigned int narms;		/* 1 .. BENCH_ARMS_MAX, arm 0 the baseline */
	const char *who;		/* prefix of the errors: "overhead" */
	const char *const *arm_names;	/* for -v; NULL: numbers */
	struct bench_block_hooks h;
	struct bench_block *b;		/* b[round * narms + arm] */
	unsigned int done;		/* complete rounds */
	struct bench_blocks_state *st;
};

struct bench_arm_summary {
	double peel_per_s;		/* median over rounds */
	double call_p50_ns;		/* median over rounds of the median call */
	double ratio;			/* median of rate / arm 0's rate */
	double added_ns;		/* median of p50 - arm 0's p50 */
	bool has_ci;			/* arms > 0 with bootstrap CIs */
	struct pb_ci ratio_ci95, added_ci95;
	double block_secs;		/* median block wall time */
	unsigned long long peeled;	/* over every round */
};

/* The arm that runs k-th (0-based) in round r. */
unsigned int bench_blocks_arm(unsigned int r, unsigned int k, unsigned int narms);
/* Round r's block of arm, its ratio and added time against arm 0. */
struct bench_block *bench_blocks_at(const struct bench_blocks *bb, unsigned int r,
				    unsigned int arm);
double bench_blocks_ratio(const struct bench_blocks *bb, unsigned int r, unsigned int arm);
double bench_blocks_added(const struct bench_blocks *bb, unsigned int r, unsigned int arm);
/* Over the complete rounds; the CI (2000 resamples, seeded with seed) for
 * arms > 0.  -1 when no round is complete or out of memory. */
int bench_blocks_summary(const struct bench_blocks *bb, unsigned int arm, uint64_t seed,
			 struct bench_arm_summary *s);

/* Peeloffs for a block to last target_s at rate peels/s: 50 % over it
 * (the untraced blocks of one run spread over 2x under TCG at load 10-20),
 * within [BENCH_SIZING_PEELS, BENCH_BLOCK_MAX]. */
unsigned int bench_blocks_size(double target_s, double rate);
/* arm's complete blocks that lasted less than target_s, and the shortest. */
unsigned int bench_blocks_short(const struct bench_blocks *bb, unsigned int arm, double target_s,
				double *shortest);

/* Raise the descriptor limit and allocate (the server socket opens with
 * the first round).  0 or a PB_EXIT_* code (printed); bench_blocks_close
 * in every case. */
int bench_blocks_open(struct bench_blocks *bb);
/* Every round, interleaved.  0, -EINTR (stopped: done says how far it
 * got) or a PB_EXIT_* code (printed). */
int bench_blocks_run(struct bench_blocks *bb);
/* One more round, of one block per arm in arms[0 .. n) in that order,
 * into out[0 .. n) (counted in no summary).  The hooks run as in a round;
 * ready, when given, right after the setup: nonzero skips the blocks.
 * Same returns as bench_blocks_run. */
int bench_blocks_extra(struct bench_blocks *bb, const unsigned int *arms, unsigned int n,
		       int (*ready)(void *ctx), struct bench_block *out);
void bench_blocks_close(struct bench_blocks *bb);

#endif
