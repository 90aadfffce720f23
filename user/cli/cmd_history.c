// SPDX-License-Identifier: GPL-2.0
/* peelbench history {add|list|show|export|check}: the CLI over history.c.
 * Options may come anywhere on the line (GNU getopt permutes). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "history.h"
#include "peelbench.h"
#include "result.h"
#include "stats.h"

/* E-divisive is O(n^2) in memory: look at the newest runs only. */
#define CHECK_MAX_POINTS 1000
#define MAX_CHANGE_POINTS 64

struct history_opts {
	const char *db;
	const char *kernel;
	double alpha, threshold;
	unsigned long long permutations, seed;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: peelbench history [--db FILE] COMMAND [ARGS...]\n\n"
		"  add RESULT...          store results (one transaction: all or none)\n"
		"  list                   every stored result, oldest first\n"
		"  show METRIC            one metric over time\n"
		"  export [METRIC...]     CSV for Apache Otava: time, attributes, metrics\n"
		"  check METRIC           E-divisive change points; exit 1 when the newest\n"
		"                         change point is a regression\n\n"
		"  --db FILE              database (default $PEELBENCH_HISTORY or\n"
		"                         results/history.db)\n"
		"  --kernel K             show/export/check: only results of kernel K\n"
		"  --alpha A              check: permutation-test level (default 0.01)\n"
		"  --threshold PCT        check: smallest change reported, %% (default 5)\n"
		"  --permutations N       check: permutations per test (default 199)\n"
		"  --seed N               check: PRNG seed of the permutations (default 1)\n\n"
		"exit: 0 fine, 1 newest change point is a regression, 2 bad input or a\n"
		"locked, corrupt or foreign database\n");
}

