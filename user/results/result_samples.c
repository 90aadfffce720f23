// SPDX-License-Identifier: GPL-2.0
/* A result's raw samples (result.h): from the json-c tree, or from the
 * doubles a compact load read them into (samples_fast.h), with one sorted
 * copy per key kept for readers that test large samples sorted. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "result.h"
#include "samples_fast.h"
#include "stats.h"

/* "latency.p99_ns" → "latency_ns": drop the last ".STAT" before "_ns". */
static bool samples_key(const char *metric, char *key, size_t size)
{
	static const char *const stats[] = { "p50", "p90", "p99", "p999", "mean", "max" };
	const char *dot = strrchr(metric, '.');
	size_t n = strlen(metric), i, stem;

	if (!dot || n < 4 || strcmp(metric + n - 3, "_ns"))
		return false;
	for (i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
		size_t sl = strlen(stats[i]);

		if ((size_t)(metric + n - 3 - (dot + 1)) == sl &&
		    !strncmp(dot + 1, stats[i], sl))
			break;
	}
	if (i == sizeof(stats) / sizeof(stats[0]))
		return false;
	stem = dot - metric;
	if (stem + 4 > size)
		return false;
	memcpy(key, metric, stem);
	memcpy(key + stem, "_ns", 4);
	return true;
}

/* The samples' key in r->samples (so that a name handed out stays valid
 * as long as r), its array there and, for a compact load, its values. */
static const char *find_samples(const struct pb_result *r, const char *metric,
				struct json_object **a, struct pb_sample_key **fk)
{
	char k[256];

	if (!r->samples || !samples_key(metric, k, sizeof(k)))
		return NULL;
	json_object_object_foreach(r->samples, sk, sv) {
		if (strcmp(sk, k))
			continue;
		*a = sv;
		*fk = pb_samples_find(r->fast, sk);
		return sk;
	}
	return NULL;
}

size_t pb_result_samples_count(const struct pb_result *r, const char *name)
{
	struct pb_sample_key *fk;
	struct json_object *a;

	if (!find_samples(r, name, &a, &fk))
		return 0;
	return fk ? fk->n : json_object_array_length(a);
}

size_t pb_result_metric_samples(const struct pb_result *r, const char *name,
				double **out, const char **key)
{
	struct pb_sample_key *fk;
	struct json_object *a;
	const char *sk = find_samples(r, name, &a, &fk);
	size_t i, n = sk ? (fk ? fk->n : json_object_array_length(a)) : 0;
	double *v;

	*out = NULL;
	if (!n || !(v = malloc(n * sizeof(*v))))
		return 0;
	if (fk)
		memcpy(v, fk->v, n * sizeof(*v));
	for (i = 0; !fk && i < n; i++)
		v[i] = json_object_get_double(json_object_array_get_idx(a, i));
	*out = v;
	if (key)
		*key = sk;
	return n;
}

size_t pb_result_metric_samples_sorted(const struct pb_result *r, const char *name,
				       double **out, const char **key)
{
	struct pb_sample_key *fk;
	struct json_object *a;
	const char *sk = find_samples(r, name, &a, &fk);
	size_t n;

	if (fk && fk->n && !fk->sorted && (fk->sorted = malloc(fk->n * sizeof(*fk->sorted)))) {
		memcpy(fk->sorted, fk->v, fk->n * sizeof(*fk->v));
		pb_sort_doubles(fk->sorted, fk->n);
	}
	if (!fk || !fk->sorted) {
		n = pb_result_metric_samples(r, name, out, key);
		pb_sort_doubles(*out, n);
		return n;
	}
	*out = malloc(fk->n * sizeof(**out));
	if (!*out)
		return 0;
	memcpy(*out, fk->sorted, fk->n * sizeof(**out));
	if (key)
		*key = sk;
	return fk->n;
}
