// SPDX-License-Identifier: GPL-2.0
/* The matrix's numbers (matrix_value.c) printed as a table (kernels as
 * columns) and as matrix.json. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "kenv.h"
#include "matrix.h"
#include "peelbench.h"
#include "phase.h"
#include "result.h"
#include "stats.h"


struct mx_outcome *mx_at(const struct mx_matrix *m, unsigned round,
			 size_t kernel, size_t cell)
{
	const struct mx_opts *o = m->plan->o;

	return &m->out[((size_t)(round - 1) * o->nkernels + kernel) *
		       m->plan->ncells + cell];
}

size_t mx_failed_count(const struct mx_matrix *m)
{
	const struct mx_opts *o = m->plan->o;
	size_t n = 0, k, c;
	unsigned r;

	for (r = 1; r <= o->repeat; r++)
		for (k = 0; k < o->nkernels; k++)
			for (c = 0; c < m->plan->ncells; c++)
				n += mx_at(m, r, k, c)->state == MX_FAILED;
	return n;
}


static bool probe_seen(struct json_object *p)
{
	struct json_object *o;
	const char *attach = "";

	if (json_object_object_get_ex(p, "attach", &o) && json_object_is_type(o, json_type_string))
		attach = json_object_get_string(o);
	if (!strcmp(attach, "unavailable") || !strcmp(attach, "none") || !*attach)
		return false;
	/* the tracer writes "symbol", older files "function" */
	return (json_object_object_get_ex(p, "symbol", &o) ||
		json_object_object_get_ex(p, "function", &o)) &&
	       json_object_is_type(o, json_type_string);
}

void mx_probe_phases(const struct pb_result *r, char *seen, size_t seen_size,
		     char *missing, size_t missing_size)
{
	struct json_object *probes = NULL, *o;
	size_t i, j, n, so = 0, mo = 0;

	seen[0] = missing[0] = '\0';
	if (!r->trace || !json_object_object_get_ex(r->trace, "probes", &probes) ||
	    !json_object_is_type(probes, json_type_array))
		return;
	n = json_object_array_length(probes);
	for (i = 0; i < PB_PH_MAX; i++)
		for (j = 0; j < n; j++) {
			struct json_object *p = json_object_array_get_idx(probes, j);

			if (!json_object_object_get_ex(p, "phase", &o) ||
			    !json_object_is_type(o, json_type_string) ||
			    strcmp(json_object_get_string(o), pb_phase_name(i)))
				continue;
			if (probe_seen(p))
				so += snprintf(seen + so, so < seen_size ? seen_size - so : 0,
					       "%s%s", so ? " " : "", pb_phase_name(i));
			else
				mo += snprintf(missing + mo, mo < missing_size ? missing_size - mo : 0,
					       "%s%s", mo ? " " : "", pb_phase_name(i));
			break;
		}
}

/* "1.23 ms", "456 ns", "1612/s" */
static void fmt_value(const char *metric, double v, char *buf, size_t size)
{
	static const char *const fmt[4] = { "%.0f ns", "%.3g us", "%.3g ms", "%.3g s" };
	size_t len = strlen(metric);

	if (isnan(v))
		snprintf(buf, size, "-");
	else if (len > 6 && !strcmp(metric + len - 6, "_per_s"))
		snprintf(buf, size, "%.0f/s", v);
	else if (len > 3 && !strcmp(metric + len - 3, "_ns"))
		pb_fmt_ns(v, fmt, buf, size);
	else
		snprintf(buf, size, "%.4g", v);
}

static size_t kernel_ok(const struct mx_matrix *m, size_t cell, size_t k)
{
	size_t n = 0;
	unsigned r;

	for (r = 1; r <= m->plan->o->repeat; r++)
		n += mx_at(m, r, k, cell)->state == MX_OK;
	return n;
}

static const struct pb_result *first_result(const struct mx_matrix *m, size_t k)
{
	const struct mx_opts *o = m->plan->o;
	size_t c;
	unsigned r;

	for (r = 1; r <= o->repeat; r++)
		for (c = 0; c < m->plan->ncells; c++)
			if (mx_at(m, r, k, c)->state == MX_OK)
				return mx_at(m, r, k, c)->res;
	return NULL;
}

