// SPDX-License-Identifier: GPL-2.0
/* Reading and validating result files: the whole file is checked once at
 * load so that no command has to meet a half-valid result later. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "events.h"
#include "files.h"
#include "json_strict.h"
#include "peelbench.h"
#include "result.h"
#include "samples_fast.h"

/* Result files hold raw samples; still, 1 GiB of JSON is not a result. */
#define MAX_RESULT_BYTES (1024L * 1024 * 1024)

static bool is_number(struct json_object *o)
{
	enum json_type t = json_object_get_type(o);

	return (t == json_type_double || t == json_type_int) &&
	       isfinite(json_object_get_double(o));
}

/* Validation failures carry their message out in a buffer so that the
 * caller prints exactly one line. */
struct verr {
	char msg[256];
};

static bool fail(struct verr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool fail(struct verr *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return false;
}

/* key must be absent or of type t. */
static bool opt_type(struct json_object *parent, const char *key,
		     enum json_type t, struct json_object **out, struct verr *e,
		     const char *where)
{
	struct json_object *o = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(parent, key, &o) || !o)
		return true;
	if (!json_object_is_type(o, t))
		return fail(e, "%s%s is not %s", where, key,
			    t == json_type_object ? "an object" :
			    t == json_type_array ? "an array" :
			    t == json_type_string ? "a string" :
			    t == json_type_boolean ? "true or false" : "valid");
	*out = o;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool check_numbers_object(struct json_object *obj, const char *where,
				 struct verr *e)
{
	json_object_object_foreach(obj, k, v) {
		if (!is_number(v))
			return fail(e, "%s.%s is not a finite number", where, k);
	}
	return true;
}

static bool check_number_array(struct json_object *a, const char *where,
			       struct verr *e)
{
	size_t i, n = json_object_array_length(a);

	for (i = 0; i < n; i++)
		if (!is_number(json_object_array_get_idx(a, i)))
			return fail(e, "%s[%zu] is not a finite number", where, i);
	return true;
}

static bool check_rounds(struct json_object *rounds, struct verr *e)
{
	size_t i, n = json_object_array_length(rounds);
	struct json_object *m;
	char where[64];

	for (i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(rounds, i);

		snprintf(where, sizeof(where), "rounds[%zu].", i);
		if (!json_object_is_type(r, json_type_object))
			return fail(e, "rounds[%zu] is not an object", i);
		if (!opt_type(r, "metrics", json_type_object, &m, e, where))
			return false;
		snprintf(where, sizeof(where), "rounds[%zu].metrics", i);
		if (m && !check_numbers_object(m, where, e))
			return false;
	}
	return true;
}

static bool check_samples(struct json_object *samples, struct verr *e)
{
	char where[160];

	json_object_object_foreach(samples, k, v) {
		snprintf(where, sizeof(where), "samples.%.140s", k);
		if (!json_object_is_type(v, json_type_array))
			return fail(e, "%s is not an array", where);
		if (!check_number_array(v, where, e))
			return false;
	}
	return true;
}

static bool check_trace(struct json_object *trace, struct verr *e)
{
	struct json_object *phases, *events, *o;
	char where[160];
	size_t i, n;

	if (!opt_type(trace, "phases", json_type_object, &phases, e, "trace."))
		return false;
	if (phases) {
		json_object_object_foreach(phases, name, ph) {
			snprintf(where, sizeof(where), "trace.phases.%.100s.", name);
			if (!json_object_is_type(ph, json_type_object))
				return fail(e, "trace.phases.%s is not an object", name);
			json_object_object_foreach(ph, k, v) {
				/* count and *_ns are numbers; other keys
				 * (percentiles_from, ...) are the tracer's */
				if (strcmp(k, "count") && !ends_with(k, "_ns"))
					continue;
				if (!is_number(v))
					return fail(e, "%s%s is not a finite number",
						    where, k);
			}
			if (!opt_type(ph, "hist", json_type_array, &o, e, where))
				return false;
			n = o ? json_object_array_length(o) : 0;
			for (i = 0; i < n; i++) {
				struct json_object *b = json_object_array_get_idx(o, i);

				if (!json_object_is_type(b, json_type_array) ||
				    json_object_array_length(b) != 2 ||
				    !is_number(json_object_array_get_idx(b, 0)) ||
				    !is_number(json_object_array_get_idx(b, 1)))
					return fail(e, "%shist[%zu] is not [lower_ns, count]",
						    where, i);
			}
		}
	}
	if (!opt_type(trace, "events", json_type_array, &events, e, "trace."))
		return false;
	n = events ? json_object_array_length(events) : 0;
	for (i = 0; i < n; i++) {
		char msg[160];

		if (pb_event_check(json_object_array_get_idx(events, i), msg, sizeof(msg)))
			return fail(e, "trace.events[%zu] %s", i, msg);
	}
	if (!opt_type(trace, "events_file", json_type_string, &o, e, "trace."))
		return false;
	/* a file name beside the result, nothing that leaves its folder */
	if (o && (!json_object_get_string_len(o) || strchr(json_object_get_string(o), '/') ||
		  !strcmp(json_object_get_string(o), ".") || !strcmp(json_object_get_string(o), "..")))
		return fail(e, "trace.events_file is not a file name beside the result");
	return true;
}

static bool check_cases(struct json_object *check, struct verr *e)
{
	struct json_object *cases, *o;
	size_t i, n;

	if (!opt_type(check, "cases", json_type_array, &cases, e, "check."))
		return false;
	n = cases ? json_object_array_length(cases) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cases, i);

		if (!json_object_is_type(c, json_type_object) ||
		    !json_object_object_get_ex(c, "name", &o) ||
		    !json_object_is_type(o, json_type_string) ||
		    !json_object_object_get_ex(c, "verdict", &o) ||
		    !json_object_is_type(o, json_type_string))
			return fail(e, "check.cases[%zu] has no string name and verdict", i);
	}
	return true;
}

