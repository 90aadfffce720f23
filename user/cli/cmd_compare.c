// SPDX-License-Identifier: GPL-2.0
/* peelbench compare BASE NEW: every metric's change with a bootstrap CI and
 * a Mann-Whitney p-value, a verdict per metric, the check cases whose
 * verdict changed.  Built once into a struct comparison, printed by one of
 * two paired printers (table, JSON). */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "commands.h"
#include "peelbench.h"
#include "result.h"
#include "stats.h"

#define RESAMPLES 2000
#define CI_LEVEL 0.95
#define MAX_METRICS 256

enum verdict {
	V_NO_CHANGE,
	V_REGRESSION,
	V_IMPROVEMENT,
	V_CHANGED,	/* significant, but the name says no direction */
	V_UNTESTED,	/* fewer than 2 values on a side: no p, no CI */
};

static const char *const verdict_names[] = {
	[V_NO_CHANGE] = "no change",
	[V_REGRESSION] = "regression",
	[V_IMPROVEMENT] = "improvement",
	[V_CHANGED] = "changed",
	[V_UNTESTED] = "untested",
};

struct metric_cmp {
	const char *name;
	double base, new, change;	/* change in %, NAN when base is 0 */
	char source[160];		/* "samples latency_ns", "rounds", "" */
	size_t nb, nn;
	bool tested;
	struct pb_mwu mwu;
	struct pb_ci ci;
	enum verdict verdict;
};

struct case_cmp {
	const char *name, *base, *new;	/* verdicts; NULL: not in that file */
	bool regression;
};

struct comparison {
	struct pb_result *base, *new;
	double threshold, alpha;
	struct metric_cmp m[MAX_METRICS];
	size_t nm;
	struct case_cmp *cases;
	size_t ncases;
	char *diffs;			/* "config.assocs: 1000 -> 4000; ..." */
	int regressions, improvements;
};

/* Keys of config that name where output goes, not what was measured. */
static const char *const config_ignored[] = { "output", "verbose", "json", "quiet" };

static bool ignored(const char *k)
{
	size_t i;

	for (i = 0; i < sizeof(config_ignored) / sizeof(config_ignored[0]); i++)
		if (!strcmp(k, config_ignored[i]))
			return true;
	return false;
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
			if (!strcmp(prefix, "config") && ignored(k))
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
			if (!strcmp(prefix, "config") && ignored(k))
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

static enum verdict judge(const struct comparison *c, const struct metric_cmp *m)
{
	int dir = pb_metric_direction(m->name);
	bool past, significant, separated, worse;

	if (!m->tested)
		return V_UNTESTED;
	if (isnan(m->change))
		return V_NO_CHANGE;
	past = fabs(m->change) >= c->threshold;
	separated = m->change > 0 ? m->ci.lo > 0 : m->ci.hi < 0;
	significant = m->mwu.p < c->alpha;
	if (!past || !significant || !separated)
		return V_NO_CHANGE;
	if (!dir)
		return V_CHANGED;
	worse = (dir < 0) == (m->change > 0);
	return worse ? V_REGRESSION : V_IMPROVEMENT;
}

/* The values a metric's test runs on: raw samples when both results have
 * them, else the per-round values. */
static void compare_metric(struct comparison *c, struct metric_cmp *m)
{
	double *vb = NULL, *vn = NULL;
	const char *kb = NULL, *kn = NULL;
	enum pb_stat stat = PB_STAT_MEDIAN;

	pb_result_metric(c->base, m->name, &m->base);
	pb_result_metric(c->new, m->name, &m->new);
	m->change = m->base != 0 ? 100.0 * (m->new / m->base - 1) : NAN;

	m->nb = pb_result_metric_samples(c->base, m->name, &vb, &kb);
	m->nn = pb_result_metric_samples(c->new, m->name, &vn, &kn);
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
	if (m->nb >= 2 && m->nn >= 2 &&
	    !pb_mann_whitney(vb, m->nb, vn, m->nn, &m->mwu) &&
	    !pb_bootstrap_change(vb, m->nb, vn, m->nn, stat, RESAMPLES,
				 CI_LEVEL, name_seed(m->name), &m->ci))
		m->tested = true;
	free(vb);
	free(vn);
	m->verdict = judge(c, m);
	if (m->verdict == V_REGRESSION)
		c->regressions++;
	else if (m->verdict == V_IMPROVEMENT)
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
static int compare_cases(struct comparison *c)
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
		c->cases[c->ncases] = (struct case_cmp){ name, vb, vn, false };
		if (vb && !strcmp(vb, "pass") && (!vn || strcmp(vn, "pass"))) {
			c->cases[c->ncases].regression = true;
			c->regressions++;
		}
		c->ncases++;
	}
	return 0;
}

/* --- printers --- */

