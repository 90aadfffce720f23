/* SPDX-License-Identifier: GPL-2.0 */
/* `peelbench bisect`'s real measurement: a two-kernel `peelbench matrix`
 * per step (bisect_run.c). */
#ifndef PEELBENCH_BISECT_RUN_H
#define PEELBENCH_BISECT_RUN_H

#include "bisect.h"

struct bs_runner {
	const char *metric;
	double threshold, alpha;
	const char *dir;		/* steps go to DIR/step-N-VERSION */
	const char *const *args;	/* matrix options: --repeat, --sweep, run options */
	size_t nargs;
	unsigned nsteps;
	/* "check.CASE" only: args are the guest's options (--vm-mem,
	 * --vm-timeout); repeat runs of `check` a side, their results into
	 * the history db (NULL: the default) unless no_history */
	unsigned repeat;
	const char *db;
	bool no_history;
};

#define BS_MAX_REPEAT 100

/* A bs_measure_fn; ctx is a struct bs_runner. */
int bs_matrix_measure(void *ctx, const char *good, const char *cand, struct bs_step *s);
/* For "check.CASE": repeat runs of `peelbench --vm K check` a side,
 * interleaved, into DIR/step-N-VERSION/K/check-rR.json (and .log), judged
 * by bs_judge_check. */
int bs_check_measure(void *ctx, const char *good, const char *cand, struct bs_step *s);

#endif