/* env.machine, when present: an object whose id and label are strings
 * (results written before it existed have none: an unknown machine). */
static bool check_machine(struct pb_result *r, struct verr *e)
{
	struct json_object *o;

	if (!opt_type(r->env, "machine", json_type_object, &r->machine, e, "env."))
		return false;
	if (!r->machine)
		return true;
	if (!opt_type(r->machine, "id", json_type_string, &o, e, "env.machine."))
		return false;
	if (!o)
		return fail(e, "env.machine has no \"id\"");
	r->machine_id = json_object_get_string(o);
	if (!opt_type(r->machine, "label", json_type_string, &o, e, "env.machine."))
		return false;
	r->machine_label = o ? json_object_get_string(o) : "";
	return true;
}

static bool validate(struct pb_result *r, struct verr *e)
{
	struct json_object *root = r->root, *o;

	if (!json_object_is_type(root, json_type_object))
		return fail(e, "not a JSON object");
	if (!json_object_object_get_ex(root, "schema", &o))
		return fail(e, "no \"schema\" key; not a peelbench result");
	if (!json_object_is_type(o, json_type_string) ||
	    strcmp(json_object_get_string(o), PB_RESULT_SCHEMA))
		return fail(e, "schema is '%.64s', expected '%s'",
			    json_object_is_type(o, json_type_string) ?
			    json_object_get_string(o) : "(not a string)",
			    PB_RESULT_SCHEMA);
	if (!opt_type(root, "metrics", json_type_object, &r->metrics, e, ""))
		return false;
	if (!r->metrics)
		return fail(e, "no \"metrics\" object");
	if (!check_numbers_object(r->metrics, "metrics", e))
		return false;
	if (!opt_type(root, "complete", json_type_boolean, &o, e, ""))
		return false;
	r->complete = o ? json_object_get_boolean(o) : true;
	if (!opt_type(root, "created", json_type_string, &o, e, ""))
		return false;
	r->created = o ? json_object_get_string(o) : "";
	if (!opt_type(root, "env", json_type_object, &r->env, e, "") ||
	    !opt_type(root, "config", json_type_object, &r->config, e, "") ||
	    !opt_type(root, "rounds", json_type_array, &r->rounds, e, "") ||
	    !opt_type(root, "samples", json_type_object, &r->samples, e, "") ||
	    !opt_type(root, "trace", json_type_object, &r->trace, e, "") ||
	    !opt_type(root, "check", json_type_object, &r->check, e, "") ||
	    !opt_type(root, "driver", json_type_object, &o, e, "") ||
	    !opt_type(root, "tool", json_type_object, &o, e, ""))
		return false;
	r->kernel = r->machine_id = r->machine_label = "";
	if (r->env) {
		if (!opt_type(r->env, "kernel", json_type_string, &o, e, "env."))
			return false;
		if (o)
			r->kernel = json_object_get_string(o);
		if (!check_machine(r, e))
			return false;
	}
	if (r->rounds && !check_rounds(r->rounds, e))
		return false;
	if (r->samples && !check_samples(r->samples, e))
		return false;
	if (r->trace && !check_trace(r->trace, e))
		return false;
	if (r->check && !check_cases(r->check, e))
		return false;
	return true;
}

