// SPDX-License-Identifier: GPL-2.0
/* peelbench history {add|list|show|export|check}: the CLI over history.c
 * and history_check.c.  Options may come anywhere on the line (GNU getopt
 * permutes). */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "history.h"
#include "opts.h"
#include "peelbench.h"
#include "result.h"
#include "stats.h"

struct history_opts {
	const char *db;
	const char *kernel;
	double alpha, threshold;
	unsigned long long permutations, seed;
};

static bool parse_seed(const char *val, void *field)
{
	return pb_parse_u64(val, 0, ~0ULL, field);
}

/* The short letters work but were never in the help. */
#define O(field) PB_OPT_OFF(struct history_opts, field)
static const struct pb_opt history_opts[] = {
	PB_OPT(PB_OPT_STRING, 'd', "db", O(db), "FILE|URI",
	  "an SQLite file, or PostgreSQL: a postgresql://\nURI or libpq conninfo (default $PEELBENCH_DB,\n"
	  "$PEELBENCH_HISTORY or results/history.db)", .key_hidden = true),
	PB_OPT(PB_OPT_STRING, 'k', "kernel", O(kernel), "K",
	  "show/export/check: only results of kernel K", .key_hidden = true),
	PB_OPT(PB_OPT_DOUBLE, 'a', "alpha", O(alpha), "A",
	  "check: permutation-test level (default 0.01)", .key_hidden = true,
	  .min = 0, .max = 1, .open_min = true, .bad = "bad --alpha '%s': a number in (0, 1]"),
	PB_OPT(PB_OPT_DOUBLE, 't', "threshold", O(threshold), "PCT",
	  "check: smallest change reported, % (default 5)", .key_hidden = true,
	  .min = 0, .max = 1e6, .bad = "bad --threshold '%s': a percentage >= 0"),
	PB_OPT(PB_OPT_U64, 'p', "permutations", O(permutations), "N",
	  "check: permutations per test (default 199)", .key_hidden = true,
	  .min = 1, .max = 100000, .bad = "bad --permutations '%s': 1 to 100000"),
	PB_OPT(PB_OPT_CUSTOM, 's', "seed", O(seed), "N",
	  "check: PRNG seed of the permutations (default 1)", .key_hidden = true,
	  .parse = parse_seed, .bad = "bad --seed '%s'"),
	PB_OPT_TABLE_END,
};
#undef O

static const struct pb_cmd_spec history_spec = {
	.name = "history",
	.head = "usage: peelbench history [--db FILE|URI] COMMAND [ARGS...]\n\n"
		"  add RESULT...          store results (one transaction: all or none)\n"
		"  list                   every stored result, oldest first\n"
		"  show METRIC            one metric over time\n"
		"  export [METRIC...]     CSV for Apache Otava: time, attributes, metrics\n"
		"  check METRIC           E-divisive change points per series (machine,\n"
		"                         kernel, config); exit 1 when a series' newest\n"
		"                         change point is a regression\n\n",
	.tail = "\nexit: 0 fine, 1 newest change point is a regression, 2 bad input or a\n"
		"locked, corrupt or foreign database, wrong credentials, another schema\n"
		"version, 4 a failing disk or an unreachable server\n",
	.opts = history_opts,
	.help_col = 25,
	.max_args = ~0u,
	.missing_is_unknown = true,
};

static int do_add(void *cfg, int argc, char **argv)
{
	struct history_opts *o = cfg;
	struct pb_result **rs = calloc(argc, sizeof(*rs));
	struct pb_history *h = NULL;
	size_t added = 0, skipped = 0;
	int i, ret = 0;

	if (!rs) {
		pb_err("history add: out of memory");
		return PB_EXIT_RUNTIME;
	}
	/* Every file is read and validated before the database is touched. */
	for (i = 0; i < argc; i++)
		if ((ret = pb_result_load(argv[i], &rs[i])))
			goto out;
	if ((ret = pb_history_open(o->db, true, &h)) ||
	    (ret = pb_history_add(h, rs, argc, &added, &skipped)))
		goto out;
	printf("added %zu result%s to %s", added, added == 1 ? "" : "s",
	       pb_history_name(h));
	if (skipped)
		printf(" (%zu already stored)", skipped);
	printf("\n");
out:
	for (i = 0; i < argc; i++)
		pb_result_free(rs[i]);
	free(rs);
	pb_history_close(h);
	return ret;
}

/* A machine in a table: its label, "-" when unknown (written before
 * env.machine existed). */
static const char *machine_name(const char *id, const char *label)
{
	return !*id ? "-" : *label ? label : id;
}

static int print_row(const struct pb_history_row *r, void *ctx)
{
	int *n = ctx;

	if (!(*n)++)
		printf("%5s  %-20s  %-22s %-5s %-12s %7s  %s\n", "id", "created",
		       "kernel", "accel", "machine", "metrics", "file");
	printf("%5lld  %-20s  %-22s %-5s %-12s %7d  %s%s\n", r->id, r->created,
	       r->kernel, r->accel, machine_name(r->machine, r->machine_label),
	       r->nmetrics, r->path, r->complete ? "" : "  (incomplete)");
	return 0;
}

static int do_list(void *cfg, int argc, char **argv)
{
	struct history_opts *o = cfg;
	struct pb_history *h;
	int ret, n = 0;

	if ((ret = pb_history_open(o->db, false, &h)))
		return ret;
	ret = pb_history_results(h, print_row, &n);
	if (!ret)
		printf("%d result%s in %s\n", n, n == 1 ? "" : "s", pb_history_name(h));
	pb_history_close(h);
	return ret;
}

