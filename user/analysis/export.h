/* SPDX-License-Identifier: GPL-2.0 */
/* The CSV tables `export` writes and the gnuplot scripts in plots/ read.
 * Every file is written atomically (temporary file, rename).  Functions
 * print their own one-line error and return an enum pb_exit code. */
#ifndef PEELBENCH_EXPORT_H
#define PEELBENCH_EXPORT_H

#include <stddef.h>

#include "stats.h"

struct pb_result;
struct pb_history_point;
struct pb_cp;

/* Tables are named by each result's tag (its file name without .json):
 * two results with one tag (a/base.json, b/base.json) would overwrite
 * each other's.  0, or PB_EXIT_USAGE after one line naming both. */
int pb_export_tags_distinct(struct pb_result *const *rs, size_t n, const char *cmd);

/* TAG.metrics.csv: metric,value,ci_lo,ci_hi,n,source
 * TAG.phase-NAME.csv (one per phase in trace.phases):
 *   lower_ns,upper_ns,count,fraction,cdf
 * TAG.events.csv (when the result has events, inline or in its sidecar):
 *   parent_rq_len,syscall_ns,do_peeloff_ns,clone_ns,migrate_ns,assoc_migrate_ns
 * TAG.fit.csv (when the events allow the migration fit, migration_fit.h):
 *   method,phase,ns_per_msg,ci_lo,ci_hi,intercept_ns,x_med,y_med,events,pairs,sampled
 * tables_out: how many tables were written (may be NULL). */
int pb_export_result(const struct pb_result *r, const char *dir,
		     size_t *tables_out);

/* sweep.csv: one row per result, sorted by config.assocs:
 *   assocs,tag,peel_per_s,peel_lo,peel_hi,p99_ns,p99_lo,p99_hi
 * *rows: how many results had config.assocs. */
int pb_export_sweep(struct pb_result *const *rs, size_t n, const char *dir,
		    size_t *rows);

/* phases.csv: phase, then per result TAG_p50,TAG_lo,TAG_hi (the phase's
 * p50 and its 95% bootstrap CI). */
int pb_export_phases(struct pb_result *const *rs, size_t n, const char *dir);

/* history-METRIC.csv: index,time,value,segment_mean,change_pct (change_pct
 * only on change points, else NaN). */
int pb_export_history(const char *metric, const struct pb_history_point *p,
		      size_t n, const struct pb_cp *cps, size_t ncp,
		      const char *dir);

/* A value with its 95% bootstrap CI from the metric's samples or rounds;
 * ci is [value, value] and *n 0 when neither exists. */
void pb_metric_ci(const struct pb_result *r, const char *metric, double *value,
		  struct pb_ci *ci, size_t *n, const char **source);

#endif
