// SPDX-License-Identifier: GPL-2.0
/* `peelbench check`: verdicts and printers.  No sockets here. */
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "peelbench.h"

enum check_verdict check_verdict(const struct check_case *c,
				 const char *observed)
{
	if (!strcmp(observed, c->expected))
		return CHECK_PASS;
	if (!strcmp(observed, CHECK_NOT_APPLICABLE_OBS))
		return CHECK_NOT_APPLICABLE;
	if (c->deviation && !strcmp(observed, c->deviation))
		return CHECK_KNOWN_DEVIATION;
	return CHECK_FAIL;
}

enum check_verdict check_outcome_verdict(const struct check_outcome *o)
{
	if (o->kernel_log[0])
		return CHECK_FAIL;
	return check_verdict(o->c, o->observed);
}

const char *check_verdict_name(enum check_verdict v)
{
	switch (v) {
	case CHECK_NOT_APPLICABLE:
		return "not applicable";
	case CHECK_PASS:
		return "pass";
	case CHECK_KNOWN_DEVIATION:
		return "known deviation";
	case CHECK_FAIL:
	default:
		return "fail";
	}
}

const char *check_reference(const struct check_outcome *o)
{
	if (o->verdict == CHECK_KNOWN_DEVIATION && o->c->deviation_ref)
		return o->c->deviation_ref;
	return o->c->source;
}

struct check_summary check_summarize(const struct check_outcome *o, size_t n)
{
	struct check_summary s = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		switch (o[i].verdict) {
		case CHECK_PASS:
			s.pass++;
			break;
		case CHECK_KNOWN_DEVIATION:
			s.known_deviation++;
			break;
		case CHECK_NOT_APPLICABLE:
			s.not_applicable++;
			break;
		case CHECK_FAIL:
		default:
			s.fail++;
			break;
		}
	}
	return s;
}

int check_exit_code(const struct check_outcome *o, size_t n)
{
	return check_summarize(o, n).fail ? PB_EXIT_FOUND : PB_EXIT_OK;
}

static size_t max_len(size_t cur, const char *s)
{
	size_t l = strlen(s);

	return l > cur ? l : cur;
}

void check_print_table(FILE *f, const struct check_outcome *o, size_t n)
{
	size_t wn = strlen("CASE"), we = strlen("EXPECTED"), wo = strlen("OBSERVED");
	struct check_summary s = check_summarize(o, n);
	size_t i;

	for (i = 0; i < n; i++) {
		wn = max_len(wn, o[i].c->name);
		we = max_len(we, o[i].c->expected);
		wo = max_len(wo, o[i].observed);
	}
	fprintf(f, "%-*s  %-*s  %-*s  %s\n", (int)wn, "CASE", (int)we,
		"EXPECTED", (int)wo, "OBSERVED", "VERDICT");
	for (i = 0; i < n; i++) {
		fprintf(f, "%-*s  %-*s  %-*s  %s", (int)wn, o[i].c->name,
			(int)we, o[i].c->expected, (int)wo, o[i].observed,
			check_verdict_name(o[i].verdict));
		/* A deviation is only acceptable with its reference beside
		 * it; a fail shows what the promise rests on. */
		if (o[i].verdict != CHECK_PASS &&
		    o[i].verdict != CHECK_NOT_APPLICABLE)
			fprintf(f, " (%s)", check_reference(&o[i]));
		fputc('\n', f);
		if (o[i].kernel_log[0])
			fprintf(f, "  kernel log: %s\n", o[i].kernel_log);
	}
	fprintf(f, "%zu cases: %u pass, %u fail, %u known deviation", n,
		s.pass, s.fail, s.known_deviation);
	if (s.not_applicable)
		fprintf(f, ", %u not applicable", s.not_applicable);
	fputc('\n', f);
}

static int add_str(struct json_object *obj, const char *key, const char *val)
{
	struct json_object *v = json_object_new_string(val ? val : "");

	if (!v || json_object_object_add(obj, key, v)) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int add_obj(struct json_object *obj, const char *key,
		   struct json_object *val)
{
	if (!val || json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

static struct json_object *case_json(const struct check_outcome *o)
{
	struct json_object *c = json_object_new_object();

	if (!c)
		return NULL;
	if (add_str(c, "name", o->c->name) ||
	    add_str(c, "promise", o->c->promise) ||
	    add_str(c, "expected", o->c->expected) ||
	    add_str(c, "observed", o->observed) ||
	    add_str(c, "verdict", check_verdict_name(o->verdict)) ||
	    add_str(c, "reference", check_reference(o)) ||
	    (o->kernel_log[0] && add_str(c, "kernel_log", o->kernel_log))) {
		json_object_put(c);
		return NULL;
	}
	return c;
}

static struct json_object *summary_json(const struct check_outcome *o,
					size_t n)
{
	struct check_summary s = check_summarize(o, n);
	struct json_object *j = json_object_new_object();

	if (!j)
		return NULL;
	if (add_obj(j, "pass", json_object_new_int((int)s.pass)) ||
	    add_obj(j, "fail", json_object_new_int((int)s.fail)) ||
	    add_obj(j, "known_deviation",
		    json_object_new_int((int)s.known_deviation)) ||
	    add_obj(j, "not_applicable",
		    json_object_new_int((int)s.not_applicable))) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

static struct json_object *check_json(const struct check_outcome *o, size_t n)
{
	struct json_object *check = json_object_new_object();
	struct json_object *cases = json_object_new_array();
	size_t i;

	if (!check || !cases)
		goto fail;
	for (i = 0; i < n; i++) {
		struct json_object *c = case_json(&o[i]);

		if (!c || json_object_array_add(cases, c)) {
			json_object_put(c);
			goto fail;
		}
	}
	if (add_obj(check, "cases", cases)) {
		cases = NULL;	/* add_obj released it */
		goto fail;
	}
	cases = NULL;
	if (add_obj(check, "summary", summary_json(o, n)))
		goto fail;
	return check;
fail:
	json_object_put(cases);
	json_object_put(check);
	return NULL;
}

struct json_object *check_result_json(const struct check_env *env,
				      const struct check_outcome *o, size_t n)
{
	struct json_object *root = json_object_new_object();
	struct json_object *tool = json_object_new_object();
	struct json_object *e = json_object_new_object();

	if (!root || !tool || !e)
		goto fail;
	if (add_str(tool, "version", PEELBENCH_VERSION) ||
	    add_str(e, "kernel", env->kernel) ||
	    add_str(e, "arch", env->arch))
		goto fail;
	if (add_str(root, "schema", "peelbench-result/1") ||
	    add_obj(root, "complete", json_object_new_boolean(1)) ||
	    add_str(root, "created", env->created))
		goto fail;
	/* From here on root owns what add_obj gives it, even on failure. */
	if (add_obj(root, "tool", tool)) {
		tool = NULL;
		goto fail;
	}
	tool = NULL;
	if (add_obj(root, "env", e)) {
		e = NULL;
		goto fail;
	}
	e = NULL;
	/* Every result file has a metrics object (result.c refuses one
	 * without): a check measures nothing, so it is empty.  Without it,
	 * history, compare and matrix --check could not load the file. */
	if (add_obj(root, "metrics", json_object_new_object()) ||
	    add_obj(root, "check", check_json(o, n)))
		goto fail;
	return root;
fail:
	json_object_put(tool);
	json_object_put(e);
	json_object_put(root);
	return NULL;
}
