// SPDX-License-Identifier: GPL-2.0
/* Latency samples: storage, exact percentiles, least squares. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "samples.h"

int bench_samples_reserve(struct bench_samples *s, size_t cap)
{
	uint64_t *p;

	if (cap <= s->cap)
		return 0;
	p = realloc(s->ns, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->ns = p;
	s->cap = cap;
	return 0;
}

int bench_samples_add(struct bench_samples *s, uint64_t ns)
{
	if (s->len >= s->cap)
		return -1;
	s->ns[s->len++] = ns;
	return 0;
}

int bench_samples_merge(struct bench_samples *dst, const struct bench_samples *src)
{
	int err;

	if (!src->len)
		return 0;
	err = bench_samples_reserve(dst, dst->len + src->len);
	if (err)
		return err;
	memcpy(dst->ns + dst->len, src->ns, src->len * sizeof(*src->ns));
	dst->len += src->len;
	return 0;
}

void bench_samples_free(struct bench_samples *s)
{
	free(s->ns);
	memset(s, 0, sizeof(*s));
}

/* Nearest rank: the smallest sample with at least p% of the samples at or
 * below it, so p99 of 100 samples is the 99th, and p100 the maximum. */
uint64_t bench_percentile_sorted(const uint64_t *sorted, size_t n, double p)
{
	double rank;
	size_t i;

	if (!n)
		return 0;
	/* 0.999 * 1000 is 999.0000000000001 in doubles: without the epsilon
	 * p99.9 of 1000 samples would be the maximum. */
	rank = ceil(p * (double)n / 100.0 - 1e-9);
	i = rank < 1 ? 0 : (size_t)rank - 1;
	if (i >= n)
		i = n - 1;
	return sorted[i];
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int bench_lat_summarize(const struct bench_samples *s, struct bench_lat_summary *out)
{
	uint64_t *sorted;
	double sum = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!s->len)
		return 0;
	sorted = malloc(s->len * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, s->ns, s->len * sizeof(*sorted));
	qsort(sorted, s->len, sizeof(*sorted), cmp_u64);
	for (i = 0; i < s->len; i++)
		sum += (double)sorted[i];
	out->count = s->len;
	out->min_ns = sorted[0];
	out->max_ns = sorted[s->len - 1];
	out->p50_ns = bench_percentile_sorted(sorted, s->len, 50);
	out->p99_ns = bench_percentile_sorted(sorted, s->len, 99);
	out->p999_ns = bench_percentile_sorted(sorted, s->len, 99.9);
	out->mean_ns = sum / (double)s->len;
	free(sorted);
	return 0;
}