static void fmt_pct(char *buf, size_t n, double v)
{
	if (isnan(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%+.1f%%", v);
}

static void print_table(const struct comparison *c, FILE *f)
{
	size_t i;

	fprintf(f, "base: %s (%s, %s)%s\n", c->base->path, c->base->kernel,
		c->base->created, c->base->complete ? "" : " INCOMPLETE");
	fprintf(f, "new:  %s (%s, %s)%s\n", c->new->path, c->new->kernel,
		c->new->created, c->new->complete ? "" : " INCOMPLETE");
	if (c->diffs)
		fprintf(f, "differences (--allow-different): %s\n", c->diffs);
	fprintf(f, "a change counts when |change| >= %g%%, Mann-Whitney p < %g "
		"and the %.0f%% bootstrap CI excludes 0\n\n", c->threshold,
		c->alpha, CI_LEVEL * 100);
	fprintf(f, "%-28s %12s %12s %8s %18s %7s  %-38s %s\n", "metric", "base",
		"new", "change", "95% CI of change", "p", "tested on", "verdict");
	for (i = 0; i < c->nm; i++) {
		const struct metric_cmp *m = &c->m[i];
		char ch[32], ci[48], p[16], src[200];

		fmt_pct(ch, sizeof(ch), m->change);
		if (m->tested) {
			snprintf(ci, sizeof(ci), "[%+.1f, %+.1f]", m->ci.lo, m->ci.hi);
			if (m->mwu.p < 0.001)
				snprintf(p, sizeof(p), "<0.001");
			else
				snprintf(p, sizeof(p), "%.3f", m->mwu.p);
			snprintf(src, sizeof(src), "%s (%zu/%zu)", m->source,
				 m->nb, m->nn);
		} else {
			snprintf(ci, sizeof(ci), "-");
			snprintf(p, sizeof(p), "-");
			snprintf(src, sizeof(src), "%s",
				 m->source[0] ? "fewer than 2 values" : "no samples, no rounds");
		}
		fprintf(f, "%-28s %12.1f %12.1f %8s %18s %7s  %-38s %s\n",
			m->name, m->base, m->new, ch, ci, p, src,
			m->verdict == V_REGRESSION ? "REGRESSION" :
			verdict_names[m->verdict]);
	}
	if (c->ncases) {
		fprintf(f, "\ncheck cases whose verdict changed:\n");
		for (i = 0; i < c->ncases; i++)
			fprintf(f, "  %-40s %s -> %s%s\n", c->cases[i].name,
				c->cases[i].base ? c->cases[i].base : "(absent)",
				c->cases[i].new ? c->cases[i].new : "(absent)",
				c->cases[i].regression ? "  REGRESSION" : "");
	}
	fprintf(f, "\n%d regression%s, %d improvement%s in %zu metric%s%s\n",
		c->regressions, c->regressions == 1 ? "" : "s",
		c->improvements, c->improvements == 1 ? "" : "s", c->nm,
		c->nm == 1 ? "" : "s", c->ncases ? " and the check cases" : "");
}

static struct json_object *num_or_null(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static void print_json(const struct comparison *c, FILE *f)
{
	struct json_object *root = json_object_new_object(), *ms, *cs, *o;
	size_t i;

	json_object_object_add(root, "base", json_object_new_string(c->base->path));
	json_object_object_add(root, "new", json_object_new_string(c->new->path));
	json_object_object_add(root, "threshold_pct", json_object_new_double(c->threshold));
	json_object_object_add(root, "alpha", json_object_new_double(c->alpha));
	json_object_object_add(root, "ci_level", json_object_new_double(CI_LEVEL));
	json_object_object_add(root, "resamples", json_object_new_int(RESAMPLES));
	json_object_object_add(root, "differences",
			       c->diffs ? json_object_new_string(c->diffs) : NULL);
	ms = json_object_new_array();
	for (i = 0; i < c->nm; i++) {
		const struct metric_cmp *m = &c->m[i];

		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(m->name));
		json_object_object_add(o, "base", num_or_null(m->base));
		json_object_object_add(o, "new", num_or_null(m->new));
		json_object_object_add(o, "change_pct", num_or_null(m->change));
		if (m->tested) {
			struct json_object *ci = json_object_new_array();

			json_object_array_add(ci, json_object_new_double(m->ci.lo));
			json_object_array_add(ci, json_object_new_double(m->ci.hi));
			json_object_object_add(o, "ci_pct", ci);
			json_object_object_add(o, "p", json_object_new_double(m->mwu.p));
			json_object_object_add(o, "u", json_object_new_double(m->mwu.u));
			json_object_object_add(o, "exact", json_object_new_boolean(m->mwu.exact));
		}
		json_object_object_add(o, "source", json_object_new_string(m->source));
		json_object_object_add(o, "n_base", json_object_new_int64(m->nb));
		json_object_object_add(o, "n_new", json_object_new_int64(m->nn));
		json_object_object_add(o, "verdict",
				       json_object_new_string(verdict_names[m->verdict]));
		json_object_array_add(ms, o);
	}
	json_object_object_add(root, "metrics", ms);
	cs = json_object_new_array();
	for (i = 0; i < c->ncases; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(c->cases[i].name));
		json_object_object_add(o, "base", c->cases[i].base ?
				       json_object_new_string(c->cases[i].base) : NULL);
		json_object_object_add(o, "new", c->cases[i].new ?
				       json_object_new_string(c->cases[i].new) : NULL);
		json_object_object_add(o, "regression",
				       json_object_new_boolean(c->cases[i].regression));
		json_object_array_add(cs, o);
	}
	json_object_object_add(root, "cases", cs);
	json_object_object_add(root, "regressions", json_object_new_int(c->regressions));
	json_object_object_add(root, "improvements", json_object_new_int(c->improvements));
	fprintf(f, "%s\n", json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

/* --- command --- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: peelbench compare BASE NEW [--metric M]... [--threshold PCT]\n"
		"                         [--alpha A] [--allow-different] [--json]\n\n"
		"Compares two result files metric by metric.  A metric regressed when it\n"
		"got worse by at least the threshold, the Mann-Whitney U test gives\n"
		"p < alpha and the 95%% bootstrap CI of the change excludes 0.\n\n"
		"  -m, --metric M        compare only M (repeatable); missing M is an error\n"
		"  -t, --threshold PCT   smallest change that counts, in %% (default 5)\n"
		"  -a, --alpha A         significance level (default 0.05)\n"
		"  --allow-different     compare results of different config or env\n"
		"  --json                JSON instead of a table\n\n"
		"exit: 0 nothing regressed, 1 something regressed, 2 unusable input\n");
}

static bool default_metric(const char *name)
{
	return pb_metric_direction(name) != 0;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "metric",          required_argument, NULL, 'm' },
		{ "threshold",       required_argument, NULL, 't' },
		{ "alpha",           required_argument, NULL, 'a' },
		{ "allow-different", no_argument,       NULL, 'D' },
		{ "json",            no_argument,       NULL, 'j' },
		{ "help",            no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct comparison *c = calloc(1, sizeof(*c));
	const char *wanted[MAX_METRICS];
	size_t nwanted = 0, i;
	bool allow = false, json = pb.json;
	int opt, ret = PB_EXIT_USAGE;
	double v;

	if (!c) {
		pb_err("compare: out of memory");
		return PB_EXIT_RUNTIME;
	}
	c->threshold = 5;
	c->alpha = 0.05;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "m:t:a:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (nwanted == MAX_METRICS) {
				pb_err("compare: at most %d --metric options", MAX_METRICS);
				goto out;
			}
			wanted[nwanted++] = optarg;
			break;
		case 't':
			if (!pb_parse_double(optarg, 0, 1e6, &c->threshold)) {
				pb_err("compare: bad --threshold '%s': a percentage >= 0", optarg);
				goto out;
			}
			break;
		case 'a':
			if (!pb_parse_double(optarg, 0, 1, &c->alpha) || c->alpha <= 0) {
				pb_err("compare: bad --alpha '%s': a number in (0, 1]", optarg);
				goto out;
			}
			break;
		case 'D':
			allow = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			ret = PB_EXIT_OK;
			goto out;
		default:
			pb_err("compare: unknown option '%s'; see 'peelbench compare --help'",
			       argv[optind - 1]);
			goto out;
		}
	}
	if (argc - optind != 2) {
		pb_err("compare: need two result files, BASE and NEW; see 'peelbench compare --help'");
		goto out;
	}
	if ((ret = pb_result_load(argv[optind], &c->base)) ||
	    (ret = pb_result_load(argv[optind + 1], &c->new)))
		goto out;
	ret = PB_EXIT_USAGE;

	diff_objects("config", c->base->config, c->new->config, &c->diffs);
	diff_objects("env", c->base->env, c->new->env, &c->diffs);
	if (c->diffs && !allow) {
		pb_err("compare: the results differ (%s); --allow-different compares them anyway",
		       c->diffs);
		goto out;
	}

	if (nwanted) {
		for (i = 0; i < nwanted; i++) {
			if (!pb_result_metric(c->base, wanted[i], &v)) {
				pb_err("compare: %s has no metric '%s'", c->base->path, wanted[i]);
				goto out;
			}
			if (!pb_result_metric(c->new, wanted[i], &v)) {
				pb_err("compare: %s has no metric '%s'", c->new->path, wanted[i]);
				goto out;
			}
			c->m[c->nm++].name = wanted[i];
		}
	} else {
		json_object_object_foreach(c->base->metrics, k, val) {
			(void)val;
			if (c->nm < MAX_METRICS && default_metric(k) &&
			    pb_result_metric(c->new, k, &v))
				c->m[c->nm++].name = k;
		}
		if (!c->nm) {
			pb_err("compare: %s and %s have no metric in common",
			       c->base->path, c->new->path);
			goto out;
		}
	}
	for (i = 0; i < c->nm; i++)
		compare_metric(c, &c->m[i]);
	if (compare_cases(c)) {
		pb_err("compare: out of memory");
		ret = PB_EXIT_RUNTIME;
		goto out;
	}
	if (json)
		print_json(c, stdout);
	else
		print_table(c, stdout);
	ret = c->regressions ? PB_EXIT_FOUND : PB_EXIT_OK;
out:
	pb_result_free(c->base);
	pb_result_free(c->new);
	free(c->cases);
	free(c->diffs);
	free(c);
	return ret;
}
