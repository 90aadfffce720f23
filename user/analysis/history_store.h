/* SPDX-License-Identifier: GPL-2.0 */
/* What a history store implements: history.c (SQLite, a file path) and
 * history_pg.c (PostgreSQL, a postgresql:// URI or a libpq conninfo).
 * history_store.c picks one by the address and does everything that does
 * not depend on the store: digests, the stored JSON, series, CSV.
 *
 * Both stores keep schema version PB_HISTORY_SCHEMA: a result per row
 * (digest unique: adding it twice is recognised) and its flat metrics,
 * created or migrated under the store's write lock; an add is one
 * transaction; every statement is parameterised.  Functions print their
 * own one-line error and return an enum pb_exit code. */
#ifndef PEELBENCH_HISTORY_STORE_H
#define PEELBENCH_HISTORY_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"

#define PB_HISTORY_SCHEMA 2

struct json_object;

/* One result as stored. */
struct pb_history_entry {
	const char *digest;		/* of the whole result file's JSON */
	const char *created, *added, *path, *kernel, *accel;
	const char *config;		/* JSON text, "{}" when absent */
	const char *machine, *machine_label;	/* env.machine id/label, "" */
	const char *json;		/* the result without "samples" */
	bool complete;
	struct json_object *metrics;	/* name -> number */
};

/* p has every field but series and config; config is the full text. */
typedef int (*pb_history_point_fn)(struct pb_history_point *p,
				   const char *config, void *ctx);
typedef int (*pb_history_name_fn)(const char *name, void *ctx);

struct pb_history_ops {
	/* create: make the store's schema when it has none; either way a
	 * store of another schema version or application is an error. */
	int (*open)(const char *where, bool create, void **impl);
	void (*close)(void *impl);
	/* The store in messages, never with a password. */
	const char *(*name)(void *impl);
	/* All of them in one transaction, or none; dup[i] set for an entry
	 * whose digest was stored already (it is skipped). */
	int (*add)(void *impl, const struct pb_history_entry *e, size_t n, bool *dup);
	/* Oldest first (created, then id). */
	int (*results)(void *impl, pb_history_row_fn fn, void *ctx);
	/* One metric's points, oldest first, optionally of one kernel. */
	int (*series)(void *impl, const char *metric, const char *kernel,
		      pb_history_point_fn fn, void *ctx);
	/* Every metric name, sorted. */
	int (*metric_names)(void *impl, pb_history_name_fn fn, void *ctx);
	/* The stored JSON of every result whose JSON text contains needle,
	 * by id. */
	int (*find_json)(void *impl, const char *needle, pb_history_json_fn fn,
			 void *ctx);
};

extern const struct pb_history_ops pb_history_sqlite;
extern const struct pb_history_ops pb_history_pg;

/* "NAME has schema version V; this peelbench knows 2": PB_EXIT_USAGE. */
int pb_history_other_version(const char *name, int version);

/* A PostgreSQL address in messages: its host, port, dbname and user,
 * never its password; false when it is not a valid URI or conninfo. */
bool pb_history_pg_describe(const char *where, char *buf, size_t size);

/* Is where a PostgreSQL address (postgresql:// or postgres:// URI, or
 * "keyword=value ..." conninfo) rather than a file path? */
bool pb_history_is_pg(const char *where);

#endif
