/* SPDX-License-Identifier: GPL-2.0 */
/* The result file of `peelbench run` (README.md, "Result schema"): env,
 * config, metrics, rounds, samples, driver, trace; written atomically. */
#ifndef PEELBENCH_RESULT_WRITE_H
#define PEELBENCH_RESULT_WRITE_H

#include <stdbool.h>
#include <time.h>

#include "machine.h"

struct json_object;
struct bench_config;
struct bench_result;

struct result_env {
	char kernel[128];	/* uname -r */
	char cpu[128];		/* /proc/cpuinfo "model name" */
	int vcpus;		/* online CPUs */
	bool vm;		/* inside a guest (peelbench's or another) */
	char accel[16];		/* "tcg", "kvm", "unknown" in a guest; "none" native */
	struct pb_machine machine;	/* env.machine */
};

void result_env_probe(struct result_env *e);

/* The whole result object.  trace (may be NULL) is taken over; path is
 * where the result will be written (its events sidecar is beside it):
 * metrics get migrate.per_queued_msg_ns and trace gets migration_fit
 * (migration_fit.h) when the events allow a fit. */
struct json_object *result_build(const struct bench_config *c,
				 const struct bench_result *r,
				 const struct result_env *env,
				 struct json_object *trace, const char *path,
				 unsigned long long tracer_ok, bool traced,
				 time_t created);

/* "results/run-<kernel>-<YYYYmmddTHHMMSSZ>.json" */
void result_default_path(char *buf, size_t len, const struct result_env *env,
			 time_t created);

int result_write(const char *path, struct json_object *obj);

#endif
