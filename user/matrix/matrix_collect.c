// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix --collect --plan FILE`: the plan's results from the
 * history (tagged by `--cell`), per machine (env.machine.id), into the
 * single-process matrix's table, matrix.json and figures.  A run no cell
 * stored is a failed run ("missing"), as a failed kernel is: the others
 * still make the table, and the exit code is 1.  When a run was stored
 * more than once (a cell run again), the newest counts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "history.h"
#include "matrix_plan.h"
#include "matrix_run.h"
#include "peelbench.h"
#include "result.h"

struct collect {
	const struct mx_planfile *pf;
	struct mx_plan *plan;
	struct mx_machine *mach;	/* [MX_MAX_MACHINES] */
	size_t nmach;
	int *owner;			/* per run: its machine, -1 none */
	size_t found, ignored;
};

static size_t run_index(const struct collect *c, unsigned round, size_t k, size_t cell)
{
	return ((size_t)(round - 1) * c->pf->o.nkernels + k) * c->plan->ncells + cell;
}

static long find_name(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (long)i;
	return -1;
}

static long sweep_index(const struct mx_plan *p, const char *s)
{
	size_t c;

	for (c = 0; s && c < p->ncells; c++)
		if (!strcmp(p->cells[c].name, s))
			return (long)c;
	return -1;
}

static struct mx_machine *machine_of(struct collect *c, const struct pb_result *r)
{
	struct mx_machine *m;
	size_t i, nout;

	for (i = 0; i < c->nmach; i++)
		if (!strcmp(c->mach[i].id, r->machine_id))
			return &c->mach[i];
	if (c->nmach == MX_MAX_MACHINES)
		return NULL;
	m = &c->mach[c->nmach];
	nout = (size_t)c->pf->o.repeat * c->pf->o.nkernels * c->plan->ncells;
	if (!(m->m.out = calloc(nout, sizeof(*m->m.out))))
		return NULL;
	c->nmach++;
	snprintf(m->id, sizeof(m->id), "%s", r->machine_id);
	snprintf(m->label, sizeof(m->label), "%s",
		 r->machine_label[0] ? r->machine_label : r->machine_id[0] ? r->machine_id : "unknown");
	m->m.plan = c->plan;
	return m;
}

static int tag_int(struct json_object *t, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(t, key, &v) && json_object_is_type(v, json_type_int)
	       ? json_object_get_int(v) : 0;
}

static const char *tag_str(struct json_object *t, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(t, key, &v) && json_object_is_type(v, json_type_string)
	       ? json_object_get_string(v) : NULL;
}

/* One stored result: the plan's, at its place, on its machine. */
static int take(long long id, const char *json, void *ctx)
{
	struct collect *c = ctx;
	const struct mx_opts *o = &c->pf->o;
	struct json_object *t;
	struct pb_result *r;
	struct mx_machine *m;
	char name[48];
	long k, cell;
	size_t i;
	int round;

	snprintf(name, sizeof(name), "history result %lld", id);
	if (pb_result_parse(json, strlen(json), name, &r))
		return 0;	/* said why; the run counts as missing */
	if (!json_object_object_get_ex(r->root, MX_PLAN_TAG, &t) ||
	    strcmp(tag_str(t, "id") ? tag_str(t, "id") : "", c->pf->id) ||
	    (round = tag_int(t, "cell")) < 1 || (unsigned)round > o->repeat ||
	    (k = find_name(o->kernels, o->nkernels, tag_str(t, "kernel"))) < 0 ||
	    (cell = sweep_index(c->plan, tag_str(t, "sweep"))) < 0 || !(m = machine_of(c, r))) {
		c->ignored++;
		pb_result_free(r);
		return 0;
	}
	i = run_index(c, round, k, cell);
	if (c->owner[i] >= 0) {	/* stored again: the newest counts */
		struct mx_outcome *old = &c->mach[c->owner[i]].m.out[i];

		pb_result_free(old->res);
		memset(old, 0, sizeof(*old));
		c->found--;
	}
	c->owner[i] = (int)(m - c->mach);
	m->m.out[i].state = MX_OK;
	m->m.out[i].res = r;
	c->found++;
	return 0;
}

/* The whole matrix: every machine's runs, the missing ones failed. */
static void merge(struct collect *c, struct mx_matrix *all)
{
	const struct mx_opts *o = &c->pf->o;
	size_t k, cell, i;
	unsigned r;

	for (r = 1; r <= o->repeat; r++)
		for (k = 0; k < o->nkernels; k++)
			for (cell = 0; cell < c->plan->ncells; cell++) {
				i = run_index(c, r, k, cell);
				if (c->owner[i] >= 0) {
					all->out[i] = c->mach[c->owner[i]].m.out[i];
					continue;
				}
				all->out[i].state = MX_FAILED;
				all->out[i].code = PB_EXIT_FOUND;
				snprintf(all->out[i].reason, sizeof(all->out[i].reason),
					 "missing: cell %u stored no result for it", r);
			}
	all->machines = c->mach;
	all->nmachines = c->nmach;
	for (k = 0; k < o->nkernels; k++) {	/* guest or native, as it ran */
		struct json_object *vm;

		for (i = 0; i < o->repeat * c->plan->ncells; i++) {
			const struct mx_outcome *x = mx_at(all, i / c->plan->ncells + 1, k,
							   i % c->plan->ncells);

			if (x->state == MX_OK && x->res->env &&
			    json_object_object_get_ex(x->res->env, "vm", &vm)) {
				all->kinfo[k].native = !json_object_get_boolean(vm);
				break;
			}
		}
	}
}

