// SPDX-License-Identifier: GPL-2.0
/* The comparison of two result files (compare.h): the differences of
 * their setups, each metric's test and verdict, the check cases. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "compare.h"
#include "kenv.h"
#include "machine_json.h"
#include "peelbench.h"
#include "result.h"
#include "stats.h"

const char *const pb_verdict_names[] = {
	[PB_V_NO_CHANGE] = "no change",
	[PB_V_REGRESSION] = "regression",
	[PB_V_IMPROVEMENT] = "improvement",
	[PB_V_CHANGED] = "changed",
	[PB_V_UNTESTED] = "untested",
	[PB_V_NOT_COMPARABLE] = "not comparable",
};

static const char *const config_ignored[] = { "output", "verbose", "json", "quiet" };

static bool ignored(const char *k)
{
	size_t i;

	for (i = 0; i < sizeof(config_ignored) / sizeof(config_ignored[0]); i++)
		if (!strcmp(k, config_ignored[i]))
			return true;
	return false;
}

/* Keys left out of the config/env difference: env.machine has its own
 * check (compare_machines); the kernel's configuration only warns
 * (kenv_differences, from the CLI). */
static bool skipped(const char *prefix, const char *k)
{
	return !strcmp(prefix, "config") ? ignored(k) : !strcmp(k, "machine") || kenv_key(k);
}

static void append(char **s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void append(char **s, const char *fmt, ...)
{
	size_t old = *s ? strlen(*s) : 0;
	char buf[512], *n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = realloc(*s, old + strlen(buf) + 3);
	if (!n)
		return;
	if (old)
		strcpy(n + old, "; "), old += 2;
	strcpy(n + old, buf);
	*s = n;
}

static const char *json_text(struct json_object *o)
{
	return o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) :
		   "(absent)";
}

/* Every key of a or b whose values differ. */
static void diff_objects(const char *prefix, struct json_object *a,
			 struct json_object *b, char **out)
{
	struct json_object *other;
	char *ta;

	if (a) {
		json_object_object_foreach(a, k, va) {
			if (skipped(prefix, k))
				continue;
			other = NULL;
			if (b)
				json_object_object_get_ex(b, k, &other);
			ta = strdup(json_text(va));
			if (ta && strcmp(ta, json_text(other)))
				append(out, "%s.%s: %s -> %s", prefix, k, ta,
				       json_text(other));
			free(ta);
		}
	}
	if (b) {
		json_object_object_foreach(b, k, vb) {
			if (skipped(prefix, k))
				continue;
			if (!a || !json_object_object_get_ex(a, k, &other))
				append(out, "%s.%s: (absent) -> %s", prefix, k,
				       json_text(vb));
		}
	}
}

