// SPDX-License-Identifier: GPL-2.0
/* The history API (history.h) over either store (history_store.h): picks
 * the store by the address, turns results into stored entries, gathers
 * series and writes the CSV export, the same for SQLite and PostgreSQL. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "history_store.h"
#include "peelbench.h"
#include "result.h"

struct pb_history {
	const struct pb_history_ops *ops;
	void *impl;
};

const char *pb_history_default_path(void)
{
	const char *db = getenv("PEELBENCH_DB"), *p = getenv("PEELBENCH_HISTORY");

	if (db && *db)
		return db;
	return p && *p ? p : "results/history.db";
}

bool pb_history_is_pg(const char *where)
{
	const char *s;

	if (!strncmp(where, "postgresql://", 13) || !strncmp(where, "postgres://", 11))
		return true;
	/* "keyword=value": a bare lowercase keyword before the first '='
	 * ("./a=b.db" is a file). */
	for (s = where; *s && (islower((unsigned char)*s) || *s == '_'); s++)
		;
	return s > where && *s == '=';
}

int pb_history_open(const char *where, bool create, struct pb_history **out)
{
	struct pb_history *h = calloc(1, sizeof(*h));
	int ret;

	*out = NULL;
	if (!h) {
		pb_err("history: out of memory");
		return PB_EXIT_RUNTIME;
	}
	h->ops = pb_history_is_pg(where) ? &pb_history_pg : &pb_history_sqlite;
	if ((ret = h->ops->open(where, create, &h->impl))) {
		free(h);
		return ret;
	}
	*out = h;
	return 0;
}

void pb_history_close(struct pb_history *h)
{
	if (!h)
		return;
	h->ops->close(h->impl);
	free(h);
}

const char *pb_history_name(const struct pb_history *h)
{
	return h->ops->name(h->impl);
}

int pb_history_other_version(const char *name, int version)
{
	pb_err("history: %s has schema version %d; this peelbench knows %d", name,
	       version, PB_HISTORY_SCHEMA);
	return PB_EXIT_USAGE;
}

void pb_history_display(const char *where, char *buf, size_t size)
{
	if (!pb_history_is_pg(where))
		snprintf(buf, size, "%s", where);
	else if (!pb_history_pg_describe(where, buf, size))
		snprintf(buf, size, "(an invalid PostgreSQL address)");
}

static void digest_of(const char *text, char *out, size_t size)
{
	uint64_t a = 1469598103934665603ULL, b = 0x9e3779b97f4a7c15ULL;
	const unsigned char *s = (const unsigned char *)text;

	for (; *s; s++) {
		a = (a ^ *s) * 1099511628211ULL;
		b = (b ^ *s) * 0x100000001b3ULL + (b >> 29);
	}
	snprintf(out, size, "%016llx%016llx", (unsigned long long)a,
		 (unsigned long long)b);
}

static const char *env_string(const struct pb_result *r, const char *key)
{
	struct json_object *o;

	if (r->env && json_object_object_get_ex(r->env, key, &o) &&
	    json_object_is_type(o, json_type_string))
		return json_object_get_string(o);
	return "";
}

/* The entries of a batch; strings live in the results and in copies[]
 * (the stored JSON, without the raw samples: they can be megabytes). */
struct batch {
	struct pb_history_entry *e;
	struct json_object **copies;
	char (*digests)[40];
	bool *dup;
	struct json_object **metrics;	/* each result's metrics and groups */
};

static void batch_free(struct batch *b, size_t n)
{
	size_t i;

	for (i = 0; b->copies && i < n; i++)
		json_object_put(b->copies[i]);
	for (i = 0; b->metrics && i < n; i++)
		json_object_put(b->metrics[i]);
	free(b->metrics);
	free(b->e);
	free(b->copies);
	free(b->digests);
	free(b->dup);
}

static int batch_fill(struct batch *b, struct pb_result *const *rs, size_t n,
		      const char *now)
{
	size_t i;

	b->e = calloc(n, sizeof(*b->e));
	b->copies = calloc(n, sizeof(*b->copies));
	b->digests = calloc(n, sizeof(*b->digests));
	b->dup = calloc(n, sizeof(*b->dup));
	b->metrics = calloc(n, sizeof(*b->metrics));
	if (!b->e || !b->copies || !b->digests || !b->dup || !b->metrics)
		return -1;
	for (i = 0; i < n; i++) {
		const struct pb_result *r = rs[i];
		struct pb_history_entry *e = &b->e[i];

		digest_of(json_object_to_json_string_ext(r->root, JSON_C_TO_STRING_PLAIN),
			  b->digests[i], sizeof(b->digests[i]));
		if (json_object_deep_copy(r->root, &b->copies[i], NULL))
			return -1;
		json_object_object_del(b->copies[i], "samples");
		e->digest = b->digests[i];
		e->json = json_object_to_json_string_ext(b->copies[i], JSON_C_TO_STRING_PLAIN);
		e->config = r->config ? json_object_to_json_string_ext(r->config,
					JSON_C_TO_STRING_PLAIN) : "{}";
		e->created = r->created;
		e->added = now;
		e->path = r->path;
		e->kernel = r->kernel;
		e->accel = env_string(r, "accel");
		e->machine = r->machine_id;
		e->machine_label = r->machine_label;
		e->complete = r->complete;
		if (!(b->metrics[i] = pb_result_metrics_with_groups(r)))
			return -1;
		e->metrics = b->metrics[i];
	}
	return 0;
}