static int do_add(struct history_opts *o, int argc, char **argv)
{
	struct pb_result **rs = calloc(argc ? argc : 1, sizeof(*rs));
	struct pb_history *h = NULL;
	size_t added = 0, skipped = 0;
	int i, ret = 0;

	if (!rs) {
		pb_err("history add: out of memory");
		return PB_EXIT_RUNTIME;
	}
	if (!argc) {
		pb_err("history add: no result files given");
		ret = PB_EXIT_USAGE;
		goto out;
	}
	/* Every file is read and validated before the database is touched. */
	for (i = 0; i < argc; i++)
		if ((ret = pb_result_load(argv[i], &rs[i])))
			goto out;
	if ((ret = pb_history_open(o->db, true, &h)) ||
	    (ret = pb_history_add(h, rs, argc, &added, &skipped)))
		goto out;
	printf("added %zu result%s to %s", added, added == 1 ? "" : "s", o->db);
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

static int print_row(const struct pb_history_row *r, void *ctx)
{
	int *n = ctx;

	if (!(*n)++)
		printf("%5s  %-20s  %-22s %-5s %7s  %s\n", "id", "created",
		       "kernel", "accel", "metrics", "file");
	printf("%5lld  %-20s  %-22s %-5s %7d  %s%s\n", r->id, r->created,
	       r->kernel, r->accel, r->nmetrics, r->path,
	       r->complete ? "" : "  (incomplete)");
	return 0;
}

static int do_list(struct history_opts *o)
{
	struct pb_history *h;
	int ret, n = 0;

	if ((ret = pb_history_open(o->db, false, &h)))
		return ret;
	ret = pb_history_results(h, print_row, &n);
	if (!ret)
		printf("%d result%s in %s\n", n, n == 1 ? "" : "s", o->db);
	pb_history_close(h);
	return ret;
}

static int load_series(struct history_opts *o, const char *metric,
		       struct pb_history_point **pts, size_t *n)
{
	struct pb_history *h;
	int ret;

	if ((ret = pb_history_open(o->db, false, &h)))
		return ret;
	ret = pb_history_series(h, metric, o->kernel, pts, n);
	pb_history_close(h);
	if (!ret && !*n) {
		pb_err("history: no result in %s has metric '%s'%s%s", o->db, metric,
		       o->kernel ? " on kernel " : "", o->kernel ? o->kernel : "");
		free(*pts);
		*pts = NULL;
		ret = PB_EXIT_USAGE;
	}
	return ret;
}

static int do_show(struct history_opts *o, const char *metric)
{
	struct pb_history_point *p;
	size_t n, i;
	int ret;

	if ((ret = load_series(o, metric, &p, &n)))
		return ret;
	printf("%s\n%5s  %-20s  %-22s %14s\n", metric, "id", "created", "kernel",
	       "value");
	for (i = 0; i < n; i++)
		printf("%5lld  %-20s  %-22s %14.1f\n", p[i].id, p[i].created,
		       p[i].kernel, p[i].value);
	free(p);
	return 0;
}

static int do_export(struct history_opts *o, int argc, char **argv)
{
	struct pb_history *h;
	char **names = NULL;
	int ret;

	if ((ret = pb_history_open(o->db, false, &h)))
		return ret;
	if (argc) {
		ret = pb_history_export_csv(h, (const char *const *)argv, argc,
					    o->kernel, stdout);
	} else if (!(ret = pb_history_metric_names(h, &names))) {
		size_t n = 0;

		while (names[n])
			n++;
		ret = pb_history_export_csv(h, (const char *const *)names, n,
					    o->kernel, stdout);
	}
	pb_history_free_names(names);
	pb_history_close(h);
	return ret;
}

static int do_check(struct history_opts *o, const char *metric)
{
	struct pb_cp cps[MAX_CHANGE_POINTS];
	struct pb_history_point *all, *p;
	int ret, k, i, dir = pb_metric_direction(metric);
	size_t n, off = 0;
	bool newest_regressed = false;

	if ((ret = load_series(o, metric, &all, &n)))
		return ret;
	if (n > CHECK_MAX_POINTS)
		off = n - CHECK_MAX_POINTS;
	p = all + off;
	n -= off;
	printf("%s: %zu result%s%s, E-divisive means (alpha %g, %llu permutations), "
	       "threshold %g%%\n", metric, n, n == 1 ? "" : "s",
	       off ? " (the newest)" : "", o->alpha, o->permutations, o->threshold);
	k = pb_history_change_points(p, n, o->alpha, o->permutations, o->seed,
				  o->threshold, cps, MAX_CHANGE_POINTS);
	if (k < 0) {
		pb_err("history check: out of memory");
		free(all);
		return PB_EXIT_RUNTIME;
	}
	if (!k) {
		printf("no change point\n");
		free(all);
		return PB_EXIT_OK;
	}
	printf("%5s  %-20s %6s %12s %12s %8s %9s %7s  %s\n", "index", "time",
	       "result", "mean before", "mean after", "change", "welch p",
	       "perm p", "verdict");
	for (i = 0; i < k; i++) {
		const struct pb_cp *c = &cps[i];
		bool worse = dir && ((dir < 0) == (c->change_pct > 0));
		char wp[16];

		if (c->welch.p < 0.001)
			snprintf(wp, sizeof(wp), "<0.001");
		else
			snprintf(wp, sizeof(wp), "%.3f", c->welch.p);
		printf("%5zu  %-20s %6lld %12.1f %12.1f %+7.1f%% %9s %7.3f  %s\n",
		       c->index + off, p[c->index].created, p[c->index].id,
		       c->mean_before, c->mean_after, c->change_pct, wp, c->perm_p,
		       !dir ? "change" : worse ? "REGRESSION" : "improvement");
		if (i == k - 1)
			newest_regressed = worse;
	}
	free(all);
	if (newest_regressed) {
		printf("the newest change point is a regression\n");
		return PB_EXIT_FOUND;
	}
	return PB_EXIT_OK;
}

int cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db",           required_argument, NULL, 'd' },
		{ "kernel",       required_argument, NULL, 'k' },
		{ "alpha",        required_argument, NULL, 'a' },
		{ "threshold",    required_argument, NULL, 't' },
		{ "permutations", required_argument, NULL, 'p' },
		{ "seed",         required_argument, NULL, 's' },
		{ "help",         no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct history_opts o = {
		.db = pb_history_default_path(), .alpha = 0.01, .threshold = 5,
		.permutations = 199, .seed = 1,
	};
	const char *sub;
	int opt, nargs;
	char **args;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "d:k:a:t:p:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			o.db = optarg;
			break;
		case 'k':
			o.kernel = optarg;
			break;
		case 'a':
			if (!pb_parse_double(optarg, 0, 1, &o.alpha) || o.alpha <= 0) {
				pb_err("history: bad --alpha '%s': a number in (0, 1]", optarg);
				return PB_EXIT_USAGE;
			}
			break;
		case 't':
			if (!pb_parse_double(optarg, 0, 1e6, &o.threshold)) {
				pb_err("history: bad --threshold '%s': a percentage >= 0", optarg);
				return PB_EXIT_USAGE;
			}
			break;
		case 'p':
			if (!pb_parse_u64(optarg, 1, 100000, &o.permutations)) {
				pb_err("history: bad --permutations '%s': 1 to 100000", optarg);
				return PB_EXIT_USAGE;
			}
			break;
		case 's':
			if (!pb_parse_u64(optarg, 0, ~0ULL, &o.seed)) {
				pb_err("history: bad --seed '%s'", optarg);
				return PB_EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return PB_EXIT_OK;
		default:
			pb_err("history: unknown option '%s'; see 'peelbench history --help'",
			       argv[optind - 1]);
			return PB_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		pb_err("history: no command; see 'peelbench history --help'");
		return PB_EXIT_USAGE;
	}
	sub = argv[optind];
	args = argv + optind + 1;
	nargs = argc - optind - 1;
	if (!strcmp(sub, "add"))
		return do_add(&o, nargs, args);
	if (!strcmp(sub, "export"))
		return do_export(&o, nargs, args);
	if (!strcmp(sub, "list")) {
		if (nargs) {
			pb_err("history list: takes no arguments");
			return PB_EXIT_USAGE;
		}
		return do_list(&o);
	}
	if (!strcmp(sub, "show") || !strcmp(sub, "check")) {
		if (nargs != 1) {
			pb_err("history %s: needs exactly one METRIC", sub);
			return PB_EXIT_USAGE;
		}
		return sub[0] == 's' ? do_show(&o, args[0]) : do_check(&o, args[0]);
	}
	pb_err("history: unknown command '%s'; see 'peelbench history --help'", sub);
	return PB_EXIT_USAGE;
}
