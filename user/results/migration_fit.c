// SPDX-License-Identifier: GPL-2.0
/* The migration-cost fit (migration_fit.h) over a result's events. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "events.h"
#include "migration_fit.h"
#include "peelbench.h"

#define FIT_SEED 0x6d6967726174ull	/* "migrat": the same data, the same CI */

struct points {
	const char *phase;
	double *x, *y;
	size_t n, cap;
};

/* An event's PHASE_ns, or {"dur_ns": {PHASE: n}} as early results held
 * it; -1 when the phase was not measured (null) or is absent. */
static double event_phase_ns(struct json_object *ev, const char *name)
{
	struct json_object *d, *v;
	char key[64];

	if (json_object_object_get_ex(ev, "dur_ns", &d) &&
	    json_object_object_get_ex(d, name, &v) && v)
		return json_object_get_double(v);
	snprintf(key, sizeof(key), "%s_ns", name);
	if (json_object_object_get_ex(ev, key, &v) && v)
		return json_object_get_double(v);
	return -1;
}

static int add_point(struct json_object *ev, void *ctx)
{
	struct points *p = ctx;
	struct json_object *q, *v;
	double d;

	if (!json_object_object_get_ex(ev, "parent_rq_len", &q) || !q)
		return 0;
	if (json_object_object_get_ex(ev, "ret", &v) && v && json_object_get_int64(v) < 0)
		return 0;	/* failed: nothing migrated */
	d = event_phase_ns(ev, p->phase);
	if (d < 0)
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 4096;
		double *x = realloc(p->x, cap * sizeof(*x)), *y;

		if (!x)
			return PB_EXIT_RUNTIME;
		p->x = x;
		y = realloc(p->y, cap * sizeof(*y));
		if (!y)
			return PB_EXIT_RUNTIME;
		p->y = y;
		p->cap = cap;
	}
	p->x[p->n] = json_object_get_double(q);
	p->y[p->n++] = d;
	return 0;
}

int pb_migration_fit(struct json_object *trace, const char *result_path,
		     struct pb_migration_fit *out)
{
	/* The innermost phase that walks the parent's queue, else the
	 * nearest one that encloses it: on 7.x sctp_sock_migrate is inlined
	 * into sctp_clone_sock (phase clone, see docs/trace.md); on 6.x,
	 * where clone is sctp_copy_sock and does not migrate, migrate
	 * exists.  One pass over the events per phase tried. */
	static const char *const order[] = { "migrate", "clone", "do_peeloff", "syscall", NULL };
	struct points p = { 0 };
	int f, ret = 0;

	memset(out, 0, sizeof(*out));
	if (!pb_events_present(trace))
		return 0;
	for (f = 0; order[f] && !out->ok && !ret; f++) {
		p.phase = order[f];
		p.n = 0;
		ret = pb_events_foreach(trace, result_path, add_point, &p, NULL);
		if (ret == PB_EXIT_RUNTIME)
			pb_err("events: out of memory");
		if (!ret && !pb_theil_sen(p.x, p.y, p.n, FIT_SEED, &out->fit)) {
			out->ok = true;
			out->phase = order[f];
		}
	}
	free(p.x);
	free(p.y);
	return ret;
}

struct json_object *pb_migration_fit_json(const struct pb_migration_fit *f)
{
	struct json_object *o = json_object_new_object(), *ci = json_object_new_array();

	json_object_object_add(o, "method", json_object_new_string("theil-sen"));
	json_object_object_add(o, "phase", json_object_new_string(f->phase));
	json_object_object_add(o, "ns_per_msg", json_object_new_double(f->fit.slope));
	if (isfinite(f->fit.ci.lo)) {
		json_object_array_add(ci, json_object_new_double(f->fit.ci.lo));
		json_object_array_add(ci, json_object_new_double(f->fit.ci.hi));
	}
	json_object_object_add(o, "ci95", ci);
	json_object_object_add(o, "intercept_ns", json_object_new_double(f->fit.intercept));
	json_object_object_add(o, "events", json_object_new_int64((int64_t)f->fit.n));
	json_object_object_add(o, "pairs", json_object_new_int64((int64_t)f->fit.pairs));
	json_object_object_add(o, "sampled_pairs", json_object_new_boolean(f->fit.sampled));
	return o;
}