int pb_history_add(struct pb_history *h, struct pb_result *const *rs, size_t n,
		   size_t *added, size_t *skipped)
{
	struct batch b = { 0 };
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	size_t i;
	int ret;

	*added = *skipped = 0;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	if (batch_fill(&b, rs, n, now)) {
		pb_err("history add: out of memory");
		batch_free(&b, n);
		return PB_EXIT_RUNTIME;
	}
	ret = h->ops->add(h->impl, b.e, n, b.dup);
	for (i = 0; !ret && i < n; i++) {
		if (b.dup[i])
			pb_debug("history add: %s is already stored, skipped", rs[i]->path);
		(*(b.dup[i] ? skipped : added))++;
	}
	batch_free(&b, n);
	return ret;
}

int pb_history_find_json(struct pb_history *h, const char *needle,
			 pb_history_json_fn fn, void *ctx)
{
	return h->ops->find_json(h->impl, needle, fn, ctx);
}

int pb_history_results(struct pb_history *h, pb_history_row_fn fn, void *ctx)
{
	return h->ops->results(h->impl, fn, ctx);
}

struct points {
	struct pb_history_point *v;
	size_t n, cap;
};

static uint64_t series_key(const struct pb_history_point *p, const char *config)
{
	const char *parts[] = { p->machine, p->kernel, config };
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a, NUL between parts */
	size_t i;
	const char *s;

	for (i = 0; i < 3; i++) {
		for (s = parts[i]; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
		h *= 1099511628211ULL;
	}
	return h;
}

static int keep_point(struct pb_history_point *p, const char *config, void *ctx)
{
	struct points *ps = ctx;

	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 64;
		struct pb_history_point *nv = realloc(ps->v, cap * sizeof(*nv));

		if (!nv) {
			pb_err("history: out of memory");
			return PB_EXIT_RUNTIME;
		}
		ps->v = nv;
		ps->cap = cap;
	}
	p->series = series_key(p, config);
	snprintf(p->config, sizeof(p->config), "%s", config);
	ps->v[ps->n++] = *p;
	return 0;
}

int pb_history_series(struct pb_history *h, const char *metric,
		      const char *kernel, struct pb_history_point **out,
		      size_t *n)
{
	struct points ps = { 0 };
	int ret = h->ops->series(h->impl, metric, kernel, keep_point, &ps);

	if (ret) {
		free(ps.v);
		ps.v = NULL;
		ps.n = 0;
	}
	*out = ps.v;
	*n = ps.n;
	return ret;
}

int pb_history_each_series(const struct pb_history_point *p, size_t n,
			   pb_history_series_fn fn, void *ctx)
{
	struct pb_history_point *s = malloc((n ? n : 1) * sizeof(*s));
	bool *done = calloc(n ? n : 1, sizeof(*done));
	size_t i, j, m;
	int ret = 0;

	if (!s || !done) {
		pb_err("history: out of memory");
		ret = PB_EXIT_RUNTIME;
	}
	for (i = 0; !ret && i < n; i++) {
		if (done[i])
			continue;
		for (j = i, m = 0; j < n; j++)
			if (p[j].series == p[i].series) {
				s[m++] = p[j];
				done[j] = true;
			}
		ret = fn(s, m, ctx);
	}
	free(s);
	free(done);
	return ret;
}

struct names {
	char **v;
	size_t n;
};

static int keep_name(const char *name, void *ctx)
{
	struct names *ns = ctx;
	char **nv = realloc(ns->v, (ns->n + 2) * sizeof(*nv));

	if (!nv || !(nv[ns->n] = strdup(name))) {
		if (nv)
			ns->v = nv;
		pb_err("history: out of memory");
		return PB_EXIT_RUNTIME;
	}
	ns->v = nv;
	nv[++ns->n] = NULL;
	return 0;
}

void pb_history_free_names(char **names)
{
	char **p;

	if (!names)
		return;
	for (p = names; *p; p++)
		free(*p);
	free(names);
}

int pb_history_metric_names(struct pb_history *h, char ***names)
{
	struct names ns = { calloc(1, sizeof(char *)), 0 };
	int ret;

	*names = NULL;
	if (!ns.v) {
		pb_err("history: out of memory");
		return PB_EXIT_RUNTIME;
	}
	ret = h->ops->metric_names(h->impl, keep_name, &ns);
	if (ret) {
		pb_history_free_names(ns.v);
		return ret;
	}
	*names = ns.v;
	return 0;
}
