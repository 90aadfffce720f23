/* SPDX-License-Identifier: GPL-2.0 */
/* The benchmark as a whole: warm-up, then --repeat rounds, each setting up
 * its associations (plus --backlog fillers), starting the load, peeling
 * everything off with the workers and tearing down.  The caller (cmd_run)
 * gets a tick about every 100 ms from the main thread, for the tracer. */
#ifndef PEELBENCH_BENCH_DRIVER_H
#define PEELBENCH_BENCH_DRIVER_H

#include <stdbool.h>

#include "config.h"
#include "errors.h"
#include "samples.h"

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

/* Runs the whole benchmark.  r is filled as far as the run got in every
 * case; 0, PB_EXIT_INTR (SIGINT), or another PB_EXIT_* code (printed). */
int bench_run(const struct bench_config *c, const struct bench_hooks *h,
	      struct bench_result *r);
void bench_result_free(struct bench_result *r);

#endif
