// SPDX-License-Identifier: GPL-2.0
/* `peelbench bisect`: one step measured as `matrix` measures (bisect.h).
 * A step runs `peelbench matrix --kernels GOOD,CAND` with the bisect's
 * run options (interleaved rounds, one guest per kernel per round, every
 * run in the history), then judges METRIC per cell as `compare` judges a
 * metric of two results: on the per-call samples of all repeats pooled
 * when there are samples, else on the repeats' values.  The step is bad
 * when some cell regressed (or, for a metric with no direction, changed). */
#include <glob.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect_run.h"
#include "history.h"
#include "matrix_run.h"
#include "peelbench.h"
#include "result.h"

/* What one side of a cell gives METRIC: the value of each repeat, and
 * the raw samples of all repeats pooled, when every repeat has them. */
struct side {
	size_t files, n, ns, with_samples;
	double *v, *samples;
};

static void side_add_samples(struct side *sd, const struct pb_result *r, const char *metric)
{
	const char *key;
	double *x = NULL, *grown;
	size_t k = pb_result_metric_samples(r, metric, &x, &key);

	grown = k ? realloc(sd->samples, (sd->ns + k) * sizeof(*grown)) : NULL;
	if (grown) {
		memcpy(grown + sd->ns, x, k * sizeof(*x));
		sd->samples = grown;
		sd->ns += k;
		sd->with_samples++;
	}
	free(x);
}

/* Every result DIR/KERNEL/CELL-r*.json into sd. */
static void cell_side(const char *dir, const char *kernel, const char *cell,
		      const char *metric, struct side *sd)
{
	char pat[PATH_MAX];
	struct pb_result *r;
	size_t i;
	glob_t g;

	memset(sd, 0, sizeof(*sd));
	mx_strf(pat, sizeof(pat), "%s/%s/%s-r*.json", dir, kernel, cell);
	if (glob(pat, 0, NULL, &g))
		return;
	sd->v = calloc(g.gl_pathc, sizeof(*sd->v));
	for (i = 0; sd->v && i < g.gl_pathc; i++) {
		if (pb_result_load_ex(g.gl_pathv[i], PB_LOAD_COMPACT, &r))
			continue;
		sd->files++;
		if (pb_result_metric(r, metric, &sd->v[sd->n])) {
			sd->n++;
			side_add_samples(sd, r, metric);
		}
		pb_result_free(r);
	}
	globfree(&g);
}

/* compare's test: on the pooled samples when every repeat of both sides
 * has them (as compare does on two results), else on the repeats. */
static void test_cell(const struct bs_runner *br, struct side *b, struct side *n,
		      struct pb_metric_cmp *m)
{
	m->base = pb_median(b->v, b->n);
	m->new = pb_median(n->v, n->n);
	m->change = m->base != 0 ? 100.0 * (m->new / m->base - 1) : NAN;
	if (b->with_samples == b->n && n->with_samples == n->n && b->ns >= 2 && n->ns >= 2)
		pb_metric_test(m, b->samples, b->ns, n->samples, n->ns,
			       pb_metric_stat(br->metric), br->threshold, br->alpha);
	else
		pb_metric_test(m, b->v, b->n, n->v, n->n, PB_STAT_MEDIAN, br->threshold,
			       br->alpha);
}

/* The judgement of one cell into s; true when it is bad. */
static bool judge_cell(const struct bs_runner *br, const char *good, const char *cand,
		       const char *cell, struct bs_step *s)
{
	struct side b, n;
	struct pb_metric_cmp m = { .name = br->metric };

	cell_side(s->dir, good, cell, br->metric, &b);
	cell_side(s->dir, cand, cell, br->metric, &n);
	if (!b.files || !n.files) {
		s->verdict = BS_FAILED;
		mx_strf(s->why, sizeof(s->why), "no result of %s in cell %s (see %s.log)",
			b.files ? cand : good, cell, s->dir);
	} else if (!b.n || !n.n) {
		s->verdict = BS_MISSING;
		mx_strf(s->why, sizeof(s->why), "%s is missing in %s's results", br->metric,
			b.n ? cand : good);
	} else {
		test_cell(br, &b, &n, &m);
		s->m = m;
		s->verdict = m.verdict == PB_V_REGRESSION || m.verdict == PB_V_CHANGED ?
			     BS_BAD : BS_GOOD;
		s->why[0] = '\0';
	}
	mx_strf(s->cell, sizeof(s->cell), "%s", cell);
	free(b.v);
	free(b.samples);
	free(n.v);
	free(n.samples);
	return s->verdict == BS_BAD;
}

