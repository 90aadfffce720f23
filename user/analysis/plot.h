/* SPDX-License-Identifier: GPL-2.0 */
/* The plot engine: the tables of export.h written into OUTDIR/data, and
 * gnuplot drawing plots/NAME.gp from them, each figure as PNG and SVG in
 * OUTDIR.  gnuplot is $PEELBENCH_GNUPLOT or the one on PATH; plots/ is
 * $PEELBENCH_PLOTS, else beside the binary, else ./plots. */
#ifndef PEELBENCH_PLOT_H
#define PEELBENCH_PLOT_H

#include <stddef.h>

struct pb_plot_cfg {
	const char *outdir;	/* figures; the tables in OUTDIR/data */
	const char *history;	/* a metric whose history to draw, or NULL */
	const char *db;		/* the history database */
	const char *kernel;	/* history of this kernel only, or NULL */
	double alpha;		/* change points' permutation-test level */
};

/* Every figure the result files (and cfg->history) give, one line per
 * figure and a summary on stdout.  Returns 0, or an exit code after one
 * line ("plot: ..."). */
int pb_plot(const struct pb_plot_cfg *cfg, const char *const *files, size_t nfiles);

#endif
