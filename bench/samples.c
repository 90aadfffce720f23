// SPDX-License-Identifier: GPL-2.0
/* Latency samples: storage, exact percentiles, least squares. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "samples.h"
#include "stats.h"

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
	out->p50_ns = pb_nearest_rank_sorted(sorted, s->len, 0.50);
	out->p99_ns = pb_nearest_rank_sorted(sorted, s->len, 0.99);
	out->p999_ns = pb_nearest_rank_sorted(sorted, s->len, 0.999);
	out->mean_ns = sum / (double)s->len;
	free(sorted);
	return 0;
}