#define COL_METRIC 29	/* "phase.assoc_migrate.p50_ns" + 3; wider for longer names */
#define COL_VALUE 16
#define COL_RATIO 24

static void print_cell(const struct mx_matrix *m, size_t cell, FILE *f)
{
	const struct mx_opts *o = m->plan->o;
	char **names = mx_cell_metrics(m, cell), val[48], buf[64];
	int col = COL_METRIC;
	size_t i, k;
	bool any_ci_note = false, any_nc = false;

	for (i = 0; names && names[i]; i++)
		if ((int)strlen(names[i]) + 3 > col)
			col = (int)strlen(names[i]) + 3;

	fprintf(f, "\ncell %s\n", m->plan->cells[cell].name);
	fprintf(f, "%-*s", col, "");
	for (k = 0; k < o->nkernels; k++)
		fprintf(f, "%-*s", k && kernel_ok(m, cell, k) ? COL_VALUE + COL_RATIO :
			COL_VALUE, o->kernels[k]);
	fprintf(f, "\n%-*s", col, "");
	for (k = 0; k < o->nkernels; k++) {
		size_t ok = kernel_ok(m, cell, k);

		if (!ok)
			snprintf(buf, sizeof(buf), "FAILED (0/%u)", o->repeat);
		else
			snprintf(buf, sizeof(buf), "%zu/%u ok", ok, o->repeat);
		fprintf(f, "%-*s", COL_VALUE, buf);
		if (k && ok)
			fprintf(f, "%-*s", COL_RATIO, "ratio [95% CI]");
	}
	fputc('\n', f);
	for (i = 0; names && names[i]; i++) {
		fprintf(f, "%-*s", col, names[i]);
		for (k = 0; k < o->nkernels; k++) {
			struct mx_value v;

			mx_value(m, cell, k, names[i], &v);
			if (!kernel_ok(m, cell, k))
				snprintf(val, sizeof(val), "FAILED");
			else
				fmt_value(names[i], v.median, val, sizeof(val));
			fprintf(f, "%-*s", COL_VALUE, val);
			if (k && kernel_ok(m, cell, k)) {
				if (v.not_comparable) {
					snprintf(buf, sizeof(buf), "not comparable");
					any_nc = true;
				} else if (v.has_ci) {
					bool sig = v.ci.lo > 1 || v.ci.hi < 1;

					snprintf(buf, sizeof(buf), "%.2f [%.2f, %.2f]%s", v.ratio,
						 v.ci.lo, v.ci.hi, sig ? " *" : "");
					any_ci_note |= sig;
				} else if (v.has_ratio) {
					snprintf(buf, sizeof(buf), "%.2f (n<2)", v.ratio);
				} else {
					buf[0] = '\0';
				}
				fprintf(f, "%-*s", COL_RATIO, buf);
			}
			mx_value_free(&v);
		}
		fputc('\n', f);
	}
	if (!names || !names[0])
		fprintf(f, "  (no result)\n");
	if (any_ci_note)
		fprintf(f, "  * the ratio's 95%% CI excludes 1\n");
	if (any_nc)
		fprintf(f, "  not comparable: the phase measures other work on that kernel than on %s;\n"
			"  the group.* rows compare the same work (docs/matrix.md)\n", o->kernels[0]);
	mx_metrics_free(names);
}

static void print_table(const struct mx_matrix *m, FILE *f);

/* Under the table: how each kernel's configuration, command line and
 * mitigations differ from the first kernel's (env of their first
 * results), one line each, as compare warns of them. */
static void print_kenv_differences(const struct mx_matrix *m, FILE *f)
{
	const struct mx_opts *o = m->plan->o;
	const struct pb_result *base = first_result(m, 0), *r;
	bool head = false;
	char *d;
	size_t k;

	for (k = 1; base && k < o->nkernels; k++) {
		if (!(r = first_result(m, k)) || !(d = kenv_differences(base->env, r->env)))
			continue;
		if (!head)
			fprintf(f, "\nkernel differences (env, against %s):\n", o->kernels[0]);
		head = true;
		fprintf(f, "  %s: %s\n", o->kernels[k], d);
		free(d);
	}
}

