/* SPDX-License-Identifier: GPL-2.0 */
/* Two result files compared metric by metric: every metric's change with
 * a bootstrap CI and a Mann-Whitney p-value, a verdict per metric, the
 * check cases whose verdict changed.  Built once into a struct
 * pb_comparison, which the CLI prints as a table or as JSON. */
#ifndef PEELBENCH_COMPARE_H
#define PEELBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"

struct pb_result;

#define PB_CMP_RESAMPLES 2000
#define PB_CMP_CI_LEVEL 0.95
#define PB_CMP_MAX_METRICS 256

enum pb_verdict {
	PB_V_NO_CHANGE,
	PB_V_REGRESSION,
	PB_V_IMPROVEMENT,
	PB_V_CHANGED,	/* significant, but the name says no direction */
	PB_V_UNTESTED,	/* fewer than 2 values on a side: no p, no CI */
	PB_V_NOT_COMPARABLE,	/* a phase that covered other work in each
				 * result (phase_work.h): never judged */
};

extern const char *const pb_verdict_names[];

struct pb_metric_cmp {
	const char *name;
	double base, new, change;	/* change in %, NAN when base is 0 */
	char source[160];		/* "samples latency_ns", "rounds", "";
					 * not comparable: what each covered */
	size_t nb, nn;
	bool tested;
	struct pb_mwu mwu;
	struct pb_ci ci;
	enum pb_verdict verdict;
};

struct pb_case_cmp {
	const char *name, *base, *new;	/* verdicts; NULL: not in that file */
	bool regression;
};

struct pb_comparison {
	struct pb_result *base, *new;
	double threshold, alpha;
	struct pb_metric_cmp m[PB_CMP_MAX_METRICS];
	size_t nm;
	char groups[8][64];		/* group.* names added (owned here) */
	struct pb_case_cmp *cases;
	size_t ncases;
	char *diffs;			/* "config.assocs: 1000 -> 4000; ..." */
	int regressions, improvements;
};

/* Compare c->base with c->new (loaded by the caller) by c->threshold and
 * c->alpha: the metrics named (each must be in both files), else every
 * metric with a direction that both have, and then, when a phase covered
 * other work in each (another kernel), the group metrics both can give.
 * A phase metric that covered other work is not judged
 * (PB_V_NOT_COMPARABLE).  Results that differ in config
 * or env are refused unless allow_different.  Returns 0, or an exit code
 * after one line ("compare: ..."). */
int pb_compare(struct pb_comparison *c, const char *const *metrics, size_t n,
	       bool allow_different);
/* The test of one metric m (name, base, new and change set) over the
 * values of each side, and its verdict as pb_compare gives it: a change
 * of at least threshold %, Mann-Whitney p < alpha, a bootstrap CI of
 * stat's change that excludes 0.  Sets nb, nn, mwu, ci, tested, verdict.
 * Past PB_BOOT_DIRECT_MIN values a side, vb and vn are sorted in place. */
void pb_metric_test(struct pb_metric_cmp *m, double *vb, size_t nb, double *vn, size_t nn,
		    enum pb_stat stat, double threshold, double alpha);
/* Frees what pb_compare and the caller loaded (base, new), not c. */
void pb_comparison_release(struct pb_comparison *c);

#endif
