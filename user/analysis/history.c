// SPDX-License-Identifier: GPL-2.0
/* The SQLite history store (history_store.h).  Schema (user_version 2):
 *   results(id, created, added, path, kernel, accel, config, complete,
 *           digest UNIQUE, json, machine, machine_label)
 *                                     one row per result file
 *   metrics(result_id, name, value)   its flat "metrics" object
 * Version 1 had no machine columns; opening it with write access adds
 * them (an unknown machine, "").  The schema is made and migrated inside
 * BEGIN IMMEDIATE, so concurrent first writers create it once.  Readers
 * open the file read-write when they may, so that SQLite rolls back the
 * hot journal an interrupted writer left (read-only, it cannot). */
#include <errno.h>
#include <math.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "history_store.h"
#include "peelbench.h"
#include "stats.h"

#define APP_ID 0x50454c42	/* "PELB" in PRAGMA application_id */
/* How long a writer waits for another's lock: 16 writers adding without
 * a pause on 2 loaded cores were seen to wait over 2 s.
 * PEELBENCH_DB_BUSY_MS overrides it. */
#define BUSY_TIMEOUT_MS 10000

struct sq_history {
	sqlite3 *db;
	char *path;
};

static const char schema_sql[] =
	"CREATE TABLE results ("
	" id INTEGER PRIMARY KEY,"
	" created TEXT NOT NULL,"
	" added TEXT NOT NULL,"
	" path TEXT NOT NULL,"
	" kernel TEXT NOT NULL,"
	" accel TEXT NOT NULL,"
	" config TEXT NOT NULL,"
	" complete INTEGER NOT NULL,"
	" digest TEXT NOT NULL UNIQUE,"
	" json TEXT NOT NULL,"
	" machine TEXT NOT NULL DEFAULT '',"
	" machine_label TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE metrics ("
	" result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL,"
	" value REAL NOT NULL,"
	" PRIMARY KEY (result_id, name)) WITHOUT ROWID;"
	"CREATE INDEX metrics_by_name ON metrics(name, result_id);";

/* Version 1 to 2: the machine a result was measured on. */
static const char migrate_1_sql[] =
	"ALTER TABLE results ADD COLUMN machine TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE results ADD COLUMN machine_label TEXT NOT NULL DEFAULT '';";

/* One line for a failed SQLite call, and the exit code it means. */
static int db_error(struct sq_history *h, int rc, const char *what)
{
	int base = rc & 0xff;
	const char *msg = h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc);

	switch (base) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		pb_err("history %s: %s is locked by another process (%s)", what,
		       h->path, msg);
		return PB_EXIT_USAGE;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		pb_err("history %s: %s is corrupt or not a database (%s)", what,
		       h->path, msg);
		return PB_EXIT_USAGE;
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		pb_err("history %s: cannot open %s (%s)", what, h->path, msg);
		return PB_EXIT_USAGE;
	default:
		pb_err("history %s: %s: %s", what, h->path, msg);
		return PB_EXIT_RUNTIME;
	}
}

static int exec(struct sq_history *h, const char *sql, const char *what)
{
	int rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_error(h, rc, what);
}

static int query_int(struct sq_history *h, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return db_error(h, rc, "open");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : db_error(h, rc, "open");
}

static int mkdir_parent(const char *path)
{
	char *copy = strdup(path), *dir;
	int ret = 0;

	if (!copy)
		return -1;
	dir = dirname(copy);
	if (strcmp(dir, ".") && mkdir(dir, 0775) && errno != EEXIST) {
		pb_err("history: cannot create folder %s: %s", dir, strerror(errno));
		ret = -1;
	}
	free(copy);
	return ret;
}

struct schema_state {
	int tables, app, version;
};

