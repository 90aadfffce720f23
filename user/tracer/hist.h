/* SPDX-License-Identifier: GPL-2.0 */
/* Log-linear latency histograms (layout in bpf/peel.h: 64 sub-buckets per
 * power of two, <= 1/64 relative bucket width, 1 ns .. 137 s): the
 * kernel's per-CPU copies are summed into one of these, and events can be
 * added one by one.  Percentiles, mean, a compact text picture, JSON. */
#ifndef PEELBENCH_HIST_H
#define PEELBENCH_HIST_H

#include <stdio.h>
#include <linux/types.h>

#include "peel.h"

struct json_object;

struct hist {
	__u64 slot[PB_HIST_BUCKETS];
	__u64 count;
	__u64 sum_ns;
	__u64 max_ns;
};

__u32 hist_index(__u64 ns);
__u64 hist_bucket_lower(__u32 idx);
/* Width of bucket idx: every value v in it has lower <= v < lower+width. */
__u64 hist_bucket_width(__u32 idx);

void hist_add(struct hist *h, __u64 ns);
void hist_merge(struct hist *dst, const struct hist *src);
/* dst = a - b, slot by slot (a round's share of cumulative histograms);
 * max is a's max. */
void hist_sub(struct hist *dst, const struct hist *a, const struct hist *b);
double hist_mean(const struct hist *h);
/* Nearest-rank percentile p in [0,1]: the middle of the bucket that holds
 * the ceil(p*count)-th smallest value, clamped to max; 0 when empty. */
__u64 hist_percentile(const struct hist *h, double p);

/* One text block: count/mean/p50/p90/p99/p99.9/max, then a log2-grouped
 * bar chart of the populated range. */
void hist_print(const struct hist *h, const char *name, FILE *f);
/* {count, mean_ns, p50_ns, p90_ns, p99_ns, p999_ns, max_ns,
 *  hist: [[lower_ns, count], ...]} with non-empty buckets only. */
struct json_object *hist_json(const struct hist *h);

#endif