/* The table's columns are padded: print it without trailing blanks. */
void mx_print_table(const struct mx_matrix *m, FILE *f)
{
	char *buf = NULL, *line, *end;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	if (!mem) {
		print_table(m, f);
		return;
	}
	print_table(m, mem);
	fclose(mem);
	for (line = buf; line && *line; line = end ? end + 1 : NULL) {
		size_t n;

		end = strchr(line, '\n');
		n = end ? (size_t)(end - line) : strlen(line);
		while (n && line[n - 1] == ' ')
			n--;
		fprintf(f, "%.*s\n", (int)n, line);
	}
	free(buf);
}

/* --check: the cases x kernels table after the kernel lines. */
static void print_checks(const struct mx_matrix *m, FILE *f)
{
	const struct mx_opts *o = m->plan->o;
	struct json_object *checks[MX_MAX_KERNELS];
	const char *labels[MX_MAX_KERNELS];
	bool any = false;
	size_t k;

	for (k = 0; k < o->nkernels; k++) {
		labels[k] = o->kernels[k];
		checks[k] = m->kinfo[k].check;
		any |= checks[k] != NULL;
	}
	if (any) {
		fputc('\n', f);
		mx_check_table_print(f, labels, checks, o->nkernels);
	}
}

static void print_table(const struct mx_matrix *m, FILE *f)
{
	const struct mx_opts *o = m->plan->o;
	size_t runs = o->repeat * o->nkernels * m->plan->ncells, failed, k, c;
	char seen[256], missing[256];
	unsigned r;

	failed = mx_failed_count(m);
	fprintf(f, "matrix: %zu kernel%s x %zu cell%s x %u repeat%s = %zu runs, %zu failed%s\n",
		o->nkernels, o->nkernels == 1 ? "" : "s", m->plan->ncells,
		m->plan->ncells == 1 ? "" : "s", o->repeat, o->repeat == 1 ? "" : "s",
		runs, failed, m->interrupted ? " (interrupted)" : "");
	if (m->nmachines > 1)
		fprintf(f, "values: median of the %zu machines' medians; ratio: to %s within each\n"
			"machine, the median of those, with its 95%% CI bootstrapped over the\n"
			"machines and their repeats\n", m->nmachines, o->kernels[0]);
	else
		fprintf(f, "values: median over the repeats; ratio: to %s's median, with the\n"
			"percentile-bootstrap 95%% CI of that ratio over the per-repeat values\n",
			o->kernels[0]);
	for (k = 0; k < o->nkernels; k++) {
		const struct mx_kernel_info *ki = &m->kinfo[k];
		const struct pb_result *r0 = first_result(m, k);

		fprintf(f, "kernel %-8s %s%s", o->kernels[k],
			ki->release[0] ? ki->release : "(no result)",
			ki->native ? " (native)" : ki->release[0] ? " (guest)" : "");
		if (r0) {
			mx_probe_phases(r0, seen, sizeof(seen), missing, sizeof(missing));
			if (seen[0] || missing[0])
				fprintf(f, "; probes see: %s%s%s", seen[0] ? seen : "nothing",
					missing[0] ? "; not: " : "", missing);
		}
		fputc('\n', f);
		if (ki->checked) {
			if (ki->check_reason[0])
				fprintf(f, "  check: failed to run (exit %d): %s\n",
					ki->check_code, ki->check_reason);
			else
				fprintf(f, "  check: %u pass, %u fail, %u known deviation, %u not applicable%s\n",
					ki->pass, ki->fail, ki->deviation,
					ki->not_applicable, ki->fail ? " (FAIL)" : "");
		}
	}
	print_checks(m, f);
	for (c = 0; c < m->plan->ncells; c++)
		print_cell(m, c, f);
	print_kenv_differences(m, f);
	if (!failed)
		return;
	fprintf(f, "\nfailed runs:\n");
	for (r = 1; r <= o->repeat; r++)
		for (k = 0; k < o->nkernels; k++)
			for (c = 0; c < m->plan->ncells; c++) {
				const struct mx_outcome *x = mx_at(m, r, k, c);

				if (x->state == MX_FAILED)
					fprintf(f, "  %s %s r%u: exit %d: %s\n", o->kernels[k],
						m->plan->cells[c].name, r, x->code, x->reason);
			}
}

