// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the history store's read path (user/analysis/
 * history*.c on SQLite): any byte string, written to a file, either opens
 * as a history whose results, metric names, series, CSV export and change
 * points are then safe to read, or is refused with one line.  The seeds
 * (fuzz/corpus/history) are small real databases: libFuzzer's mutations
 * of their pages reach SQLite's own checks and the schema checks. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "history.h"

static int count_row(const struct pb_history_row *row, void *ctx)
{
	(*(size_t *)ctx) += row->nmetrics >= 0;
	return 0;
}

static void read_all(struct pb_history *h, FILE *sink)
{
	struct pb_history_check chk;
	struct pb_history_point *p;
	char **names;
	size_t rows = 0, n;

	pb_history_results(h, count_row, &rows);
	pb_history_export_all_csv(h, NULL, sink);
	if (pb_history_metric_names(h, &names))
		return;
	for (size_t i = 0; names[i] && i < 8; i++) {
		if (pb_history_series(h, names[i], NULL, &p, &n))
			continue;
		/* few permutations: the statistics are not under test */
		pb_history_check(p, n, names[i], 0.05, 9, 1, 0, &chk);
		free(p);
	}
	pb_history_free_names(names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct pb_history *h;
	FILE *f, *sink;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/pb-fuzz-history.%d.db", (int)getpid());
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	sink = fopen("/dev/null", "w");
	if (!pb_history_open(path, false, &h)) {
		read_all(h, sink);
		pb_history_close(h);
	}
	fclose(sink);
	unlink(path);
	return 0;
}