static uint64_t name_seed(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static enum pb_verdict judge(double threshold, double alpha, const struct pb_metric_cmp *m)
{
	int dir = pb_metric_direction(m->name);
	bool past, significant, separated, worse;

	if (!m->tested)
		return PB_V_UNTESTED;
	if (isnan(m->change))
		return PB_V_NO_CHANGE;
	past = fabs(m->change) >= threshold;
	separated = m->change > 0 ? m->ci.lo > 0 : m->ci.hi < 0;
	significant = m->mwu.p < alpha;
	if (!past || !significant || !separated)
		return PB_V_NO_CHANGE;
	if (!dir)
		return PB_V_CHANGED;
	worse = (dir < 0) == (m->change > 0);
	return worse ? PB_V_REGRESSION : PB_V_IMPROVEMENT;
}

/* PEELBENCH_BOOT_FULL=1: resample in full whatever the size (the
 * "before" of make bench-compare; stats.h). */
static bool boot_full(void)
{
	const char *v = getenv("PEELBENCH_BOOT_FULL");

	return v && !strcmp(v, "1");
}

void pb_metric_test(struct pb_metric_cmp *m, double *vb, size_t nb, double *vn, size_t nn,
		    enum pb_stat stat, double threshold, double alpha)
{
	/* Large samples: sorted once, for a linear-time rank test and the
	 * bootstrap's order statistics (stats.h, PB_BOOT_DIRECT_MIN). */
	bool big = nb > PB_BOOT_DIRECT_MIN || nn > PB_BOOT_DIRECT_MIN;

	m->nb = nb;
	m->nn = nn;
	if (big) {
		pb_sort_doubles(vb, nb);
		pb_sort_doubles(vn, nn);
	}
	m->tested = nb >= 2 && nn >= 2 &&
		    !(big ? pb_mann_whitney_sorted : pb_mann_whitney)(vb, nb, vn, nn, &m->mwu) &&
		    !(boot_full() ? pb_bootstrap_change_full : pb_bootstrap_change)(
			    vb, nb, vn, nn, stat, PB_CMP_RESAMPLES, PB_CMP_CI_LEVEL,
			    name_seed(m->name), &m->ci);
	m->verdict = judge(threshold, alpha, m);
}

/* The values a metric's test runs on: raw samples when both results have
 * them, else the per-round values. */
static void compare_metric(struct pb_comparison *c, struct pb_metric_cmp *m)
{
	double *vb = NULL, *vn = NULL;
	const char *kb = NULL, *kn = NULL;
	enum pb_stat stat = PB_STAT_MEDIAN;

	pb_result_metric(c->base, m->name, &m->base);
	pb_result_metric(c->new, m->name, &m->new);
	m->change = m->base != 0 ? 100.0 * (m->new / m->base - 1) : NAN;
	if (!pb_results_comparable(c->base, c->new, m->name, m->source, sizeof(m->source))) {
		m->verdict = PB_V_NOT_COMPARABLE;
		m->change = NAN;
		return;
	}

	/* Large samples are tested sorted (pb_metric_test); a key that
	 * several metrics share is then sorted once, not once a metric. */
	if (pb_result_samples_count(c->base, m->name) > PB_BOOT_DIRECT_MIN ||
	    pb_result_samples_count(c->new, m->name) > PB_BOOT_DIRECT_MIN) {
		m->nb = pb_result_metric_samples_sorted(c->base, m->name, &vb, &kb);
		m->nn = pb_result_metric_samples_sorted(c->new, m->name, &vn, &kn);
	} else {
		m->nb = pb_result_metric_samples(c->base, m->name, &vb, &kb);
		m->nn = pb_result_metric_samples(c->new, m->name, &vn, &kn);
	}
	if (m->nb >= 2 && m->nn >= 2) {
		snprintf(m->source, sizeof(m->source), "samples %s", kb);
		stat = pb_metric_stat(m->name);
	} else {
		free(vb);
		free(vn);
		m->nb = pb_result_round_values(c->base, m->name, &vb);
		m->nn = pb_result_round_values(c->new, m->name, &vn);
		if (m->nb || m->nn)
			snprintf(m->source, sizeof(m->source), "rounds");
	}
	pb_metric_test(m, vb, m->nb, vn, m->nn, stat, c->threshold, c->alpha);
	free(vb);
	free(vn);
	if (m->verdict == PB_V_REGRESSION)
		c->regressions++;
	else if (m->verdict == PB_V_IMPROVEMENT)
		c->improvements++;
}

static struct json_object *cases_of(struct pb_result *r)
{
	struct json_object *cases;

	if (!r->check || !json_object_object_get_ex(r->check, "cases", &cases))
		return NULL;
	return cases;
}

static const char *case_verdict(struct json_object *cases, const char *name)
{
	size_t i, n = json_object_array_length(cases);
	struct json_object *o;

	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cases, i);

		json_object_object_get_ex(c, "name", &o);
		if (!strcmp(json_object_get_string(o), name)) {
			json_object_object_get_ex(c, "verdict", &o);
			return json_object_get_string(o);
		}
	}
	return NULL;
}

/* Cases whose verdict differs, including cases only one file has.  A case
 * that passed and no longer does is a regression. */
