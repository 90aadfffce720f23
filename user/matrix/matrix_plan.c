// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix --plan FILE`: the plan file, written and read
 * (matrix_plan.h).  Reading parses the stored matrix options again with
 * mx_parse, so a plan gets every check the command line gets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "files.h"
#include "jsonfile.h"
#include "matrix_plan.h"
#include "peelbench.h"

#define PLAN_MAX_BYTES (4 << 20)
#define PLAN_JSON (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static void add_str(struct json_object *a, const char *s)
{
	json_object_array_add(a, json_object_new_string(s));
}

/* The matrix options as a command line mx_parse takes back. */
static struct json_object *plan_argv(const struct mx_opts *o)
{
	struct json_object *a = json_object_new_array();
	char buf[4096];
	size_t i, j, off;

	add_str(a, "--kernels");
	for (i = off = 0; i < o->nkernels; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? "," : "", o->kernels[i]);
	add_str(a, buf);
	for (i = 0; i < o->nsweeps; i++) {
		off = snprintf(buf, sizeof(buf), "%s=", o->sweeps[i].key);
		for (j = 0; j < o->sweeps[i].n; j++)
			off += snprintf(buf + off, sizeof(buf) - off, "%s%s", j ? "," : "",
					o->sweeps[i].values[j]);
		add_str(a, "--sweep");
		add_str(a, buf);
	}
	snprintf(buf, sizeof(buf), "%u", o->repeat);
	add_str(a, "--repeat");
	add_str(a, buf);
	if (o->check)
		add_str(a, "--check");
	if (o->vm_mem) {
		add_str(a, "--vm-mem");
		add_str(a, o->vm_mem);
	}
	if (o->vm_timeout) {
		add_str(a, "--vm-timeout");
		add_str(a, o->vm_timeout);
	}
	for (i = 0; i + 1 < o->nrun_args; i++)
		if (o->run_args[i] == mx_run_repeat_flag) {
			add_str(a, "--run-repeat");
			add_str(a, o->run_args[i + 1]);
		}
	add_str(a, "--");
	for (i = 0; i < o->nrun_args; i++)
		if (o->run_args[i] == mx_run_repeat_flag)
			i++;
		else
			add_str(a, o->run_args[i]);
	return a;
}

/* What a reader sees at a glance: kernels, sweeps, repeat, run options
 * and per cell its runs; checked against argv on reading. */
static void plan_summary(const struct mx_plan *p, struct json_object *body)
{
	const struct mx_opts *o = p->o;
	struct json_object *a = json_object_new_array(), *sw = json_object_new_object(), *v;
	size_t i, k, c;

	for (k = 0; k < o->nkernels; k++)
		add_str(a, o->kernels[k]);
	json_object_object_add(body, "kernels", a);
	for (i = 0; i < o->nsweeps; i++) {
		v = json_object_new_array();
		for (k = 0; k < o->sweeps[i].n; k++)
			add_str(v, o->sweeps[i].values[k]);
		json_object_object_add(sw, o->sweeps[i].key, v);
	}
	json_object_object_add(body, "sweeps", sw);
	json_object_object_add(body, "repeat", json_object_new_int((int)o->repeat));
	a = json_object_new_array();
	for (i = 0; i < o->nrun_args; i++)
		add_str(a, o->run_args[i]);
	json_object_object_add(body, "run_args", a);
	a = json_object_new_array();
	for (i = 1; i <= o->repeat; i++) {
		struct json_object *cell = json_object_new_object(), *runs = json_object_new_array();

		json_object_object_add(cell, "cell", json_object_new_int((int)i));
		for (k = 0; k < o->nkernels; k++)
			for (c = 0; c < p->ncells; c++) {
				v = json_object_new_object();
				json_object_object_add(v, "kernel", json_object_new_string(o->kernels[k]));
				json_object_object_add(v, "sweep", json_object_new_string(p->cells[c].name));
				json_object_array_add(runs, v);
			}
		json_object_object_add(cell, "runs", runs);
		json_object_array_add(a, cell);
	}
	json_object_object_add(body, "cells", a);
}