static struct json_object *jdouble(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

/* How kernel k's configuration, command line, mitigations and source
 * differ from the first kernel's, as under the table: {against, summary,
 * keys} or null (the same, or no result on a side). */
static struct json_object *kernel_differences_json(const struct mx_matrix *m, size_t k)
{
	const struct pb_result *base = first_result(m, 0), *r = first_result(m, k);
	struct json_object *o, *keys;
	char *d;

	if (!base || !r || !(keys = kenv_differences_json(base->env, r->env)))
		return NULL;
	d = kenv_differences(base->env, r->env);
	o = json_object_new_object();
	json_object_object_add(o, "against", json_object_new_string(m->plan->o->kernels[0]));
	json_object_object_add(o, "summary", d ? json_object_new_string(d) : NULL);
	json_object_object_add(o, "keys", keys);
	free(d);
	return o;
}

static struct json_object *kernel_json(const struct mx_matrix *m, size_t k)
{
	const struct mx_kernel_info *ki = &m->kinfo[k];
	const struct pb_result *r0 = first_result(m, k);
	struct json_object *o = json_object_new_object(), *p;
	char seen[256], missing[256], *tok, *save = NULL;

	json_object_object_add(o, "label", json_object_new_string(m->plan->o->kernels[k]));
	json_object_object_add(o, "release", ki->release[0] ?
			       json_object_new_string(ki->release) : NULL);
	json_object_object_add(o, "native", json_object_new_boolean(ki->native));
	if (r0) {
		struct json_object *seen_a = json_object_new_array();
		struct json_object *miss_a = json_object_new_array();

		mx_probe_phases(r0, seen, sizeof(seen), missing, sizeof(missing));
		for (tok = strtok_r(seen, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			json_object_array_add(seen_a, json_object_new_string(tok));
		for (tok = strtok_r(missing, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			json_object_array_add(miss_a, json_object_new_string(tok));
		p = json_object_new_object();
		json_object_object_add(p, "seen", seen_a);
		json_object_object_add(p, "missing", miss_a);
		json_object_object_add(o, "phases", p);
	}
	if (ki->checked) {
		p = json_object_new_object();
		json_object_object_add(p, "exit", json_object_new_int(ki->check_code));
		if (ki->check_reason[0]) {
			json_object_object_add(p, "error", json_object_new_string(ki->check_reason));
		} else {
			json_object_object_add(p, "pass", json_object_new_int(ki->pass));
			json_object_object_add(p, "fail", json_object_new_int(ki->fail));
			json_object_object_add(p, "known_deviation",
					       json_object_new_int(ki->deviation));
			json_object_object_add(p, "not_applicable",
					       json_object_new_int(ki->not_applicable));
		}
		json_object_object_add(o, "check", p);
	}
	if (k)
		json_object_object_add(o, "differences", kernel_differences_json(m, k));
	return o;
}

static const char *state_name(enum mx_state s)
{
	return s == MX_OK ? "ok" : s == MX_FAILED ? "failed" : "not run";
}

static struct json_object *cell_json(const struct mx_matrix *m, size_t c)
{
	const struct mx_opts *o = m->plan->o;
	const struct mx_cell *cell = &m->plan->cells[c];
	struct json_object *j = json_object_new_object(), *vals, *runs, *metrics;
	char **names = mx_cell_metrics(m, c), path[PATH_MAX];
	size_t s, k, i;
	unsigned r;

	json_object_object_add(j, "name", json_object_new_string(cell->name));
	vals = json_object_new_object();
	for (s = 0; s < o->nsweeps; s++)
		json_object_object_add(vals, o->sweeps[s].key,
				       json_object_new_string(o->sweeps[s].values[cell->idx[s]]));
	json_object_object_add(j, "values", vals);
	runs = json_object_new_array();
	for (r = 1; r <= o->repeat; r++)
		for (k = 0; k < o->nkernels; k++) {
			const struct mx_outcome *x = mx_at(m, r, k, c);
			struct json_object *run = json_object_new_object();

			json_object_object_add(run, "kernel", json_object_new_string(o->kernels[k]));
			json_object_object_add(run, "round", json_object_new_int(r));
			json_object_object_add(run, "status", json_object_new_string(state_name(x->state)));
			if (m->machines && x->state == MX_OK)	/* --collect */
				snprintf(path, sizeof(path), "%s", x->res->path);
			else
				mx_run_path(m->dir, o->kernels[k], cell->name, r, "json",
					    path, sizeof(path));
			json_object_object_add(run, "result", x->state == MX_OK ?
					       json_object_new_string(path) : NULL);
			if (x->state == MX_FAILED) {
				json_object_object_add(run, "exit", json_object_new_int(x->code));
				json_object_object_add(run, "reason", json_object_new_string(x->reason));
			}
			json_object_array_add(runs, run);
		}
	json_object_object_add(j, "runs", runs);
	metrics = json_object_new_array();
	for (i = 0; names && names[i]; i++) {
		struct json_object *mo = json_object_new_object(), *per = json_object_new_object();

		json_object_object_add(mo, "name", json_object_new_string(names[i]));
		for (k = 0; k < o->nkernels; k++) {
			struct json_object *ko = json_object_new_object(), *arr;
			struct mx_value v;
			size_t q;

			mx_value(m, c, k, names[i], &v);
			json_object_object_add(ko, "n", json_object_new_int((int)v.n));
			arr = json_object_new_array();
			for (q = 0; q < v.n; q++)
				json_object_array_add(arr, json_object_new_double(v.values[q]));
			json_object_object_add(ko, "values", arr);
			json_object_object_add(ko, "median", jdouble(v.median));
			if (k && v.not_comparable)
				json_object_object_add(ko, "not_comparable", json_object_new_string(v.why));
			if (k) {
				json_object_object_add(ko, "ratio", v.has_ratio ? jdouble(v.ratio) : NULL);
				if (v.has_ci) {
					arr = json_object_new_array();
					json_object_array_add(arr, json_object_new_double(v.ci.lo));
					json_object_array_add(arr, json_object_new_double(v.ci.hi));
					json_object_object_add(ko, "ratio_ci95", arr);
				} else {
					json_object_object_add(ko, "ratio_ci95", NULL);
				}
			}
			if (m->nmachines > 1)
				json_object_object_add(ko, "machines",
						       mx_machines_json(m, c, k, names[i]));
			json_object_object_add(per, o->kernels[k], ko);
			mx_value_free(&v);
		}
		json_object_object_add(mo, "kernels", per);
		json_object_array_add(metrics, mo);
	}
	json_object_object_add(j, "metrics", metrics);
	mx_metrics_free(names);
	return j;
}

struct json_object *mx_json(const struct mx_matrix *m)
{
	const struct mx_opts *o = m->plan->o;
	struct json_object *j = json_object_new_object(), *a, *sw;
	size_t i, k;

	json_object_object_add(j, "schema", json_object_new_string("peelbench-matrix/1"));
	json_object_object_add(j, "dir", json_object_new_string(m->dir));
	json_object_object_add(j, "repeat", json_object_new_int(o->repeat));
	json_object_object_add(j, "complete", json_object_new_boolean(!m->interrupted));
	a = json_object_new_array();
	for (i = 0; i < o->nrun_args; i++)
		json_object_array_add(a, json_object_new_string(o->run_args[i]));
	json_object_object_add(j, "run_args", a);
	sw = json_object_new_object();
	for (i = 0; i < o->nsweeps; i++) {
		a = json_object_new_array();
		for (k = 0; k < o->sweeps[i].n; k++)
			json_object_array_add(a, json_object_new_string(o->sweeps[i].values[k]));
		json_object_object_add(sw, o->sweeps[i].key, a);
	}
	json_object_object_add(j, "sweeps", sw);
	a = json_object_new_array();
	for (k = 0; k < o->nkernels; k++)
		json_object_array_add(a, kernel_json(m, k));
	json_object_object_add(j, "kernels", a);
	a = json_object_new_array();
	for (i = 0; i < m->plan->ncells; i++)
		json_object_array_add(a, cell_json(m, i));
	json_object_object_add(j, "cells", a);
	if (m->machines) {
		a = json_object_new_array();
		for (i = 0; i < m->nmachines; i++) {
			sw = json_object_new_object();
			json_object_object_add(sw, "id", json_object_new_string(m->machines[i].id));
			json_object_object_add(sw, "label",
					       json_object_new_string(m->machines[i].label));
			json_object_array_add(a, sw);
		}
		json_object_object_add(j, "machines", a);
	}
	json_object_object_add(j, "failed", json_object_new_int((int)mx_failed_count(m)));
	return j;
}
