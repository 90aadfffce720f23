// SPDX-License-Identifier: GPL-2.0
/* What the history commands compute over the store, apart from the SQL
 * (history.c) and the printing (cmd_history.c): a series read from a
 * database file, the CSV of every metric, change points judged as
 * regressions or improvements. */
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "peelbench.h"
#include "result.h"
#include "stats.h"

int pb_history_load_series(const char *path, const char *metric,
			   const char *kernel, struct pb_history_point **out,
			   size_t *n)
{
	struct pb_history *h;
	int ret;

	*out = NULL;
	*n = 0;
	if ((ret = pb_history_open(path, false, &h)))
		return ret;
	ret = pb_history_series(h, metric, kernel, out, n);
	pb_history_close(h);
	return ret;
}

int pb_history_export_all_csv(struct pb_history *h, const char *kernel, FILE *f)
{
	char **names = NULL;
	size_t n = 0;
	int ret;

	if ((ret = pb_history_metric_names(h, &names)))
		return ret;
	while (names[n])
		n++;
	ret = pb_history_export_csv(h, (const char *const *)names, n, kernel, f);
	pb_history_free_names(names);
	return ret;
}

int pb_history_check(const struct pb_history_point *p, size_t n, const char *metric,
		     double alpha, unsigned permutations, uint64_t seed,
		     double threshold, struct pb_history_check *out)
{
	int dir = pb_metric_direction(metric), i;

	memset(out, 0, sizeof(*out));
	if (!n)		/* p may be NULL: no points, no change */
		return 0;
	if (n > PB_HISTORY_CHECK_MAX_POINTS)
		out->off = n - PB_HISTORY_CHECK_MAX_POINTS;
	out->n = n - out->off;
	out->k = pb_history_change_points(p + out->off, out->n, alpha, permutations,
					  seed, threshold, out->cps,
					  PB_HISTORY_MAX_CHANGE_POINTS);
	if (out->k < 0) {
		out->k = 0;
		return -1;
	}
	for (i = 0; i < out->k; i++) {
		/* a metric whose name gives no direction only changes */
		bool worse = dir && ((dir < 0) == (out->cps[i].change_pct > 0));

		out->verdict[i] = !dir ? PB_CP_CHANGE :
				  worse ? PB_CP_REGRESSION : PB_CP_IMPROVEMENT;
		out->newest_regressed = worse;
	}
	return 0;
}