static void hash_hex(const char *text, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)mx_hash64(text));
}

/* The plan's document: "schema", "id", then the body the id hashes. */
static struct json_object *plan_doc(struct json_object *body, const char *id)
{
	struct json_object *doc = json_object_new_object();

	json_object_object_add(doc, "schema", json_object_new_string(MX_PLAN_SCHEMA));
	json_object_object_add(doc, "id", json_object_new_string(id));
	json_object_object_foreach(body, key, val)
		if (strcmp(key, "schema"))
			json_object_object_add(doc, key, json_object_get(val));
	return doc;
}

int mx_plan_write(const struct mx_opts *o)
{
	struct json_object *body, *doc;
	unsigned char rnd[8];
	char created[32], nonce[17], id[17];
	struct mx_plan p;
	struct stat st;
	time_t t = time(NULL);
	struct tm tm;
	int ret;

	if (!lstat(o->plan, &st)) {
		pb_err("matrix: --plan %s exists: a plan is written once (its cells may be running)",
		       o->plan);
		return PB_EXIT_USAGE;
	}
	if ((ret = mx_plan_build(o, &p)))
		return ret;
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));	/* the time still tells plans apart */
	snprintf(nonce, sizeof(nonce), "%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	body = json_object_new_object();
	json_object_object_add(body, "schema", json_object_new_string(MX_PLAN_SCHEMA));
	json_object_object_add(body, "created", json_object_new_string(created));
	json_object_object_add(body, "nonce", json_object_new_string(nonce));
	json_object_object_add(body, "argv", plan_argv(o));
	plan_summary(&p, body);
	hash_hex(json_object_to_json_string_ext(body, PLAN_JSON), id);
	doc = plan_doc(body, id);
	ret = pb_write_json_atomic(o->plan, doc);
	json_object_put(doc);
	json_object_put(body);
	if (!ret) {
		printf("plan %s: id %s, %u cells (%zu kernel%s x %zu sweep cell%s each)\n",
		       o->plan, id, o->repeat, o->nkernels, o->nkernels == 1 ? "" : "s",
		       p.ncells, p.ncells == 1 ? "" : "s");
		printf("run each cell, on any host:  peelbench matrix --cell N --plan %s  (N = 1..%u)\n",
		       o->plan, o->repeat);
		printf("then the table:              peelbench matrix --collect --plan %s\n", o->plan);
	}
	mx_plan_free(&p);
	return ret;
}

/* The file's text, strict JSON, an object: NULL after one line. */
static struct json_object *read_json(const char *path)
{
	const char *why;
	struct json_tokener *tok;
	struct json_object *j = NULL;
	int fd = pb_open_regular(path, &why);
	char *buf;
	ssize_t n = 0, r;

	if (fd < 0) {
		pb_err("matrix: plan %s: cannot open: %s", path, why);
		return NULL;
	}
	buf = malloc(PLAN_MAX_BYTES + 1);
	while (buf && (r = read(fd, buf + n, PLAN_MAX_BYTES + 1 - n)) > 0)
		n += r;
	close(fd);
	tok = json_tokener_new();
	if (buf && n <= PLAN_MAX_BYTES && tok) {
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		j = json_tokener_parse_ex(tok, buf, (int)n);
		if (json_tokener_get_error(tok) != json_tokener_success ||
		    json_tokener_get_parse_end(tok) != (size_t)n) {
			json_object_put(j);
			j = NULL;
		}
	}
	json_tokener_free(tok);
	free(buf);
	if (!j || !json_object_is_type(j, json_type_object)) {
		pb_err("matrix: plan %s: not a plan (want the JSON `matrix --plan` writes)", path);
		json_object_put(j);
		return NULL;
	}
	return j;
}

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
	       ? json_object_get_string(v) : NULL;
}

