// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for user/result.c: any byte string either loads as a
 * result whose accessors are then safe to call, or is refused with one
 * line.  Run with `make fuzz` (FUZZ_TIME seconds, default 60). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_result *r;
	const char *key;
	double v, *vals;

	if (pb_result_parse((const char *)data, size, "fuzz.json", &r))
		return 0;
	json_object_object_foreach(r->metrics, k, val) {
		(void)val;
		pb_result_metric(r, k, &v);
		if (pb_result_round_values(r, k, &vals))
			free(vals);
		if (pb_result_metric_samples(r, k, &vals, &key)) {
			v = pb_stat_of(pb_metric_stat(k), vals, 1);
			free(vals);
		}
		pb_metric_direction(k);
	}
	pb_result_free(r);
	return 0;
}