static char *make_tag(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;
	char *t;

	base = base ? base + 1 : path;
	t = strdup(base);
	if (!t)
		return NULL;
	n = strlen(t);
	if (n > 5 && !strcmp(t + n - 5, ".json"))
		t[n - 5] = '\0';
	return t;
}

/* An offset in the text json-c read as one in the file. */
static size_t file_offset(const struct pb_result *r, size_t off)
{
	return r->fast ? pb_samples_orig_offset(r->fast, off) : off;
}

int pb_result_parse(const char *buf, size_t len, const char *name,
		    struct pb_result **out)
{
	return pb_result_parse_ex(buf, len, name, 0, out);
}

int pb_result_parse_ex(const char *buf, size_t len, const char *name,
		       unsigned int flags, struct pb_result **out)
{
	struct json_tokener *tok = NULL;
	enum json_tokener_error jerr;
	struct pb_result *r;
	struct verr e = { "" };
	char *text = NULL;
	const char *why;
	size_t i, end;

	*out = NULL;
	for (i = 0; i < len && strchr(" \t\r\n", buf[i]); i++)
		;
	if (i == len) {
		pb_err("%s: empty file; not a result", name);
		return PB_EXIT_USAGE;
	}
	if (memchr(buf, '\0', len)) {
		pb_err("%s: contains a NUL byte; not a JSON result", name);
		return PB_EXIT_USAGE;
	}
	r = calloc(1, sizeof(*r));
	tok = json_tokener_new_ex(64);
	if (tok)
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	if (!r || !tok) {
		pb_err("%s: out of memory", name);
		free(r);
		json_tokener_free(tok);
		return PB_EXIT_RUNTIME;
	}
	if (flags & PB_LOAD_COMPACT)
		r->fast = pb_samples_extract(buf, len, &text, &len);
	if (r->fast)
		buf = text;
	r->root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		snprintf(e.msg, sizeof(e.msg), "truncated JSON (ends inside a value)");
	} else if (jerr != json_tokener_success) {
		snprintf(e.msg, sizeof(e.msg), "invalid JSON at byte %zu: %s",
			 file_offset(r, end), json_tokener_error_desc(jerr));
	} else {
		for (i = end; i < len && strchr(" \t\r\n", buf[i]); i++)
			;
		if (i < len)
			snprintf(e.msg, sizeof(e.msg),
				 "invalid JSON: data after the object at byte %zu",
				 file_offset(r, i));
		else if ((why = pb_json_strict_check(buf, len, &i)))
			snprintf(e.msg, sizeof(e.msg), "invalid JSON at byte %zu: %s",
				 file_offset(r, i), why);
		else
			validate(r, &e);
	}
	json_tokener_free(tok);
	free(text);
	if (e.msg[0]) {
		pb_err("%s: %s", name, e.msg);
		pb_result_free(r);
		return PB_EXIT_USAGE;
	}
	r->path = strdup(name);
	r->tag = make_tag(name);
	if (!r->path || !r->tag) {
		pb_err("%s: out of memory", name);
		pb_result_free(r);
		return PB_EXIT_RUNTIME;
	}
	*out = r;
	return 0;
}