/* schema and id: a plan of ours, not edited since. */
static int check_identity(struct mx_planfile *pf)
{
	struct json_object *body = json_object_new_object();
	const char *schema = get_str(pf->root, "schema"), *id = get_str(pf->root, "id");
	char want[17];

	json_object_object_foreach(pf->root, key, val)
		if (strcmp(key, "id"))
			json_object_object_add(body, key, json_object_get(val));
	hash_hex(json_object_to_json_string_ext(body, PLAN_JSON), want);
	json_object_put(body);
	if (!schema || strcmp(schema, MX_PLAN_SCHEMA)) {
		pb_err("matrix: plan %s: not a plan (schema %s, want %s)", pf->path,
		       schema ? schema : "missing", MX_PLAN_SCHEMA);
		return PB_EXIT_USAGE;
	}
	if (!id || strcmp(id, want)) {
		pb_err("matrix: plan %s: its id does not match its content (edited by hand?)",
		       pf->path);
		return PB_EXIT_USAGE;
	}
	snprintf(pf->id, sizeof(pf->id), "%s", id);
	return 0;
}

/* argv, parsed as the command line is; only the matrix's own options. */
static int parse_argv(struct mx_planfile *pf)
{
	struct json_object *a;
	size_t i, n;

	if (!json_object_object_get_ex(pf->root, "argv", &a) ||
	    !json_object_is_type(a, json_type_array) || !(n = json_object_array_length(a))) {
		pb_err("matrix: plan %s: no argv (the matrix's options)", pf->path);
		return PB_EXIT_USAGE;
	}
	pf->argv = calloc(n + 2, sizeof(*pf->argv));
	if (!pf->argv)
		return PB_EXIT_RUNTIME;
	pf->argv[pf->argc++] = "matrix";
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(a, i);

		if (!json_object_is_type(s, json_type_string)) {
			pb_err("matrix: plan %s: argv[%zu] is not a string", pf->path, i);
			return PB_EXIT_USAGE;
		}
		pf->argv[pf->argc++] = (char *)json_object_get_string(s);
	}
	return mx_parse(pf->argc, pf->argv, &pf->o);
}

/* The summary fields agree with argv. */
static int check_summary(struct mx_planfile *pf)
{
	const struct mx_opts *o = &pf->o;
	struct json_object *v;
	size_t k;
	bool same;

	if (o->plan || o->cell || o->collect || o->outdir || o->db || o->inner) {
		pb_err("matrix: plan %s: its options conflict: argv holds a host's option", pf->path);
		return PB_EXIT_USAGE;
	}
	same = json_object_object_get_ex(pf->root, "kernels", &v) &&
	       json_object_is_type(v, json_type_array) &&
	       json_object_array_length(v) == o->nkernels;
	for (k = 0; same && k < o->nkernels; k++)
		same = !strcmp(json_object_get_string(json_object_array_get_idx(v, k)),
			       o->kernels[k]);
	if (!same) {
		pb_err("matrix: plan %s: its options conflict: kernels differs from argv's --kernels",
		       pf->path);
		return PB_EXIT_USAGE;
	}
	if (!json_object_object_get_ex(pf->root, "repeat", &v) ||
	    json_object_get_int(v) != (int)o->repeat ||
	    !json_object_object_get_ex(pf->root, "cells", &v) ||
	    !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) != o->repeat) {
		pb_err("matrix: plan %s: its options conflict: repeat and cells differ from argv's --repeat %u",
		       pf->path, o->repeat);
		return PB_EXIT_USAGE;
	}
	return 0;
}

int mx_plan_read(const char *path, struct mx_planfile *pf)
{
	int ret;

	memset(pf, 0, sizeof(*pf));
	pf->path = path;
	if (!(pf->root = read_json(path)))
		return PB_EXIT_USAGE;
	if ((ret = check_identity(pf)) || (ret = parse_argv(pf)))
		return ret < 0 ? PB_EXIT_USAGE : ret;
	return check_summary(pf);
}

void mx_planfile_free(struct mx_planfile *pf)
{
	mx_opts_free(&pf->o);
	free(pf->argv);
	json_object_put(pf->root);
	memset(pf, 0, sizeof(*pf));
}