static int read_schema(struct sq_history *h, struct schema_state *s)
{
	int ret;

	if ((ret = query_int(h, "SELECT count(*) FROM sqlite_master", &s->tables)) ||
	    (ret = query_int(h, "PRAGMA application_id", &s->app)) ||
	    (ret = query_int(h, "PRAGMA user_version", &s->version)))
		return ret;
	return 0;
}

/* 0 when s is our current schema, 1 when it needs creating (empty) or
 * migrating (version 1), else the error printed. */
static int judge_schema(struct sq_history *h, const struct schema_state *s, bool create)
{
	if (!s->tables && create)
		return 1;
	if (s->app != APP_ID) {
		pb_err("history: %s is an SQLite database but not a peelbench history",
		       h->path);
		return PB_EXIT_USAGE;
	}
	if (s->version == 1)
		return 1;
	if (s->version != PB_HISTORY_SCHEMA)
		return pb_history_other_version(h->path, s->version);
	return 0;
}

/* Under the write lock: look again (another process may have done it),
 * then create or migrate. */
static int upgrade_schema(struct sq_history *h, bool create)
{
	struct schema_state s;
	char sql[2048];
	int ret;

	if ((ret = exec(h, "BEGIN IMMEDIATE", "open")))
		return ret;
	if (!(ret = read_schema(h, &s)) && (ret = judge_schema(h, &s, create)) == 1) {
		snprintf(sql, sizeof(sql),
			 "%s PRAGMA application_id = %d; PRAGMA user_version = %d;",
			 s.tables ? migrate_1_sql : schema_sql, APP_ID, PB_HISTORY_SCHEMA);
		ret = exec(h, sql, s.tables ? "migrate" : "create");
	}
	if (ret) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	return exec(h, "COMMIT", "create");
}

static int check_schema(struct sq_history *h, bool create)
{
	struct schema_state s;
	int ret;

	if ((ret = read_schema(h, &s)) || (ret = judge_schema(h, &s, create)) != 1)
		return ret;
	return upgrade_schema(h, create);
}

static int busy_timeout_ms(void)
{
	const char *s = getenv("PEELBENCH_DB_BUSY_MS");
	unsigned long long ms;

	return s && pb_parse_u64(s, 0, 3600000, &ms) ? (int)ms : BUSY_TIMEOUT_MS;
}

static void sq_close(void *impl)
{
	struct sq_history *h = impl;

	if (!h)
		return;
	sqlite3_close(h->db);
	free(h->path);
	free(h);
}

/* Only a regular file (or nothing, to create) is a database: a folder or
 * a FIFO is refused before SQLite blocks on it or fails at run time. */
static int check_file(const char *path, bool create)
{
	struct stat sb;

	if (stat(path, &sb)) {
		if (create && errno == ENOENT)
			return mkdir_parent(path) ? PB_EXIT_RUNTIME : 0;
		pb_err("history: no database at %s (%s)%s", path, strerror(errno),
		       errno == ENOENT ? "; 'peelbench history add' creates it" : "");
		return PB_EXIT_USAGE;
	}
	if (!S_ISREG(sb.st_mode)) {
		pb_err("history: %s is not a regular file", path);
		return PB_EXIT_USAGE;
	}
	return 0;
}

static int sq_open(const char *path, bool create, void **impl)
{
	struct sq_history *h;
	int rc, ret, flags = SQLITE_OPEN_READWRITE;

	*impl = NULL;
	if ((ret = check_file(path, create)))
		return ret;
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	else if (access(path, W_OK))
		flags = SQLITE_OPEN_READONLY;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->path = strdup(path))) {
		pb_err("history: out of memory");
		free(h);
		return PB_EXIT_RUNTIME;
	}
	rc = sqlite3_open_v2(path, &h->db, flags, NULL);
	if (rc != SQLITE_OK) {
		ret = db_error(h, rc, "open");
		sq_close(h);
		return ret;
	}
	sqlite3_busy_timeout(h->db, busy_timeout_ms());
	if ((ret = check_schema(h, create)) ||
	    (ret = exec(h, "PRAGMA foreign_keys = ON", "open"))) {
		sq_close(h);
		return ret;
	}
	*impl = h;
	return 0;
}

