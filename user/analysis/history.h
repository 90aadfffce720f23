/* SPDX-License-Identifier: GPL-2.0 */
/* The history store: results and their flat metrics, in one SQLite file
 * (history.c) or a PostgreSQL database (history_pg.c), the same semantics
 * on both (history_store.h).  Functions print their own one-line error
 * and return an enum pb_exit code: a locked, corrupt or foreign database,
 * wrong credentials or another schema version is PB_EXIT_USAGE (2); a
 * failing disk or an unreachable server PB_EXIT_RUNTIME (4). */
#ifndef PEELBENCH_HISTORY_H
#define PEELBENCH_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stats.h"

struct pb_result;
struct pb_history;

/* The database: $PEELBENCH_DB, else $PEELBENCH_HISTORY, else
 * results/history.db.  A postgresql:// URI or a libpq conninfo
 * ("host=... dbname=...") is PostgreSQL, anything else an SQLite file. */
const char *pb_history_default_path(void);

/* create: make the file (and its folder) when missing, and the schema;
 * otherwise a missing file is an error.  The schema is created or
 * migrated once, under the store's write lock. */
int pb_history_open(const char *where, bool create, struct pb_history **out);
void pb_history_close(struct pb_history *h);
/* The store in messages: the path, or the conninfo without a password. */
const char *pb_history_name(const struct pb_history *h);
/* The same for an address not opened (yet). */
void pb_history_display(const char *where, char *buf, size_t size);

/* Add results in one transaction: all of them or none.  A result already
 * stored (same content) is skipped and counted in *skipped. */
int pb_history_add(struct pb_history *h, struct pb_result *const *rs, size_t n,
		   size_t *added, size_t *skipped);

struct pb_history_row {
	long long id;
	const char *created, *kernel, *accel, *path, *config;
	const char *machine, *machine_label;	/* "" for an unknown machine */
	bool complete;
	int nmetrics;
};
typedef int (*pb_history_row_fn)(const struct pb_history_row *row, void *ctx);
/* Every stored result, oldest first. */
int pb_history_results(struct pb_history *h, pb_history_row_fn fn, void *ctx);

struct pb_history_point {
	long long id;
	char created[40];
	char kernel[96];
	char machine[17];	/* env.machine.id, "" unknown */
	char machine_label[64];
	char config[384];	/* JSON text (cut when longer) */
	uint64_t series;	/* hash of machine, kernel and the whole config */
	double value;
};
/* The points of one metric, oldest first (by "created", then by id),
 * optionally only results of one kernel.  *out is malloc'd. */
int pb_history_series(struct pb_history *h, const char *metric,
		      const char *kernel, struct pb_history_point **out,
		      size_t *n);
/* A history series is one (machine, kernel, config): fn gets each one's
 * points, oldest first, series in the order of their first point. */
typedef int (*pb_history_series_fn)(const struct pb_history_point *p, size_t n,
				    void *ctx);
int pb_history_each_series(const struct pb_history_point *p, size_t n,
			   pb_history_series_fn fn, void *ctx);
/* The stored JSON (the result without "samples") of every result whose
 * JSON text contains needle, in the order they were added (by id).  The
 * caller parses and checks each: the needle only narrows the search
 * (matrix cells find their plan's results by its id). */
typedef int (*pb_history_json_fn)(long long id, const char *json, void *ctx);
int pb_history_find_json(struct pb_history *h, const char *needle,
			 pb_history_json_fn fn, void *ctx);
/* Every metric name stored, sorted; a NULL-terminated malloc'd array of
 * malloc'd strings (free with pb_history_free_names). */
int pb_history_metric_names(struct pb_history *h, char ***names);
void pb_history_free_names(char **names);

/* CSV in the shape Apache Otava reads: time, attributes (result, kernel,
 * accel, config, machine), one column per metric (empty where a result
 * lacks it); oldest first. */
int pb_history_export_csv(struct pb_history *h, const char *const *metrics,
			  size_t nmetrics, const char *kernel, FILE *f);

/* E-divisive change points of a series (stats.h, pb_edivisive) that moved
 * the mean by at least threshold %; returns how many (<= max), -1 when
 * out of memory. */
int pb_history_change_points(const struct pb_history_point *p, size_t n,
			     double alpha, unsigned permutations, uint64_t seed,
			     double threshold, struct pb_cp *cps, size_t max);

/* history_check.c: what `history show/export/check` and `plot --history`
 * compute, without printing. */

/* One metric's series from the database at path (opened read-only, then
 * closed); *n may be 0.  *out is malloc'd. */
int pb_history_load_series(const char *path, const char *metric,
			   const char *kernel, struct pb_history_point **out,
			   size_t *n);
/* pb_history_export_csv of every stored metric. */
int pb_history_export_all_csv(struct pb_history *h, const char *kernel, FILE *f);

/* E-divisive is O(n^2) in memory: a check looks at the newest points. */
#define PB_HISTORY_CHECK_MAX_POINTS 1000
#define PB_HISTORY_MAX_CHANGE_POINTS 64

enum pb_cp_verdict { PB_CP_CHANGE, PB_CP_REGRESSION, PB_CP_IMPROVEMENT };

struct pb_history_check {
	size_t off;		/* older points left out of the window */
	size_t n;		/* points in the window */
	int k;			/* change points found */
	struct pb_cp cps[PB_HISTORY_MAX_CHANGE_POINTS];	/* index: in the window */
	enum pb_cp_verdict verdict[PB_HISTORY_MAX_CHANGE_POINTS];
	bool newest_regressed;	/* the last change point is a regression */
};
/* The change points of metric's series p[0..n) (its newest
 * PB_HISTORY_CHECK_MAX_POINTS), each judged by the metric's direction.
 * Returns 0, or -1 when out of memory (out->off and out->n are set). */
int pb_history_check(const struct pb_history_point *p, size_t n, const char *metric,
		     double alpha, unsigned permutations, uint64_t seed,
		     double threshold, struct pb_history_check *out);

#endif
