/* SPDX-License-Identifier: GPL-2.0 */
/* Reading and validating result files (README "Result schema"); writing
 * them is jsonfile.c's.  A result that loads is safe to read: every key
 * the accessors below touch has been type-checked, every metric and
 * sample is a finite number. */
#ifndef PEELBENCH_RESULT_H
#define PEELBENCH_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "phase_work.h"
#include "stats.h"

#define PB_RESULT_SCHEMA "peelbench-result/1"

struct json_object;
struct pb_sample_set;

struct pb_result {
	char *path;			/* as given */
	char *tag;			/* file name without folder and .json */
	struct json_object *root;
	/* borrowed from root; NULL when the file has no such key */
	struct json_object *metrics;	/* always present */
	struct json_object *rounds, *samples, *env, *config, *trace, *check;
	bool complete;
	const char *created;		/* "" when absent */
	const char *kernel;		/* env.kernel, "" when absent */
	struct json_object *machine;	/* env.machine, NULL when absent */
	const char *machine_id;		/* env.machine.id, "" when absent */
	const char *machine_label;	/* env.machine.label, "" when absent */
	struct pb_sample_set *fast;	/* a compact load's samples, or NULL */
};

/* Flags of pb_result_load_ex/pb_result_parse_ex.  PB_LOAD_COMPACT: read
 * the samples arrays straight into doubles (samples_fast.h), for readers
 * of large results; root's arrays are then empty, so a result loaded so
 * must not be written back or stored whole (history, matrix do not use
 * it).  Refusals and their messages are those of a plain load. */
#define PB_LOAD_COMPACT 1u

/* Read and validate PATH.  On failure prints one line ("peelbench: PATH:
 * what is wrong") and returns PB_EXIT_USAGE; on success 0. */
int pb_result_load(const char *path, struct pb_result **out);
int pb_result_load_ex(const char *path, unsigned int flags, struct pb_result **out);
/* The same on a buffer; name is used in messages. */
int pb_result_parse(const char *buf, size_t len, const char *name,
		    struct pb_result **out);
int pb_result_parse_ex(const char *buf, size_t len, const char *name,
		       unsigned int flags, struct pb_result **out);
void pb_result_free(struct pb_result *r);

/* The flat summary value of a metric. */
bool pb_result_metric(const struct pb_result *r, const char *name, double *out);
/* The metric's value in every round that has it; *out is malloc'd (free
 * it) and the count returned. */
size_t pb_result_round_values(const struct pb_result *r, const char *name,
			      double **out);
/* The raw per-operation samples a metric summarises: "latency.p99_ns" and
 * "latency.mean_ns" come from samples["latency_ns"], "phase.X.p50_ns"
 * from samples["phase.X_ns"].  *key gets the samples' name. */
size_t pb_result_metric_samples(const struct pb_result *r, const char *name,
				double **out, const char **key);
/* The same sorted ascending; a compact load sorts each key once and
 * keeps it, however many metrics share the key. */
size_t pb_result_metric_samples_sorted(const struct pb_result *r, const char *name,
				       double **out, const char **key);
/* How many samples pb_result_metric_samples would give, without a copy. */
size_t pb_result_samples_count(const struct pb_result *r, const char *name);

/* result_phase.c.  The work each phase covered (phase_work.h), from
 * trace.probes' symbols; 0 for a phase not measured or not known. */
void pb_result_phase_work(const struct pb_result *r, unsigned int work[PB_PH_MAX]);
/* group.NAME.STAT_ns: the sum of phase.P.STAT_ns over the phases that
 * cover group NAME on r's kernel (pb_group_cover); the sum of the phases'
 * figures, not the figure of their sum.  pb_result_metric and
 * pb_result_round_values answer these names too. */
bool pb_result_group_metric(const struct pb_result *r, const char *name, double *out);
size_t pb_result_group_rounds(const struct pb_result *r, const char *name, double **out);
/* Whether metric means the same work in a and b: false for a phase
 * metric whose phase covered different work in the two (why: one line,
 * "clone covers copy in one, copy+migrate+assoc_migrate in the other");
 * true for every other metric, and when either side's work is unknown. */
bool pb_results_comparable(const struct pb_result *a, const struct pb_result *b,
			   const char *metric, char *why, size_t size);
/* Whether some phase covered different work in a and b. */
bool pb_results_work_differs(const struct pb_result *a, const struct pb_result *b);
/* The group metrics both a and b can give (group.NAME.{p50,p99,p999,
 * mean}_ns), into names[max]; returns how many. */
size_t pb_group_metric_names(const struct pb_result *a, const struct pb_result *b,
			     char (*names)[64], size_t max);
/* A new object: r's "metrics" and every group metric r can give (what
 * history stores, so that groups have a history too); NULL when out of
 * memory.  The caller puts it. */
struct json_object *pb_result_metrics_with_groups(const struct pb_result *r);

/* Direction of a metric from its name: -1 lower is better (*_ns),
 * +1 higher is better (*_per_s), 0 unknown. */
int pb_metric_direction(const char *name);
/* The statistic a metric's name says it is: p50 → median, p99 → 99th
 * percentile, mean → mean; anything else → median. */
enum pb_stat pb_metric_stat(const char *name);

#endif
