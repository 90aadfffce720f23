// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix --cell N --plan FILE`: round N of the plan's matrix,
 * here, through the batches of the single-process matrix (one guest per
 * kernel, kernels interleaved); its good results go to the history in
 * one transaction, each tagged with the plan's id, N, its kernel label
 * and sweep cell (MX_PLAN_TAG), which is how --collect finds them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "history.h"
#include "matrix_plan.h"
#include "matrix_run.h"
#include "peelbench.h"
#include "result.h"

static void tag(struct pb_result *r, const char *id, unsigned cell, const char *kernel,
		const char *sweep)
{
	struct json_object *t = json_object_new_object();

	json_object_object_add(t, "id", json_object_new_string(id));
	json_object_object_add(t, "cell", json_object_new_int((int)cell));
	json_object_object_add(t, "kernel", json_object_new_string(kernel));
	json_object_object_add(t, "sweep", json_object_new_string(sweep));
	json_object_object_add(r->root, MX_PLAN_TAG, t);
}

/* The cell's good results, tagged, in one transaction. */
static int store_cell(struct mx_run *w, struct pb_history *h, const char *id,
		      unsigned cell, size_t *added)
{
	const struct mx_plan *p = w->m.plan;
	struct pb_result **rs = calloc(w->o->nkernels * p->ncells + 1, sizeof(*rs));
	size_t n = 0, k, c, skipped;
	int ret = 0;

	*added = 0;
	if (!rs)
		return PB_EXIT_RUNTIME;
	for (k = 0; k < w->o->nkernels; k++)
		for (c = 0; c < p->ncells; c++) {
			struct mx_outcome *x = mx_at(&w->m, cell, k, c);

			if (x->state != MX_OK)
				continue;
			tag(x->res, id, cell, w->o->kernels[k], p->cells[c].name);
			rs[n++] = x->res;
		}
	if (n)
		ret = pb_history_add(h, rs, n, added, &skipped);
	free(rs);
	return ret;
}

static int run_cell(struct mx_planfile *pf, const struct mx_opts *cmd)
{
	struct mx_opts *o = &pf->o;
	struct mx_run w = { .o = o };
	struct pb_history *h;
	struct mx_plan plan;
	char dir[64];
	size_t added = 0, failed, runs;
	int ret, sret;

	snprintf(dir, sizeof(dir), "results/plan-%s", pf->id);
	o->outdir = cmd->outdir ? cmd->outdir : dir;
	o->db = cmd->db;
	if ((ret = mx_plan_build(o, &plan)))
		return ret;
	if ((ret = mx_run_alloc(&w, &plan)) || (ret = mx_outer_setup(&w, o, dir, sizeof(dir))))
		goto out;
	h = w.h;
	w.h = NULL;	/* the batches store nothing: the cell, at its end */
	runs = o->nkernels * plan.ncells;
	ret = mx_run_batches(&w, runs, cmd->cell);
	sret = store_cell(&w, h, pf->id, cmd->cell, &added);
	w.h = h;
	failed = mx_failed_count(&w.m);
	printf("cell %u of plan %s (%s): %zu runs, %zu failed; %zu results added to %s\n",
	       cmd->cell, pf->path, pf->id, runs, failed, added, pb_history_name(h));
	if (!ret)
		ret = mx_interrupted ? PB_EXIT_INTR : sret ? sret :
		      failed || mx_check_bad(&w.m) ? PB_EXIT_FOUND : 0;
out:
	mx_run_free(&w);
	return ret;
}

int mx_cell_main(const struct mx_opts *cmd)
{
	struct mx_planfile pf;
	int ret = mx_plan_read(cmd->plan, &pf);

	if (!ret && cmd->cell > pf.o.repeat) {
		pb_err("matrix: --cell %u: plan %s has cells 1 to %u", cmd->cell, cmd->plan,
		       pf.o.repeat);
		ret = PB_EXIT_USAGE;
	}
	if (!ret)
		ret = run_cell(&pf, cmd);
	mx_planfile_free(&pf);
	return ret;
}
