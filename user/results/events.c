// SPDX-License-Identifier: GPL-2.0
/* Reading a result's per-peeloff events (events.h): inline trace.events,
 * or the NDJSON sidecar that trace.events_file names, line by line,
 * parsed as strictly as a result file. */
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "events.h"
#include "files.h"
#include "json_strict.h"
#include "peelbench.h"
#include "zstd_file.h"

int pb_events_sidecar_path(const char *result_path, bool zstd, char *buf, size_t size)
{
	size_t n = strlen(result_path);

	if (n > 5 && !strcmp(result_path + n - 5, ".json"))
		n -= 5;
	if (snprintf(buf, size, "%.*s.events.ndjson%s", (int)n, result_path,
		     zstd ? ".zst" : "") >= (int)size)
		return -1;
	return 0;
}

static bool is_number(struct json_object *o)
{
	enum json_type t = json_object_get_type(o);

	return (t == json_type_double || t == json_type_int) &&
	       isfinite(json_object_get_double(o));
}

int pb_event_check(struct json_object *ev, char *msg, size_t size)
{
	struct json_object *o;

	if (!json_object_is_type(ev, json_type_object)) {
		snprintf(msg, size, "is not an object");
		return -1;
	}
	/* PHASE_ns: the phase's duration, null when not measured */
	json_object_object_foreach(ev, k, v) {
		size_t n = strlen(k);

		if (n >= 3 && !strcmp(k + n - 3, "_ns") && v && !is_number(v)) {
			snprintf(msg, size, "%.100s is not a number or null", k);
			return -1;
		}
	}
	if (json_object_object_get_ex(ev, "parent_rq_len", &o) && !is_number(o)) {
		snprintf(msg, size, "parent_rq_len is not a number");
		return -1;
	}
	return 0;
}

static const char *sidecar_name(struct json_object *trace)
{
	struct json_object *o;

	if (trace && json_object_object_get_ex(trace, "events_file", &o) &&
	    json_object_is_type(o, json_type_string))
		return json_object_get_string(o);
	return NULL;
}

bool pb_events_present(struct json_object *trace)
{
	struct json_object *o;

	return sidecar_name(trace) ||
	       (trace && json_object_object_get_ex(trace, "events", &o) &&
		json_object_is_type(o, json_type_array) && json_object_array_length(o));
}

/* One line of the sidecar: strict JSON, one event object. */
static struct json_object *parse_line(struct json_tokener *tok, const char *line,
				      size_t len, char *msg, size_t size)
{
	struct json_object *ev;
	enum json_tokener_error jerr;

	json_tokener_reset(tok);
	ev = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr != json_tokener_success) {
		snprintf(msg, size, "invalid JSON: %s", jerr == json_tokener_continue ?
			 "truncated" : json_tokener_error_desc(jerr));
		json_object_put(ev);
		return NULL;
	}
	if (json_tokener_get_parse_end(tok) != len ||
	    pb_json_strict_scan(line, len, msg, size) || pb_event_check(ev, msg, size)) {
		if (!msg[0])
			snprintf(msg, size, "more than one value on the line");
		json_object_put(ev);
		return NULL;
	}
	return ev;
}

static int foreach_line(FILE *f, const char *path, pb_event_fn fn, void *ctx, size_t *n)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	char *line = NULL, msg[256];
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int ret = 0;

	if (!tok)
		return PB_EXIT_RUNTIME;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	while (!ret && (len = getline(&line, &cap, f)) >= 0) {
		struct json_object *ev;

		lineno++;
		/* a last line cut short by a read error (a truncated zstd
		 * stream): the error is the news, not the half line */
		if (line[len - 1] != '\n' && ferror(f))
			break;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (!len)
			continue;
		msg[0] = 0;
		ev = parse_line(tok, line, (size_t)len, msg, sizeof(msg));
		if (!ev) {
			pb_err("%s:%zu: %s", path, lineno, msg);
			ret = PB_EXIT_USAGE;
			break;
		}
		(*n)++;
		ret = fn(ev, ctx);
		json_object_put(ev);
	}
	if (!ret && ferror(f)) {
		pb_err("%s: %s", path, pb_zstd_error()[0] ? pb_zstd_error() : "read error");
		ret = PB_EXIT_USAGE;
	}
	free(line);
	json_tokener_free(tok);
	return ret;
}

/* The sidecar's name, resolved against the result's folder. */
static int sidecar_path(const char *name, const char *result_path, char *buf, size_t size)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", result_path ? result_path : ".");
	if (snprintf(buf, size, "%s/%s", dirname(dir), name) >= (int)size) {
		pb_err("%s: path too long", name);
		return PB_EXIT_USAGE;
	}
	return 0;
}

static int foreach_sidecar(const char *name, const char *result_path, pb_event_fn fn,
			   void *ctx, size_t *n)
{
	char path[PATH_MAX];
	const char *why;
	FILE *f;
	int fd, ret;

	if ((ret = sidecar_path(name, result_path, path, sizeof(path))))
		return ret;
	fd = pb_open_regular(path, &why);
	if (fd < 0) {
		pb_err("%s: events file %s: %s", result_path ? result_path : "result", path, why);
		return PB_EXIT_USAGE;
	}
	f = pb_zstd_magic(fd) || pb_zstd_name(path) ? pb_zstd_reader(fd) : fdopen(fd, "r");
	if (!f) {
		close(fd);
		pb_err("%s: out of memory", path);
		return PB_EXIT_RUNTIME;
	}
	ret = foreach_line(f, path, fn, ctx, n);
	fclose(f);
	return ret;
}

int pb_events_foreach(struct json_object *trace, const char *result_path,
		      pb_event_fn fn, void *ctx, size_t *n)
{
	const char *name = sidecar_name(trace);
	struct json_object *evs;
	size_t seen = 0, i, len;
	int ret = 0;

	if (name) {
		ret = foreach_sidecar(name, result_path, fn, ctx, &seen);
	} else if (trace && json_object_object_get_ex(trace, "events", &evs) &&
		   json_object_is_type(evs, json_type_array)) {
		len = json_object_array_length(evs);
		for (i = 0; i < len && !ret; i++, seen++)
			ret = fn(json_object_array_get_idx(evs, i), ctx);
	}
	if (n)
		*n = seen;
	return ret;
}
