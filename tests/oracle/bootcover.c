// SPDX-License-Identifier: GPL-2.0
/* Coverage of compare's bootstrap CI above PB_BOOT_DIRECT_MIN: the direct
 * draws (stats_boot.c) against full resampling, on samples whose true
 * change is known.  Base: 1000 ns x lognormal(0, 0.25), 1% of the values
 * 4x slower; new: the same distribution times 1.02, so every statistic
 * (median, p99, mean) changed by exactly +2%.  For each statistic and
 * method: how often the 95% CI holds +2% over TRIALS pairs of samples of
 * N values, and the CI's mean width.  Usage: bootcover N TRIALS [full]
 * (full: also the full resampling, 2000 N draws a side per CI). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "stats.h"

static void draw(struct pb_rng *r, double *v, size_t n, double f)
{
	for (size_t i = 0; i < n; i++)
		v[i] = round(f * 1000 * exp(0.25 * pb_rng_normal(r)) *
			     (pb_rng_uniform(r) < 0.01 ? 4 : 1));
}

int main(int argc, char **argv)
{
	static const enum pb_stat stats[] = { PB_STAT_MEDIAN, PB_STAT_P99, PB_STAT_MEAN };
	static const char *const names[] = { "median", "p99", "mean" };
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 50000;
	unsigned trials = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 200;
	int methods = argc > 3 && !strcmp(argv[3], "full") ? 2 : 1;
	double *b = malloc(n * sizeof(*b)), *nw = malloc(n * sizeof(*nw));
	unsigned hit[3][2] = { { 0 } };
	double width[3][2] = { { 0 } };
	struct pb_rng r;

	if (!b || !nw)
		return 1;
	pb_rng_seed(&r, 15);
	for (unsigned t = 0; t < trials; t++) {
		draw(&r, b, n, 1.0);
		draw(&r, nw, n, 1.02);
		for (int s = 0; s < 3; s++)
			for (int m = 0; m < methods; m++) {
				struct pb_ci ci;
				int bad = (m ? pb_bootstrap_change_full : pb_bootstrap_change_direct)(
					b, n, nw, n, stats[s], 2000, 0.95, t * 7 + s, &ci);

				if (bad)
					return 1;
				hit[s][m] += ci.lo <= 2.0 && 2.0 <= ci.hi;
				width[s][m] += ci.hi - ci.lo;
			}
	}
	printf("n=%zu trials=%u, nominal 95%%, true change +2%%\n", n, trials);
	printf("%-7s %-7s %9s %11s\n", "stat", "method", "coverage", "mean width");
	for (int s = 0; s < 3; s++)
		for (int m = 0; m < methods; m++)
			printf("%-7s %-7s %8.1f%% %10.2f%%\n", names[s], m ? "full" : "direct",
			       100.0 * hit[s][m] / trials, width[s][m] / trials);
	free(b);
	free(nw);
	return 0;
}
