/* SPDX-License-Identifier: GPL-2.0 */
/* Latency samples and their summary: the only place the driver summarises
 * latencies (wrk's stats.c, without the histogram: every sample is kept,
 * so percentiles are exact nearest-rank ones, from user/stats.h). */
#ifndef PEELBENCH_BENCH_SAMPLES_H
#define PEELBENCH_BENCH_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

struct bench_samples {
	uint64_t *ns;
	size_t len, cap;
};

struct bench_lat_summary {
	size_t count;
	uint64_t min_ns, p50_ns, p99_ns, p999_ns, max_ns;
	double mean_ns;
};

int bench_samples_reserve(struct bench_samples *s, size_t cap);
/* Append one sample; the caller reserved room (no allocation here, so
 * workers can call it on their hot path).  Returns -1 when full. */
int bench_samples_add(struct bench_samples *s, uint64_t ns);
/* Append all of src (reallocating dst as needed). */
int bench_samples_merge(struct bench_samples *dst, const struct bench_samples *src);
void bench_samples_free(struct bench_samples *s);

/* Summary of the samples, sorting a copy: s itself keeps its order (the
 * order of the calls, which the result file records). */
int bench_lat_summarize(const struct bench_samples *s, struct bench_lat_summary *out);


#endif