/* The series, or an error when no result has the metric. */
static int load_series(struct history_opts *o, const char *metric,
		       struct pb_history_point **pts, size_t *n)
{
	int ret = pb_history_load_series(o->db, metric, o->kernel, pts, n);
	char name[512];

	if (!ret && !*n) {
		pb_history_display(o->db, name, sizeof(name));
		pb_err("history: no result in %s has metric '%s'%s%s", name, metric,
		       o->kernel ? " on kernel " : "", o->kernel ? o->kernel : "");
		free(*pts);
		*pts = NULL;
		ret = PB_EXIT_USAGE;
	}
	return ret;
}

static int do_show(void *cfg, int argc, char **argv)
{
	struct pb_history_point *p;
	size_t n, i;
	int ret;

	if ((ret = load_series(cfg, argv[0], &p, &n)))
		return ret;
	printf("%s\n%5s  %-20s  %-22s %-12s %14s\n", argv[0], "id", "created",
	       "kernel", "machine", "value");
	for (i = 0; i < n; i++)
		printf("%5lld  %-20s  %-22s %-12s %14.1f\n", p[i].id, p[i].created,
		       p[i].kernel, machine_name(p[i].machine, p[i].machine_label),
		       p[i].value);
	free(p);
	return 0;
}

static int do_export(void *cfg, int argc, char **argv)
{
	struct history_opts *o = cfg;
	struct pb_history *h;
	int ret;

	if ((ret = pb_history_open(o->db, false, &h)))
		return ret;
	if (argc)
		ret = pb_history_export_csv(h, (const char *const *)argv, argc,
					    o->kernel, stdout);
	else
		ret = pb_history_export_all_csv(h, o->kernel, stdout);
	pb_history_close(h);
	return ret;
}

static void print_change_points(const struct pb_history_point *p,
				const struct pb_history_check *c)
{
	static const char *const verdicts[] = {
		[PB_CP_CHANGE] = "change",
		[PB_CP_REGRESSION] = "REGRESSION",
		[PB_CP_IMPROVEMENT] = "improvement",
	};
	char wp[16];
	int i;

	printf("%5s  %-20s %6s %12s %12s %8s %9s %7s  %s\n", "index", "time",
	       "result", "mean before", "mean after", "change", "welch p",
	       "perm p", "verdict");
	for (i = 0; i < c->k; i++) {
		const struct pb_cp *cp = &c->cps[i];
		const struct pb_history_point *at = &p[c->off + cp->index];

		if (cp->welch.p < 0.001)
			snprintf(wp, sizeof(wp), "<0.001");
		else
			snprintf(wp, sizeof(wp), "%.3f", cp->welch.p);
		printf("%5zu  %-20s %6lld %12.1f %12.1f %+7.1f%% %9s %7.3f  %s\n",
		       cp->index + c->off, at->created, at->id, cp->mean_before,
		       cp->mean_after, cp->change_pct, wp, cp->perm_p,
		       verdicts[c->verdict[i]]);
	}
}

struct check_run {
	const struct history_opts *o;
	const char *metric;
	int ret;		/* PB_EXIT_FOUND once a series regressed */
	bool first;
};

/* Change points of one series (machine, kernel, config): never across
 * machines, where the figures move several-fold. */
static int check_series(const struct pb_history_point *p, size_t n, void *ctx)
{
	struct check_run *r = ctx;
	const struct history_opts *o = r->o;
	struct pb_history_check c;
	int err;

	err = pb_history_check(p, n, r->metric, o->alpha, o->permutations, o->seed,
			       o->threshold, &c);
	printf("%s%s on machine %s, kernel %s, config %s\n", r->first ? "" : "\n",
	       r->metric, machine_name(p->machine, p->machine_label),
	       *p->kernel ? p->kernel : "-", p->config);
	r->first = false;
	printf("%zu result%s%s, E-divisive means (alpha %g, %llu permutations), "
	       "threshold %g%%\n", c.n, c.n == 1 ? "" : "s",
	       c.off ? " (the newest)" : "", o->alpha, o->permutations, o->threshold);
	if (err) {
		pb_err("history check: out of memory");
		return PB_EXIT_RUNTIME;
	}
	if (!c.k) {
		printf("no change point\n");
		return 0;
	}
	print_change_points(p, &c);
	if (c.newest_regressed) {
		printf("the newest change point is a regression\n");
		r->ret = PB_EXIT_FOUND;
	}
	return 0;
}

static int do_check(void *cfg, int argc, char **argv)
{
	struct check_run r = { .o = cfg, .metric = argv[0], .first = true };
	struct pb_history_point *p;
	size_t n;
	int ret;

	if ((ret = load_series(cfg, argv[0], &p, &n)))
		return ret;
	ret = pb_history_each_series(p, n, check_series, &r);
	free(p);
	return ret ? ret : r.ret;
}

static const struct pb_subcmd history_subs[] = {
	{ "add",    1, ~0u, "no result files given", do_add },
	{ "list",   0, 0,   "takes no arguments", do_list },
	{ "show",   1, 1,   "needs exactly one METRIC", do_show },
	{ "export", 0, ~0u, "", do_export },
	{ "check",  1, 1,   "needs exactly one METRIC", do_check },
	{ NULL },
};

int cmd_history(int argc, char **argv)
{
	struct history_opts o = {
		.db = pb_history_default_path(), .alpha = 0.01, .threshold = 5,
		.permutations = 199, .seed = 1,
	};
	int first, ret;

	ret = pb_opts_parse(&history_spec, argc, argv, &o, &first);
	if (ret)
		return ret < 0 ? PB_EXIT_OK : ret;
	return pb_opts_dispatch(&history_spec, history_subs, &o, argc - first,
				argv + first);
}