/* One line per plan cell that is not all in; how many. */
static size_t report_missing(const struct collect *c, const struct mx_matrix *all)
{
	const struct mx_opts *o = &c->pf->o;
	size_t per = o->nkernels * c->plan->ncells, k, cell, miss, bad = 0;
	char first[MX_NAME_MAX + 32];
	unsigned r;

	for (r = 1; r <= o->repeat; r++) {
		miss = 0;
		for (k = 0; k < o->nkernels; k++)
			for (cell = 0; cell < c->plan->ncells; cell++)
				if (mx_at(all, r, k, cell)->state != MX_OK && !miss++)
					snprintf(first, sizeof(first), "%s %s", o->kernels[k],
						 c->plan->cells[cell].name);
		if (miss == per)
			pb_err("matrix: cell %u of plan %s is missing: no result in the history",
			       r, c->pf->path);
		else if (miss)
			pb_err("matrix: cell %u of plan %s is missing %zu of its %zu runs (%s%s)",
			       r, c->pf->path, miss, per, first, miss > 1 ? ", ..." : "");
		bad += miss > 0;
	}
	return bad;
}

static void print_machines(const struct collect *c, bool json)
{
	size_t i;

	if (json)
		return;
	printf("plan %s (%s): %zu result%s from %zu machine%s:", c->pf->path, c->pf->id,
	       c->found, c->found == 1 ? "" : "s", c->nmach, c->nmach == 1 ? "" : "s");
	for (i = 0; i < c->nmach; i++)
		printf("%s %s", i ? "," : "", c->mach[i].label);
	printf("\n\n");
}

static int collect_report(struct collect *c, struct mx_opts *o)
{
	struct mx_run w = { .o = o };
	char defdir[64];
	size_t nout = (size_t)o->repeat * o->nkernels * c->plan->ncells, missing;
	int ret;

	w.m.plan = c->plan;
	if (!(w.m.out = calloc(nout, sizeof(*w.m.out))))
		return PB_EXIT_RUNTIME;
	o->no_history = true;	/* read already; mx_outer_setup makes DIR */
	ret = mx_outer_setup(&w, o, defdir, sizeof(defdir));
	if (!ret) {
		merge(c, &w.m);
		mx_find_releases(&w.m);
		missing = report_missing(c, &w.m);
		print_machines(c, o->json);
		ret = mx_report(&w);
		if (!ret && missing)
			ret = PB_EXIT_FOUND;
	}
	free(w.m.out);	/* the results are the machines' */
	return ret;
}

static int collect(struct mx_planfile *pf, const struct mx_opts *cmd)
{
	struct mx_opts *o = &pf->o;
	struct collect c = { .pf = pf };
	struct pb_history *h;
	struct mx_plan plan;
	char dir[64];
	size_t i, j, nout;
	int ret;

	snprintf(dir, sizeof(dir), "results/plan-%s", pf->id);
	o->outdir = cmd->outdir ? cmd->outdir : dir;
	o->json = cmd->json;
	o->no_plot = cmd->no_plot;
	if ((ret = pb_history_open(cmd->db ? cmd->db : pb_history_default_path(), false, &h)))
		return ret;
	if ((ret = mx_plan_build(o, &plan))) {
		pb_history_close(h);
		return ret;
	}
	c.plan = &plan;
	nout = (size_t)o->repeat * o->nkernels * plan.ncells;
	c.mach = calloc(MX_MAX_MACHINES, sizeof(*c.mach));
	c.owner = malloc(nout * sizeof(*c.owner));
	if (!c.mach || !c.owner)
		ret = PB_EXIT_RUNTIME;
	for (i = 0; !ret && i < nout; i++)
		c.owner[i] = -1;
	if (!ret)
		ret = pb_history_find_json(h, pf->id, take, &c);
	pb_history_close(h);
	if (!ret)
		ret = collect_report(&c, o);
	for (i = 0; c.mach && i < c.nmach; i++) {
		for (j = 0; j < nout; j++)
			pb_result_free(c.mach[i].m.out[j].res);
		free(c.mach[i].m.out);
	}
	free(c.mach);
	free(c.owner);
	mx_plan_free(&plan);
	return ret;
}

int mx_collect_main(const struct mx_opts *cmd)
{
	struct mx_planfile pf;
	int ret = mx_plan_read(cmd->plan, &pf);

	if (!ret)
		ret = collect(&pf, cmd);
	mx_planfile_free(&pf);
	return ret;
}
