/* SPDX-License-Identifier: GPL-2.0 */
/* What the kernel's counters say about each round of `run` (README,
 * "Result schema": rounds[].kernel and driver.failures). */
#ifndef PEELBENCH_ROUND_KERNEL_H
#define PEELBENCH_ROUND_KERNEL_H

#include <json-c/json.h>

#include "driver.h"

/* {"delta": {COUNTER: change, ...}, "sctp_mem": {...}, "explain": "..."} */
struct json_object *round_kernel_json(const struct bench_round *rd);
/* [{"round", "index", "assoc_id", "error", "stage", "sent", "received",
 *   "counters_moved"}, ...]: the first failures of every round. */
struct json_object *failures_json(const struct bench_config *c, const struct bench_result *r);

#endif
