// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix`: the repeats of every (kernel, cell) pooled into one
 * result file each (DIR/pooled), and the figures `peelbench plot` draws
 * from them (DIR/plots): per cell the kernels side by side, per kernel
 * the association sweep. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "jsonfile.h"
#include "matrix_run.h"
#include "peelbench.h"
#include "result.h"

/* One result file per kernel and cell: metrics are the medians over the
 * repeats, rounds the repeats, so that the plot code's CIs come from the
 * spread between runs (the honest one: runs differ by +-15% between
 * boots under TCG). */
int mx_write_pooled(const struct mx_run *w, size_t k, size_t c, char *path, size_t size)
{
	const struct mx_opts *o = w->o;
	struct json_object *root, *metrics, *rounds, *trace, *probes;
	const struct pb_result *first = NULL;
	unsigned r;
	int ret;

	for (r = 1; r <= o->repeat && !first; r++)
		if (mx_at(&w->m, r, k, c)->state == MX_OK)
			first = mx_at(&w->m, r, k, c)->res;
	if (!first)
		return -1;
	root = json_object_new_object();
	json_object_object_add(root, "schema", json_object_new_string(PB_RESULT_SCHEMA));
	json_object_object_add(root, "complete", json_object_new_boolean(true));
	if (first->env)
		json_object_object_add(root, "env", json_object_get(first->env));
	if (first->config)
		json_object_object_add(root, "config", json_object_get(first->config));
	metrics = json_object_new_object();
	json_object_object_foreach(first->metrics, name, v) {
		struct mx_value mv;

		(void)v;
		mx_value(&w->m, c, k, name, &mv);
		if (mv.n && isfinite(mv.median))
			json_object_object_add(metrics, name, json_object_new_double(mv.median));
		mx_value_free(&mv);
	}
	json_object_object_add(root, "metrics", metrics);
	rounds = json_object_new_array();
	for (r = 1; r <= o->repeat; r++) {
		struct mx_outcome *x = mx_at(&w->m, r, k, c);
		struct json_object *one;

		if (x->state != MX_OK)
			continue;
		one = json_object_new_object();
		json_object_object_add(one, "metrics", json_object_get(x->res->metrics));
		json_object_array_add(rounds, one);
	}
	json_object_object_add(root, "rounds", rounds);
	if (first->trace && json_object_object_get_ex(first->trace, "probes", &probes)) {
		trace = json_object_new_object();
		json_object_object_add(trace, "probes", json_object_get(probes));
		json_object_object_add(root, "trace", trace);
	}
	mx_strf(path, size, "%s/pooled/%s-%s.json", w->dir, o->kernels[k],
		 w->m.plan->cells[c].name);
	ret = pb_write_json_atomic(path, root);
	json_object_put(root);
	return ret ? -1 : 0;
}

/* `peelbench plot -o OUT FILES...`, output into DIR/plots/plot.log. */
static int plot(const struct mx_run *w, const char *out, char **files, size_t n)
{
	char bin[PATH_MAX], log[PATH_MAX];
	char **argv = calloc(n + 5, sizeof(*argv));
	size_t i, j = 0;
	pid_t pid;
	int fd, code;

	if (!argv)
		return PB_EXIT_RUNTIME;
	mx_strf(bin, sizeof(bin), "%s/peelbench", pb.root);
	mx_strf(log, sizeof(log), "%s/plots/%s.log", w->dir, out);
	argv[j++] = bin;
	argv[j++] = "plot";
	argv[j++] = "-o";
	argv[j++] = (char *)out;
	for (i = 0; i < n; i++)
		argv[j++] = files[i];
	fflush(NULL);
	pid = fork();
	if (!pid) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0664);
		if (fd < 0 || chdir(w->dir) || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(PB_EXIT_RUNTIME);
		/* -o is relative to DIR: plots/NAME */
		argv[3] = malloc(strlen(out) + 8);
		if (!argv[3])
			_exit(PB_EXIT_RUNTIME);
		sprintf(argv[3], "plots/%s", out);
		execv(bin, argv);
		_exit(PB_EXIT_ENV);
	}
	code = pid < 0 ? PB_EXIT_RUNTIME : mx_wait_child(pid);
	free(argv);
	return code;
}

