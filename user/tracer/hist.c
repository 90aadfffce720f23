// SPDX-License-Identifier: GPL-2.0
/* Log-linear histograms: index arithmetic shared with the kernel side
 * (bpf/peel.h), percentiles, text and JSON output. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "hist.h"
#include "peelbench.h"
#include "stats.h"

__u32 hist_index(__u64 ns)
{
	return pb_hist_index(ns);
}

__u64 hist_bucket_lower(__u32 idx)
{
	__u32 e, sub;

	if (idx < PB_HIST_SUB)
		return idx;
	e = idx / PB_HIST_SUB + PB_HIST_SUB_BITS - 1;
	sub = idx % PB_HIST_SUB;
	return (__u64)(PB_HIST_SUB + sub) << (e - PB_HIST_SUB_BITS);
}

__u64 hist_bucket_width(__u32 idx)
{
	if (idx < PB_HIST_SUB)
		return 1;
	return 1ull << (idx / PB_HIST_SUB - 1);
}

void hist_add(struct hist *h, __u64 ns)
{
	h->slot[hist_index(ns)]++;
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	size_t i;

	for (i = 0; i < PB_HIST_BUCKETS; i++)
		dst->slot[i] += src->slot[i];
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
}

void hist_sub(struct hist *dst, const struct hist *a, const struct hist *b)
{
	size_t i;

	for (i = 0; i < PB_HIST_BUCKETS; i++)
		dst->slot[i] = a->slot[i] - b->slot[i];
	dst->count = a->count - b->count;
	dst->sum_ns = a->sum_ns - b->sum_ns;
	dst->max_ns = a->max_ns;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum_ns / (double)h->count : 0.0;
}

__u64 hist_percentile(const struct hist *h, double p)
{
	__u64 want, seen = 0, v;
	__u32 i;

	if (!h->count)
		return 0;
	want = pb_nearest_rank(h->count, p);
	for (i = 0; i < PB_HIST_BUCKETS; i++) {
		seen += h->slot[i];
		if (seen >= want)
			break;
	}
	if (i >= PB_HIST_BUCKETS - 1)
		return h->max_ns;
	v = hist_bucket_lower(i) + hist_bucket_width(i) / 2;
	return v > h->max_ns ? h->max_ns : v;
}

static const char *fmt_ns(double ns, char *buf, size_t len)
{
	static const char *const fmt[4] = { "%.0fns", "%.1fus", "%.2fms", "%.3fs" };

	return pb_fmt_ns(ns, fmt, buf, len);
}

void hist_print(const struct hist *h, const char *name, FILE *f)
{
	char a[6][24];
	__u64 rows[64] = { 0 }, top = 0;
	int lo = 64, hi = -1, k, j;
	__u32 i;

	if (!h->count) {
		fprintf(f, "%-14s count 0\n", name);
		return;
	}
	fprintf(f, "%-14s count %llu  mean %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n",
		name, (unsigned long long)h->count,
		fmt_ns(hist_mean(h), a[0], sizeof(a[0])),
		fmt_ns((double)hist_percentile(h, 0.50), a[1], sizeof(a[1])),
		fmt_ns((double)hist_percentile(h, 0.90), a[2], sizeof(a[2])),
		fmt_ns((double)hist_percentile(h, 0.99), a[3], sizeof(a[3])),
		fmt_ns((double)hist_percentile(h, 0.999), a[4], sizeof(a[4])),
		fmt_ns((double)h->max_ns, a[5], sizeof(a[5])));
	/* Log2 rows: the fine buckets stay in the JSON. */
	for (i = 0; i < PB_HIST_BUCKETS; i++) {
		__u64 lower = hist_bucket_lower(i);

		if (!h->slot[i])
			continue;
		k = lower ? (int)pb_log2_u64(lower) : 0;
		rows[k] += h->slot[i];
		if (k < lo)
			lo = k;
		if (k > hi)
			hi = k;
	}
	for (k = lo; k <= hi; k++)
		if (rows[k] > top)
			top = rows[k];
	for (k = lo; k <= hi; k++) {
		int stars = top ? (int)((rows[k] * 40 + top - 1) / top) : 0;

		fprintf(f, "  %9s .. %-9s %8llu |", fmt_ns((double)(1ull << k), a[0], sizeof(a[0])),
			fmt_ns((double)(2ull << k), a[1], sizeof(a[1])),
			(unsigned long long)rows[k]);
		for (j = 0; j < 40; j++)
			fputc(j < stars ? '*' : ' ', f);
		fputs("|\n", f);
	}
}

struct json_object *hist_json(const struct hist *h)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	__u32 i;

	json_object_object_add(o, "count", json_object_new_int64((int64_t)h->count));
	json_object_object_add(o, "mean_ns", json_object_new_double(round(hist_mean(h) * 10) / 10));
	json_object_object_add(o, "p50_ns", json_object_new_int64((int64_t)hist_percentile(h, 0.50)));
	json_object_object_add(o, "p90_ns", json_object_new_int64((int64_t)hist_percentile(h, 0.90)));
	json_object_object_add(o, "p99_ns", json_object_new_int64((int64_t)hist_percentile(h, 0.99)));
	json_object_object_add(o, "p999_ns", json_object_new_int64((int64_t)hist_percentile(h, 0.999)));
	json_object_object_add(o, "max_ns", json_object_new_int64((int64_t)h->max_ns));
	for (i = 0; i < PB_HIST_BUCKETS; i++) {
		struct json_object *pair;

		if (!h->slot[i])
			continue;
		pair = json_object_new_array();
		json_object_array_add(pair, json_object_new_int64((int64_t)hist_bucket_lower(i)));
		json_object_array_add(pair, json_object_new_int64((int64_t)h->slot[i]));
		json_object_array_add(arr, pair);
	}
	json_object_object_add(o, "hist", arr);
	return o;
}