static const char *sq_name(void *impl)
{
	return ((struct sq_history *)impl)->path;
}

/* Insert one entry; 1 when its digest was there already. */
static int add_one(struct sq_history *h, const struct pb_history_entry *e,
		   sqlite3_stmt *find, sqlite3_stmt *ins, sqlite3_stmt *met)
{
	const char *text[] = { e->created, e->added, e->path, e->kernel, e->accel,
			       e->config, NULL, e->digest, e->json, e->machine,
			       e->machine_label };
	sqlite3_int64 id;
	int rc, i;

	sqlite3_reset(find);
	sqlite3_bind_text(find, 1, e->digest, -1, SQLITE_STATIC);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return db_error(h, rc, "add");
	sqlite3_reset(ins);
	for (i = 0; i < (int)(sizeof(text) / sizeof(text[0])); i++)
		if (text[i])
			sqlite3_bind_text(ins, i + 1, text[i], -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 7, e->complete);
	if ((rc = sqlite3_step(ins)) != SQLITE_DONE)
		return db_error(h, rc, "add");
	id = sqlite3_last_insert_rowid(h->db);
	json_object_object_foreach(e->metrics, k, v) {
		sqlite3_reset(met);
		sqlite3_bind_int64(met, 1, id);
		sqlite3_bind_text(met, 2, k, -1, SQLITE_STATIC);
		sqlite3_bind_double(met, 3, json_object_get_double(v));
		if ((rc = sqlite3_step(met)) != SQLITE_DONE)
			return db_error(h, rc, "add");
	}
	return 0;
}

