/* SPDX-License-Identifier: GPL-2.0 */
/* Reading and validating result files (README "Result schema"); writing
 * them is jsonfile.c's.  A result that loads is safe to read: every key
 * the accessors below touch has been type-checked, every metric and
 * sample is a finite number. */
#ifndef PEELBENCH_RESULT_H
#define PEELBENCH_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"

#define PB_RESULT_SCHEMA "peelbench-result/1"

struct json_object;

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
};

/* Read and validate PATH.  On failure prints one line ("peelbench: PATH:
 * what is wrong") and returns PB_EXIT_USAGE; on success 0. */
int pb_result_load(const char *path, struct pb_result **out);
/* The same on a buffer; name is used in messages. */
int pb_result_parse(const char *buf, size_t len, const char *name,
		    struct pb_result **out);
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

/* Direction of a metric from its name: -1 lower is better (*_ns),
 * +1 higher is better (*_per_s), 0 unknown. */
int pb_metric_direction(const char *name);
/* The statistic a metric's name says it is: p50 → median, p99 → 99th
 * percentile, mean → mean; anything else → median. */
enum pb_stat pb_metric_stat(const char *name);

#endif
