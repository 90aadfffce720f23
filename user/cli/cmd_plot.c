// SPDX-License-Identifier: GPL-2.0
/* peelbench plot RESULT... [-o DIR] [--history METRIC]: the options; the
 * drawing is plot.c's. */
#include <stdio.h>

#include "commands.h"
#include "history.h"
#include "opts.h"
#include "peelbench.h"
#include "plot.h"

#define O(field) PB_OPT_OFF(struct pb_plot_cfg, field)
static const struct pb_opt plot_opts[] = {
	PB_OPT(PB_OPT_STRING, 'o', "output", O(outdir), "DIR", "output folder"),
	PB_OPT(PB_OPT_STRING, 0, "history", O(history), "METRIC",
	  "draw METRIC's history from the database"),
	PB_OPT(PB_OPT_STRING, 0, "db", O(db), "FILE|URI",
	  "history database: a file or PostgreSQL (default\n$PEELBENCH_DB, $PEELBENCH_HISTORY or\nresults/history.db)"),
	PB_OPT(PB_OPT_STRING, 0, "kernel", O(kernel), "K", "history of kernel K only"),
	PB_OPT(PB_OPT_DOUBLE, 0, "alpha", O(alpha), "A",
	  "change points' permutation-test level (default\n"
	  "0.01, as 'history check'; a short series cannot\n"
	  "reach it: 3 points after 6 give p >= 1/84)",
	  .min = 0, .max = 1, .open_min = true, .bad = "bad --alpha '%s': a number in (0, 1]"),
	PB_OPT_TABLE_END,
};
#undef O

static const struct pb_cmd_spec plot_spec = {
	.name = "plot",
	.head = "usage: peelbench plot [RESULT...] [-o DIR] [--history METRIC [--db FILE]]\n\n"
		"Draws, as PNG and SVG in DIR (default results/plots), with the tables\n"
		"they come from in DIR/data:\n"
		"  TAG-phase-hist     per-phase latency histogram, log time axis\n"
		"  TAG-phase-cdf      per-phase latency CDF, log time axis\n"
		"  TAG-migrate-vs-rq  sctp_sock_migrate time vs the parent's receive\n"
		"                     queue length, with the fitted line and its slope\n"
		"  sweep              peeloff throughput and p99 vs config.assocs\n"
		"                     (results with at least 2 association counts)\n"
		"  phases             phase p50 with 95% CI per result (2+ results)\n"
		"  history-METRIC     METRIC over time with its change points\n\n",
	.opts = plot_opts,
	.help_col = 21,
	.max_args = ~0u,
	.missing_is_unknown = true,
};

int cmd_plot(int argc, char **argv)
{
	struct pb_plot_cfg cfg = {
		.outdir = "results/plots", .db = pb_history_default_path(),
		.alpha = 0.01,	/* as `history check` */
	};
	int first, ret;

	ret = pb_opts_parse(&plot_spec, argc, argv, &cfg, &first);
	if (ret)
		return ret < 0 ? PB_EXIT_OK : ret;
	return pb_plot(&cfg, (const char *const *)argv + first, (size_t)(argc - first));
}