static int sq_add(void *impl, const struct pb_history_entry *e, size_t n, bool *dup)
{
	struct sq_history *h = impl;
	sqlite3_stmt *find = NULL, *ins = NULL, *met = NULL;
	size_t i;
	int rc, ret;

	/* IMMEDIATE: take the write lock now, so a busy database fails before
	 * anything is written rather than at COMMIT. */
	if ((ret = exec(h, "BEGIN IMMEDIATE", "add")))
		return ret;
	if ((rc = sqlite3_prepare_v2(h->db,
			"SELECT id FROM results WHERE digest = ?", -1, &find, NULL)) ||
	    (rc = sqlite3_prepare_v2(h->db,
			"INSERT INTO results (created, added, path, kernel, accel,"
			" config, complete, digest, json, machine, machine_label)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &ins, NULL)) ||
	    (rc = sqlite3_prepare_v2(h->db,
			"INSERT INTO metrics (result_id, name, value) VALUES (?, ?, ?)",
			-1, &met, NULL))) {
		ret = db_error(h, rc, "add");
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = add_one(h, &e[i], find, ins, met);
		dup[i] = ret == 1;
		if (ret == 1)
			ret = 0;
		if (ret)
			goto out;
	}
	sqlite3_finalize(find);
	sqlite3_finalize(ins);
	sqlite3_finalize(met);
	find = ins = met = NULL;
	ret = exec(h, "COMMIT", "add");
out:
	sqlite3_finalize(find);
	sqlite3_finalize(ins);
	sqlite3_finalize(met);
	if (ret)
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

static int sq_results(void *impl, pb_history_row_fn fn, void *ctx)
{
	struct sq_history *h = impl;
	sqlite3_stmt *st;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(h->db,
		"SELECT r.id, r.created, r.kernel, r.accel, r.path, r.config,"
		" r.complete, (SELECT count(*) FROM metrics m WHERE m.result_id = r.id),"
		" r.machine, r.machine_label"
		" FROM results r ORDER BY r.created, r.id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(h, rc, "list");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pb_history_row row = {
			.id = sqlite3_column_int64(st, 0),
			.created = col_text(st, 1),
			.kernel = col_text(st, 2),
			.accel = col_text(st, 3),
			.path = col_text(st, 4),
			.config = col_text(st, 5),
			.complete = sqlite3_column_int(st, 6),
			.nmetrics = sqlite3_column_int(st, 7),
			.machine = col_text(st, 8),
			.machine_label = col_text(st, 9),
		};

		if ((ret = fn(&row, ctx)))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = db_error(h, rc, "list");
	sqlite3_finalize(st);
	return ret;
}

static int sq_series(void *impl, const char *metric, const char *kernel,
		     pb_history_point_fn fn, void *ctx)
{
	struct sq_history *h = impl;
	sqlite3_stmt *st;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(h->db,
		"SELECT r.id, r.created, r.kernel, m.value, r.machine, r.machine_label,"
		" r.config FROM metrics m JOIN results r ON r.id = m.result_id"
		" WHERE m.name = ?1 AND (?2 IS NULL OR r.kernel = ?2)"
		" ORDER BY r.created, r.id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(h, rc, "series");
	sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
	if (kernel)
		sqlite3_bind_text(st, 2, kernel, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pb_history_point p = { .id = sqlite3_column_int64(st, 0) };

		snprintf(p.created, sizeof(p.created), "%s", col_text(st, 1));
		snprintf(p.kernel, sizeof(p.kernel), "%s", col_text(st, 2));
		p.value = sqlite3_column_double(st, 3);
		snprintf(p.machine, sizeof(p.machine), "%s", col_text(st, 4));
		snprintf(p.machine_label, sizeof(p.machine_label), "%s", col_text(st, 5));
		if ((ret = fn(&p, col_text(st, 6), ctx)))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = db_error(h, rc, "series");
	sqlite3_finalize(st);
	return ret;
}

static int sq_metric_names(void *impl, pb_history_name_fn fn, void *ctx)
{
	struct sq_history *h = impl;
	sqlite3_stmt *st;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(h->db, "SELECT DISTINCT name FROM metrics ORDER BY name",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(h, rc, "export");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ret = fn(col_text(st, 0), ctx)))
			break;
	if (!ret && rc != SQLITE_DONE)
		ret = db_error(h, rc, "export");
	sqlite3_finalize(st);
	return ret;
}

static int sq_find_json(void *impl, const char *needle, pb_history_json_fn fn,
			void *ctx)
{
	struct sq_history *h = impl;
	sqlite3_stmt *st;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(h->db, "SELECT id, json FROM results"
				" WHERE instr(json, ?1) > 0 ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(h, rc, "read");
	sqlite3_bind_text(st, 1, needle, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ret = fn(sqlite3_column_int64(st, 0), col_text(st, 1), ctx)))
			break;
	if (!ret && rc != SQLITE_DONE)
		ret = db_error(h, rc, "read");
	sqlite3_finalize(st);
	return ret;
}

const struct pb_history_ops pb_history_sqlite = {
	.open = sq_open,
	.close = sq_close,
	.name = sq_name,
	.add = sq_add,
	.results = sq_results,
	.series = sq_series,
	.metric_names = sq_metric_names,
	.find_json = sq_find_json,
};

int pb_history_change_points(const struct pb_history_point *p, size_t n,
			  double alpha, unsigned permutations, uint64_t seed,
			  double threshold, struct pb_cp *cps, size_t max)
{
	double *v = malloc((n ? n : 1) * sizeof(*v));
	int k, i, kept = 0;
	size_t j;

	if (!v)
		return -1;
	for (j = 0; j < n; j++)
		v[j] = p[j].value;
	k = pb_edivisive(v, n, alpha, permutations, seed, cps, max);
	free(v);
	for (i = 0; i < k; i++)
		if (fabs(cps[i].change_pct) >= threshold)
			cps[kept++] = cps[i];
	return k < 0 ? -1 : kept;
}
