// SPDX-License-Identifier: GPL-2.0
/* peelbench compare BASE NEW: the options, and the two paired printers
 * (table, JSON) of the struct pb_comparison that compare.c builds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "commands.h"
#include "compare.h"
#include "kenv.h"
#include "opts.h"
#include "peelbench.h"
#include "result.h"
#include "stats.h"

static void fmt_pct(char *buf, size_t n, double v)
{
	if (isnan(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%+.1f%%", v);
}

static void print_table(const struct pb_comparison *c, FILE *f)
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
		c->alpha, PB_CMP_CI_LEVEL * 100);
	fprintf(f, "%-28s %12s %12s %8s %18s %7s  %-38s %s\n", "metric", "base",
		"new", "change", "95% CI of change", "p", "tested on", "verdict");
	for (i = 0; i < c->nm; i++) {
		const struct pb_metric_cmp *m = &c->m[i];
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
				 m->verdict == PB_V_NOT_COMPARABLE ? m->source :
				 m->source[0] ? "fewer than 2 values" : "no samples, no rounds");
		}
		fprintf(f, "%-28s %12.1f %12.1f %8s %18s %7s  %-38s %s\n",
			m->name, m->base, m->new, ch, ci, p, src,
			m->verdict == PB_V_REGRESSION ? "REGRESSION" :
			pb_verdict_names[m->verdict]);
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

static void print_json(const struct pb_comparison *c, FILE *f)
{
	struct json_object *root = json_object_new_object(), *ms, *cs, *o;
	size_t i;

	json_object_object_add(root, "base", json_object_new_string(c->base->path));
	json_object_object_add(root, "new", json_object_new_string(c->new->path));
	json_object_object_add(root, "threshold_pct", json_object_new_double(c->threshold));
	json_object_object_add(root, "alpha", json_object_new_double(c->alpha));
	json_object_object_add(root, "ci_level", json_object_new_double(PB_CMP_CI_LEVEL));
	json_object_object_add(root, "resamples", json_object_new_int(PB_CMP_RESAMPLES));
	json_object_object_add(root, "differences",
			       c->diffs ? json_object_new_string(c->diffs) : NULL);
	ms = json_object_new_array();
	for (i = 0; i < c->nm; i++) {
		const struct pb_metric_cmp *m = &c->m[i];

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
				       json_object_new_string(pb_verdict_names[m->verdict]));
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

struct metric_list {
	const char *v[PB_CMP_MAX_METRICS];
	size_t n;
};

struct compare_opts {
	struct metric_list metrics;
	double threshold, alpha;
	bool allow, json;
};

_Static_assert(PB_CMP_MAX_METRICS == 256, "--metric's error names the limit");

static bool add_metric(const char *val, void *field)
{
	struct metric_list *l = field;

	if (l->n == PB_CMP_MAX_METRICS)
		return false;
	l->v[l->n++] = val;
	return true;
}

#define O(field) PB_OPT_OFF(struct compare_opts, field)
static const struct pb_opt compare_opts[] = {
	PB_OPT(PB_OPT_CUSTOM, 'm', "metric", O(metrics), "M",
	  "compare only M (repeatable); missing M is an error",
	  .parse = add_metric, .bad = "at most 256 --metric options"),
	PB_OPT(PB_OPT_DOUBLE, 't', "threshold", O(threshold), "PCT",
	  "smallest change that counts, in % (default 5)",
	  .min = 0, .max = 1e6, .bad = "bad --threshold '%s': a percentage >= 0"),
	PB_OPT(PB_OPT_DOUBLE, 'a', "alpha", O(alpha), "A",
	  "significance level (default 0.05)",
	  .min = 0, .max = 1, .open_min = true, .bad = "bad --alpha '%s': a number in (0, 1]"),
	PB_OPT(PB_OPT_FLAG, 0, "allow-different", O(allow), NULL,
	  "compare results of different config or env"),
	PB_OPT(PB_OPT_FLAG, 0, "json", O(json), NULL, "JSON instead of a table"),
	PB_OPT_TABLE_END,
};
#undef O

static const struct pb_cmd_spec compare_spec = {
	.name = "compare",
	.head = "usage: peelbench compare BASE NEW [--metric M]... [--threshold PCT]\n"
		"                         [--alpha A] [--allow-different] [--json]\n\n"
		"Compares two result files metric by metric.  A metric regressed when it\n"
		"got worse by at least the threshold, the Mann-Whitney U test gives\n"
		"p < alpha and the 95% bootstrap CI of the change excludes 0.\n\n",
	.tail = "\nexit: 0 nothing regressed, 1 something regressed, 2 unusable input\n",
	.opts = compare_opts,
	.help_col = 24,
	.min_args = 2,
	.max_args = 2,
	.args_err = "need two result files, BASE and NEW; see 'peelbench compare --help'",
	.missing_is_unknown = true,
};

/* A warning, not a refusal: the exit code stays the comparison's. */
static void kenv_warn(const struct pb_comparison *c)
{
	char *d = kenv_differences(c->base->env, c->new->env);

	if (d)
		pb_warn("compare: warning: the kernels of %s and %s differ in %s",
		       c->base->tag, c->new->tag, d);
	free(d);
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts o = { .threshold = 5, .alpha = 0.05 };
	struct pb_comparison *c;
	int first, ret;

	ret = pb_opts_parse(&compare_spec, argc, argv, &o, &first);
	if (ret)
		return ret < 0 ? PB_EXIT_OK : ret;
	c = calloc(1, sizeof(*c));
	if (!c) {
		pb_err("compare: out of memory");
		return PB_EXIT_RUNTIME;
	}
	c->threshold = o.threshold;
	c->alpha = o.alpha;
	if (!(ret = pb_result_load_ex(argv[first], PB_LOAD_COMPACT, &c->base)) &&
	    !(ret = pb_result_load_ex(argv[first + 1], PB_LOAD_COMPACT, &c->new)) &&
	    !(ret = pb_compare(c, o.metrics.v, o.metrics.n, o.allow))) {
		kenv_warn(c);
		if (o.json)
			print_json(c, stdout);
		else
			print_table(c, stdout);
		ret = c->regressions ? PB_EXIT_FOUND : PB_EXIT_OK;
	}
	pb_comparison_release(c);
	free(c);
	return ret;
}
