// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for user/result.c: any byte string either loads as a
 * result whose accessors are then safe to call, or is refused with one
 * line.  A compact load (PB_LOAD_COMPACT, samples_fast.c) must agree with
 * the plain one: the same verdict and every sample the same bits.  Run
 * with `make fuzz` (FUZZ_TIME seconds, default 60). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_result *r, *c;
	const char *key;
	double v, *vals, *cvals;
	size_t n;
	int ret = pb_result_parse((const char *)data, size, "fuzz.json", &r);

	if (ret != pb_result_parse_ex((const char *)data, size, "fuzz.json",
				      PB_LOAD_COMPACT, &c))
		abort();
	if (ret)
		return 0;
	json_object_object_foreach(r->metrics, k, val) {
		(void)val;
		pb_result_metric(r, k, &v);
		if (pb_result_round_values(r, k, &vals))
			free(vals);
		n = pb_result_metric_samples(r, k, &vals, &key);
		if (n != pb_result_metric_samples(c, k, &cvals, &key) ||
		    (n && memcmp(vals, cvals, n * sizeof(*vals))))
			abort();
		free(cvals);
		if (n) {
			v = pb_stat_of(pb_metric_stat(k), vals, 1);
			free(vals);
		}
		pb_metric_direction(k);
	}
	pb_result_free(r);
	pb_result_free(c);
	return 0;
}