static size_t sweep_index(const struct mx_opts *o, const char *key)
{
	size_t s;

	for (s = 0; s < o->nsweeps; s++)
		if (!strcmp(o->sweeps[s].key, key))
			return s;
	return (size_t)-1;
}

static bool same_but(const struct mx_plan *p, size_t a, size_t b, size_t skip)
{
	size_t s;

	for (s = 0; s < p->o->nsweeps; s++)
		if (s != skip && p->cells[a].idx[s] != p->cells[b].idx[s])
			return false;
	return true;
}

void mx_make_plots(const struct mx_run *w)
{
	const struct mx_opts *o = w->o;
	struct mx_plan *p = w->m.plan;
	size_t nk = o->nkernels, nc = p->ncells, k, c, c2, n, i, figs = 0, bad = 0;
	size_t sa = sweep_index(o, "assocs");
	char **paths = calloc(nk * nc, sizeof(*paths)), **files, out[MX_NAME_MAX + 64];

	files = calloc(nk * nc + 1, sizeof(*files));
	if (!paths || !files)
		goto out;
	mx_strf(out, sizeof(out), "%s/plots", w->dir);
	if (mx_mkdir_p(out)) {
		pb_err("matrix: cannot create %s: %s", out, strerror(errno));
		goto out;
	}
	for (k = 0; k < nk; k++)
		for (c = 0; c < nc; c++) {
			paths[k * nc + c] = malloc(PATH_MAX);
			if (paths[k * nc + c] &&
			    mx_write_pooled(w, k, c, paths[k * nc + c], PATH_MAX)) {
				free(paths[k * nc + c]);
				paths[k * nc + c] = NULL;
			}
		}
	/* per cell: the phases of every kernel side by side */
	for (c = 0; c < nc && nk >= 2; c++) {
		for (k = n = 0; k < nk; k++)
			if (paths[k * nc + c])
				files[n++] = paths[k * nc + c];
		if (n < 2)
			continue;
		mx_strf(out, sizeof(out), "kernels-%s", p->cells[c].name);
		if (plot(w, out, files, n))
			bad++;
		else
			figs++;
	}
	/* per kernel and setting of the other sweeps: the association sweep */
	for (k = 0; sa != (size_t)-1 && o->sweeps[sa].n >= 2 && k < nk; k++)
		for (c = 0; c < nc; c++) {
			size_t off;

			if (p->cells[c].idx[sa] != 0)
				continue;
			for (c2 = n = 0; c2 < nc; c2++)
				if (same_but(p, c, c2, sa) && paths[k * nc + c2])
					files[n++] = paths[k * nc + c2];
			if (n < 2)
				continue;
			off = snprintf(out, sizeof(out), "sweep-%s", o->kernels[k]);
			for (i = 0; i < o->nsweeps; i++)
				if (i != sa)
					off += snprintf(out + off, off < sizeof(out) ? sizeof(out) - off : 0,
							"+%s=%s", o->sweeps[i].key,
							o->sweeps[i].values[p->cells[c].idx[i]]);
			if (plot(w, out, files, n))
				bad++;
			else
				figs++;
		}
	if (bad)
		pb_err("matrix: %zu plot%s failed; see %s/plots/*.log", bad,
		       bad == 1 ? "" : "s", w->dir);
	if (figs && !o->json)
		printf("plots: %zu set%s of figures in %s/plots\n", figs,
		       figs == 1 ? "" : "s", w->dir);
out:
	for (i = 0; paths && i < nk * nc; i++)
		free(paths[i]);
	free(paths);
	free(files);
}