int pb_result_load(const char *path, struct pb_result **out)
{
	return pb_result_load_ex(path, 0, out);
}

int pb_result_load_ex(const char *path, unsigned int flags, struct pb_result **out)
{
	const char *why;
	int fd = pb_open_regular(path, &why);
	struct stat st;
	char *buf = NULL;
	FILE *f;
	long n;
	int ret;

	*out = NULL;
	if (fd < 0) {
		pb_err("%s: cannot open: %s", path, why);
		return PB_EXIT_USAGE;
	}
	if (fstat(fd, &st) || !(f = fdopen(fd, "rb"))) {
		pb_err("%s: cannot read: %s", path, strerror(errno));
		close(fd);
		return PB_EXIT_USAGE;
	}
	n = (long)st.st_size;
	if (n > MAX_RESULT_BYTES) {
		pb_err("%s: %ld bytes is too large for a result file", path, n);
		fclose(f);
		return PB_EXIT_USAGE;
	}
	buf = malloc(n + 1);
	if (!buf) {
		pb_err("%s: out of memory", path);
		fclose(f);
		return PB_EXIT_RUNTIME;
	}
	if (fread(buf, 1, n, f) != (size_t)n) {
		pb_err("%s: cannot read: %s", path,
		       ferror(f) ? strerror(errno) : "short read");
		free(buf);
		fclose(f);
		return PB_EXIT_USAGE;
	}
	fclose(f);
	buf[n] = '\0';
	ret = pb_result_parse_ex(buf, n, path, flags, out);
	free(buf);
	return ret;
}

void pb_result_free(struct pb_result *r)
{
	if (!r)
		return;
	json_object_put(r->root);
	pb_samples_free(r->fast);
	free(r->path);
	free(r->tag);
	free(r);
}

bool pb_result_metric(const struct pb_result *r, const char *name, double *out)
{
	struct json_object *o;

	if (!json_object_object_get_ex(r->metrics, name, &o))
		return pb_result_group_metric(r, name, out);
	*out = json_object_get_double(o);
	return true;
}

size_t pb_result_round_values(const struct pb_result *r, const char *name,
			      double **out)
{
	size_t i, n = r->rounds ? json_object_array_length(r->rounds) : 0, k = 0;
	double *v;

	*out = NULL;
	if (!strncmp(name, "group.", 6))
		return pb_result_group_rounds(r, name, out);
	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return 0;
	for (i = 0; i < n; i++) {
		struct json_object *m, *o;

		if (json_object_object_get_ex(json_object_array_get_idx(r->rounds, i),
					      "metrics", &m) &&
		    json_object_object_get_ex(m, name, &o))
			v[k++] = json_object_get_double(o);
	}
	if (!k) {
		free(v);
		return 0;
	}
	*out = v;
	return k;
}

int pb_metric_direction(const char *name)
{
	if (ends_with(name, "_ns"))
		return -1;
	if (ends_with(name, "_per_s"))
		return 1;
	return 0;
}

enum pb_stat pb_metric_stat(const char *name)
{
	if (ends_with(name, ".mean_ns"))
		return PB_STAT_MEAN;
	if (ends_with(name, ".p90_ns"))
		return PB_STAT_P90;
	if (ends_with(name, ".p99_ns"))
		return PB_STAT_P99;
	if (ends_with(name, ".p999_ns"))
		return PB_STAT_P999;
	/* The CI of a max is the resampled max, not the median's. */
	if (ends_with(name, ".max_ns"))
		return PB_STAT_MAX;
	return PB_STAT_MEDIAN;
}