static int compare_cases(struct pb_comparison *c)
{
	struct json_object *cb = cases_of(c->base), *cn = cases_of(c->new), *o;
	size_t i, nb, nn;

	if (!cb || !cn)
		return 0;
	nb = json_object_array_length(cb);
	nn = json_object_array_length(cn);
	c->cases = calloc(nb + nn, sizeof(*c->cases));
	if (!c->cases)
		return -1;
	for (i = 0; i < nb + nn; i++) {
		struct json_object *cases = i < nb ? cb : cn;
		const char *name, *vb, *vn;

		json_object_object_get_ex(json_object_array_get_idx(cases, i < nb ? i : i - nb),
					  "name", &o);
		name = json_object_get_string(o);
		if (i >= nb && case_verdict(cb, name))
			continue;	/* seen from the base side */
		vb = case_verdict(cb, name);
		vn = case_verdict(cn, name);
		if (vb && vn && !strcmp(vb, vn))
			continue;
		c->cases[c->ncases] = (struct pb_case_cmp){ name, vb, vn, false };
		if (vb && !strcmp(vb, "pass") && (!vn || strcmp(vn, "pass"))) {
			c->cases[c->ncases].regression = true;
			c->regressions++;
		}
		c->ncases++;
	}
	return 0;
}

static bool default_metric(const char *name)
{
	return pb_metric_direction(name) != 0;
}

/* The metrics asked for (each in both files), else the default ones both
 * files have. */
static int select_metrics(struct pb_comparison *c, const char *const *metrics,
			  size_t n)
{
	size_t i, ng = 0;
	double v;

	if (!n) {
		json_object_object_foreach(c->base->metrics, k, val) {
			(void)val;
			if (c->nm < PB_CMP_MAX_METRICS && default_metric(k) &&
			    pb_result_metric(c->new, k, &v))
				c->m[c->nm++].name = k;
		}
		if (pb_results_work_differs(c->base, c->new))
			ng = pb_group_metric_names(c->base, c->new, c->groups, 8);
		for (i = 0; i < ng && c->nm < PB_CMP_MAX_METRICS; i++)
			c->m[c->nm++].name = c->groups[i];
		/* Two `check` results have no metrics: their cases are what
		 * is compared. */
		if (!c->nm && cases_of(c->base) && cases_of(c->new))
			return 0;
		if (!c->nm) {
			pb_err("compare: %s and %s have no metric in common",
			       c->base->path, c->new->path);
			return PB_EXIT_USAGE;
		}
		return 0;
	}
	for (i = 0; i < n && i < PB_CMP_MAX_METRICS; i++) {
		if (!pb_result_metric(c->base, metrics[i], &v)) {
			pb_err("compare: %s has no metric '%s'", c->base->path, metrics[i]);
			return PB_EXIT_USAGE;
		}
		if (!pb_result_metric(c->new, metrics[i], &v)) {
			pb_err("compare: %s has no metric '%s'", c->new->path, metrics[i]);
			return PB_EXIT_USAGE;
		}
		c->m[c->nm++].name = metrics[i];
	}
	return 0;
}

/* Results of two machines are not comparable: refuse them in one line
 * naming the fields, or list them among the differences when allowed. */
static int compare_machines(struct pb_comparison *c, bool allow)
{
	char d[1024];

	if (!pb_machine_diff(c->base->machine, c->new->machine, d, sizeof(d)))
		return 0;
	if (!allow) {
		pb_err("compare: the results come from different machines (%s); "
		       "--allow-different compares them anyway", d);
		return PB_EXIT_USAGE;
	}
	append(&c->diffs, "env.machine: %s", d);
	return 0;
}

int pb_compare(struct pb_comparison *c, const char *const *metrics, size_t n,
	       bool allow_different)
{
	size_t i;
	int ret;

	diff_objects("config", c->base->config, c->new->config, &c->diffs);
	diff_objects("env", c->base->env, c->new->env, &c->diffs);
	if ((ret = compare_machines(c, allow_different)))
		return ret;
	if (c->diffs && !allow_different) {
		pb_err("compare: the results differ (%s); --allow-different compares them anyway",
		       c->diffs);
		return PB_EXIT_USAGE;
	}
	if ((ret = select_metrics(c, metrics, n)))
		return ret;
	for (i = 0; i < c->nm; i++)
		compare_metric(c, &c->m[i]);
	if (compare_cases(c)) {
		pb_err("compare: out of memory");
		return PB_EXIT_RUNTIME;
	}
	return 0;
}

void pb_comparison_release(struct pb_comparison *c)
{
	pb_result_free(c->base);
	pb_result_free(c->new);
	free(c->cases);
	free(c->diffs);
	c->base = c->new = NULL;
	c->cases = NULL;
	c->diffs = NULL;
}
