/* SPDX-License-Identifier: GPL-2.0 */
/* `peelbench bisect METRIC --good V1 --bad V2`: the first kernel version,
 * in the runner's ordered list between V1 and V2, where METRIC steps.
 * The search (bisect.c) is pure: each step is measured by a function the
 * caller gives (bisect_run.c runs a two-kernel matrix; the unit test a
 * fake with a planted step). */
#ifndef PEELBENCH_BISECT_H
#define PEELBENCH_BISECT_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"

#define BS_MAX_VERSIONS 64
#define BS_MAX_STEPS 16

enum bs_verdict {
	BS_GOOD,	/* no regression against the good end */
	BS_BAD,		/* compare's verdict: regression */
	BS_MISSING,	/* the metric is missing on one side: skipped */
	BS_FAILED,	/* the runs failed: skipped */
};

extern const char *const bs_verdict_names[];

/* A `check` case as the metric ("check.CASE"): its verdict in each
 * repeat of `peelbench check` on the good end and on this version. */
struct bs_check {
	unsigned good_runs, good_fails, runs, fails;
	char good_verdict[32], verdict[32];	/* the most frequent verdict */
};

struct bs_step {
	const char *version;
	enum bs_verdict verdict;
	struct pb_metric_cmp m;		/* good end = base, this version = new */
	struct bs_check check;		/* instead of m, for "check.CASE" */
	char cell[160];			/* the cell judged ("default", "assocs=500") */
	char why[256];			/* MISSING, FAILED: one line */
	char dir[512];			/* where its runs are, if any */
};

/* Measure version cand against good (both in the list): fill out's
 * verdict, m, cell, why; return 0, or an exit code that ends the search
 * (an interrupt). */
typedef int (*bs_measure_fn)(void *ctx, const char *good, const char *cand,
			     struct bs_step *out);

struct bisect {
	const char *const *versions;	/* oldest first */
	size_t nversions;
	size_t good, bad;		/* indexes into versions */
	struct bs_step steps[BS_MAX_STEPS];
	size_t nsteps;
	/* the answer */
	bool found;
	size_t first_bad, last_good;
	const struct bs_step *bad_step;	/* the measurement of first_bad */
	size_t nskipped;		/* versions between last_good and first_bad */
	size_t skipped[BS_MAX_VERSIONS];	/* that could not be judged */
};

/* --good and --bad into b->good and b->bad: 0, or PB_EXIT_USAGE after one
 * line (an unknown version, --good not older than --bad). */
int bs_set_ends(struct bisect *b, const char *good, const char *bad);

/* The search: the bad end first (not bad: no step, exit 1), then halves
 * of the range, a version that cannot be judged skipped for its
 * neighbour.  on_step (may be NULL) sees each step as it ends.  Returns
 * 0 found, PB_EXIT_FOUND (1) no step, or measure's code. */
int bs_search(struct bisect *b, bs_measure_fn measure, void *ctx,
	      void (*on_step)(const struct bisect *b, const struct bs_step *s, void *ctx));

/* "check.CASE": the metric is the verdict of check case CASE. */
#define BS_CHECK_PREFIX "check."
bool bs_is_check_metric(const char *metric);

/* Judge a check case from each repeat's verdict of it ("pass", "fail",
 * "known deviation", "not applicable"; NULL where the case is absent from
 * that repeat's result), on the good end (ng repeats) and on this version
 * (nc).  A side fails the case when more than half of its repeats do.
 * Bad: the good end does not fail it and this version does.  Good: this
 * version does not.  Missing: a side whose results lack the case.
 * Failed (cannot be judged): no result on a side, or the good end fails
 * the case too.  Fills s->verdict, s->check and s->why. */
void bs_judge_check(const char *const *good, size_t ng, const char *const *cand,
		    size_t nc, const char *good_version, struct bs_step *s);

/* The versions of `scripts/vm-run --list` output (first column, in its
 * order) into out (strings in buf); returns how many. */
size_t bs_parse_list(char *text, const char **out, size_t max);

#endif