/* The cells of a step: CELL of every DIR/KERNEL/CELL-rN.json. */
static size_t step_cells(const char *dir, const char *kernel, char cells[][160], size_t max)
{
	char pat[PATH_MAX];
	size_t i, j, n = 0;
	glob_t g;

	mx_strf(pat, sizeof(pat), "%s/%s/*-r*.json", dir, kernel);
	if (glob(pat, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc && n < max; i++) {
		char *b = strrchr(g.gl_pathv[i], '/') + 1, *r = strrchr(b, '-');

		*r = '\0';
		for (j = 0; j < n && strcmp(cells[j], b); j++)
			;
		if (j == n)
			mx_strf(cells[n++], 160, "%s", b);
	}
	globfree(&g);
	return n;
}

/* The step's matrix: SIGINT or SIGTERM to the bisect reaches it as
 * SIGINT (it stops after the running batch, keeps what it has). */
static volatile pid_t running;

static void forward(int sig)
{
	(void)sig;
	if (running > 0)
		kill(running, SIGINT);
}

/* Run argv with its output into log; SIGINT and SIGTERM to the bisect
 * reach it as SIGINT.  Its exit code. */
static int spawn_forwarded(char **argv, const char *log)
{
	struct sigaction sa = { .sa_handler = forward }, old_int, old_term;
	int code;

	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	running = mx_spawn_logged(argv, log);
	code = running < 0 ? PB_EXIT_RUNTIME : mx_wait_child(running);
	running = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return code;
}

static int spawn_matrix(struct bs_runner *br, const char *good, const char *cand,
			struct bs_step *s)
{
	char bin[PATH_MAX], kernels[256], log[PATH_MAX];
	char **argv = calloc(br->nargs + 12, sizeof(*argv));
	size_t n = 0, i;
	int code;

	if (!argv)
		return PB_EXIT_RUNTIME;
	mx_run_binary(bin, sizeof(bin));
	mx_strf(kernels, sizeof(kernels), "%s,%s", good, cand);
	mx_strf(s->dir, sizeof(s->dir), "%s/step-%u-%s", br->dir, ++br->nsteps, cand);
	mx_strf(log, sizeof(log), "%s.log", s->dir);
	argv[n++] = bin;
	argv[n++] = "matrix";
	argv[n++] = "--kernels";
	argv[n++] = kernels;
	argv[n++] = "-o";
	argv[n++] = s->dir;
	argv[n++] = "--no-plot";
	for (i = 0; i < br->nargs; i++)
		argv[n++] = (char *)br->args[i];
	code = spawn_forwarded(argv, log);
	free(argv);
	return code;
}

int bs_matrix_measure(void *ctx, const char *good, const char *cand, struct bs_step *s)
{
	struct bs_runner *br = ctx;
	char cells[64][160], line[200], log[PATH_MAX];
	struct bs_step worst;
	size_t i, n;
	int code = spawn_matrix(br, good, cand, s);

	if (code == PB_EXIT_INTR)
		return code;
	n = step_cells(s->dir, good, cells, 64);
	if (!n) {
		mx_strf(log, sizeof(log), "%s.log", s->dir);
		mx_last_line(log, line, sizeof(line));
		s->verdict = BS_FAILED;
		mx_strf(s->why, sizeof(s->why), "matrix exit %d: %s", code, line);
		return 0;
	}
	/* bad when some cell is; else the first cell's verdict */
	for (i = 0; i < n; i++) {
		worst = *s;
		if (judge_cell(br, good, cand, cells[i], &worst) || !i)
			*s = worst;
		if (s->verdict == BS_BAD)
			break;
	}
	return 0;
}

/* ---- "check.CASE": `peelbench --vm K check` per repeat ---- */

/* One `peelbench --vm K [VM OPTIONS] check --json -o DIR/K/check-rN.json`;
 * its exit code (0 and 1 leave a result). */
static int run_check(struct bs_runner *br, const char *dir, const char *k, unsigned r)
{
	char bin[PATH_MAX], out[PATH_MAX], log[PATH_MAX];
	char **argv = calloc(br->nargs + 10, sizeof(*argv));
	size_t n = 0, i;
	int code;

	if (!argv)
		return PB_EXIT_RUNTIME;
	mx_run_binary(bin, sizeof(bin));
	mx_strf(out, sizeof(out), "%s/%s/check-r%u.json", dir, k, r);
	mx_strf(log, sizeof(log), "%s/%s/check-r%u.log", dir, k, r);
	argv[n++] = bin;
	argv[n++] = "--vm";
	argv[n++] = (char *)k;
	for (i = 0; i < br->nargs; i++)
		argv[n++] = (char *)br->args[i];
	argv[n++] = "check";
	argv[n++] = "--json";
	argv[n++] = "-o";
	argv[n++] = out;
	code = spawn_forwarded(argv, log);
	free(argv);
	return code;
}

/* The results of kernel k's repeats: their case verdicts into v (strings
 * owned by rs), into the history; returns how many loaded. */
static size_t load_side(struct bs_runner *br, struct pb_history *h, const char *dir,
			const char *k, struct pb_result **rs, const char **v)
{
	const char *name = br->metric + strlen(BS_CHECK_PREFIX);
	char path[PATH_MAX];
	size_t n = 0, added, skipped;
	unsigned r;

	for (r = 1; r <= br->repeat; r++) {
		mx_strf(path, sizeof(path), "%s/%s/check-r%u.json", dir, k, r);
		if (pb_result_load(path, &rs[n]))
			continue;
		v[n] = mx_check_verdict(rs[n]->check, name);
		n++;
	}
	if (h && n && pb_history_add(h, rs, n, &added, &skipped))
		pb_err("bisect: the history could not store %s's check results", k);
	return n;
}

int bs_check_measure(void *ctx, const char *good, const char *cand, struct bs_step *s)
{
	struct bs_runner *br = ctx;
	const char *ks[2] = { good, cand }, *vg[BS_MAX_REPEAT], *vc[BS_MAX_REPEAT];
	struct pb_result *rg[BS_MAX_REPEAT], *rc[BS_MAX_REPEAT];
	struct pb_history *h = NULL;
	char sub[PATH_MAX + 32];
	size_t ng, nc, i;
	unsigned r;
	int code = 0;

	mx_strf(s->dir, sizeof(s->dir), "%s/step-%u-%s", br->dir, ++br->nsteps, cand);
	for (i = 0; i < 2; i++) {
		mx_strf(sub, sizeof(sub), "%s/%s", s->dir, ks[i]);
		if (mx_mkdir_p(sub)) {
			pb_err("bisect: cannot create %s", sub);
			return PB_EXIT_RUNTIME;
		}
	}
	/* interleaved: good first in odd repeats, the candidate in even ones */
	for (r = 1; r <= br->repeat && code != PB_EXIT_INTR; r++)
		for (i = 0; i < 2 && code != PB_EXIT_INTR; i++)
			code = run_check(br, s->dir, ks[(i + r + 1) % 2], r);
	if (code == PB_EXIT_INTR || code == 128 + SIGTERM)
		return PB_EXIT_INTR;
	if (!br->no_history &&
	    pb_history_open(br->db ? br->db : pb_history_default_path(), true, &h))
		h = NULL;
	ng = load_side(br, h, s->dir, good, rg, vg);
	nc = load_side(br, h, s->dir, cand, rc, vc);
	bs_judge_check(vg, ng, vc, nc, good, s);
	if (s->verdict == BS_FAILED && (!ng || !nc)) {
		mx_strf(sub, sizeof(sub), "%s/%s/check-r1.log", s->dir, ng ? cand : good);
		mx_last_line(sub, s->why + strlen(s->why), sizeof(s->why) - strlen(s->why));
	}
	mx_strf(s->cell, sizeof(s->cell), "%s", "check");
	for (i = 0; i < ng; i++)
		pb_result_free(rg[i]);
	for (i = 0; i < nc; i++)
		pb_result_free(rc[i]);
	if (h)
		pb_history_close(h);
	return 0;
}
