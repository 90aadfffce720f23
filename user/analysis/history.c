// SPDX-License-Identifier: GPL-2.0
/* The history store in SQLite.  Schema (user_version 1):
 *   results(id, created, added, path, kernel, accel, config, complete,
 *           digest UNIQUE, json)      one row per result file
 *   metrics(result_id, name, value)   its flat "metrics" object
 * json is the result without its raw "samples" (they can be megabytes;
 * the flat metrics and rounds are what history needs). */
#include <errno.h>
#include <math.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "history.h"
#include "peelbench.h"
#include "result.h"
#include "stats.h"

#define APP_ID 0x50454c42	/* "PELB" in PRAGMA application_id */
#define SCHEMA_VERSION 1
#define BUSY_TIMEOUT_MS 1000

struct pb_history {
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
	" json TEXT NOT NULL);"
	"CREATE TABLE metrics ("
	" result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL,"
	" value REAL NOT NULL,"
	" PRIMARY KEY (result_id, name)) WITHOUT ROWID;"
	"CREATE INDEX metrics_by_name ON metrics(name, result_id);";

const char *pb_history_default_path(void)
{
	const char *p = getenv("PEELBENCH_HISTORY");

	return p && *p ? p : "results/history.db";
}

/* One line for a failed SQLite call, and the exit code it means. */
static int db_error(struct pb_history *h, int rc, const char *what)
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

static int exec(struct pb_history *h, const char *sql, const char *what)
{
	int rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_error(h, rc, what);
}

static int pragma_int(struct pb_history *h, const char *sql, int *out)
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

/* An empty database gets the schema; one with tables must be ours. */
static int check_schema(struct pb_history *h, bool create)
{
	int app = 0, ver = 0, tables = 0, ret;

	if ((ret = pragma_int(h, "SELECT count(*) FROM sqlite_master", &tables)) ||
	    (ret = pragma_int(h, "PRAGMA application_id", &app)) ||
	    (ret = pragma_int(h, "PRAGMA user_version", &ver)))
		return ret;
	if (!tables && create) {
		char sql[2048];

		snprintf(sql, sizeof(sql),
			 "BEGIN IMMEDIATE; %s PRAGMA application_id = %d;"
			 " PRAGMA user_version = %d; COMMIT;",
			 schema_sql, APP_ID, SCHEMA_VERSION);
		ret = exec(h, sql, "create");
		if (ret)
			sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	if (app != APP_ID) {
		pb_err("history: %s is an SQLite database but not a peelbench history",
		       h->path);
		return PB_EXIT_USAGE;
	}
	if (ver != SCHEMA_VERSION) {
		pb_err("history: %s has schema version %d; this peelbench knows %d",
		       h->path, ver, SCHEMA_VERSION);
		return PB_EXIT_USAGE;
	}
	return 0;
}

int pb_history_open(const char *path, bool create, struct pb_history **out)
{
	struct pb_history *h;
	struct stat sb;
	int rc, ret, flags = create ?
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;

	*out = NULL;
	if (!create && stat(path, &sb)) {
		pb_err("history: no database at %s (%s); 'peelbench history add' creates it",
		       path, strerror(errno));
		return PB_EXIT_USAGE;
	}
	if (create && mkdir_parent(path))
		return PB_EXIT_RUNTIME;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->path = strdup(path))) {
		pb_err("history: out of memory");
		free(h);
		return PB_EXIT_RUNTIME;
	}
	rc = sqlite3_open_v2(path, &h->db, flags, NULL);
	if (rc != SQLITE_OK) {
		ret = db_error(h, rc, "open");
		pb_history_close(h);
		return ret;
	}
	sqlite3_busy_timeout(h->db, BUSY_TIMEOUT_MS);
	if ((ret = check_schema(h, create)) ||
	    (ret = exec(h, "PRAGMA foreign_keys = ON", "open"))) {
		pb_history_close(h);
		return ret;
	}
	*out = h;
	return 0;
}

void pb_history_close(struct pb_history *h)
{
	if (!h)
		return;
	sqlite3_close(h->db);
	free(h->path);
	free(h);
}

static void digest_of(const char *text, char *out, size_t size)
{
	uint64_t a = 1469598103934665603ULL, b = 0x9e3779b97f4a7c15ULL;
	const unsigned char *s = (const unsigned char *)text;

	for (; *s; s++) {
		a = (a ^ *s) * 1099511628211ULL;
		b = (b ^ *s) * 0x100000001b3ULL + (b >> 29);
	}
	snprintf(out, size, "%016llx%016llx", (unsigned long long)a,
		 (unsigned long long)b);
}

static const char *env_string(const struct pb_result *r, const char *key)
{
	struct json_object *o;

	if (r->env && json_object_object_get_ex(r->env, key, &o) &&
	    json_object_is_type(o, json_type_string))
		return json_object_get_string(o);
	return "";
}

/* Insert one result; 1 when it was already there. */
static int add_one(struct pb_history *h, const struct pb_result *r,
		   sqlite3_stmt *find, sqlite3_stmt *ins, sqlite3_stmt *met,
		   const char *now)
{
	struct json_object *copy = NULL;
	const char *full, *stored, *config;
	char digest[40];
	sqlite3_int64 id;
	int rc, ret = 0;

	full = json_object_to_json_string_ext(r->root, JSON_C_TO_STRING_PLAIN);
	digest_of(full, digest, sizeof(digest));
	sqlite3_reset(find);
	sqlite3_bind_text(find, 1, digest, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return db_error(h, rc, "add");

	if (json_object_deep_copy(r->root, &copy, NULL)) {
		pb_err("history add: out of memory");
		return PB_EXIT_RUNTIME;
	}
	json_object_object_del(copy, "samples");
	stored = json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PLAIN);
	config = r->config ? json_object_to_json_string_ext(r->config,
				JSON_C_TO_STRING_PLAIN) : "{}";
	sqlite3_reset(ins);
	sqlite3_bind_text(ins, 1, r->created, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 2, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 3, r->path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 4, r->kernel, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 5, env_string(r, "accel"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 6, config, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(ins, 7, r->complete);
	sqlite3_bind_text(ins, 8, digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 9, stored, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(ins);
	json_object_put(copy);
	if (rc != SQLITE_DONE)
		return db_error(h, rc, "add");
	id = sqlite3_last_insert_rowid(h->db);
	json_object_object_foreach(r->metrics, k, v) {
		sqlite3_reset(met);
		sqlite3_bind_int64(met, 1, id);
		sqlite3_bind_text(met, 2, k, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(met, 3, json_object_get_double(v));
		rc = sqlite3_step(met);
		if (rc != SQLITE_DONE) {
			ret = db_error(h, rc, "add");
			break;
		}
	}
	return ret;
}

int pb_history_add(struct pb_history *h, struct pb_result *const *rs, size_t n,
		   size_t *added, size_t *skipped)
{
	sqlite3_stmt *find = NULL, *ins = NULL, *met = NULL;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	size_t i;
	int rc, ret;

	*added = *skipped = 0;
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	/* IMMEDIATE: take the write lock now, so a busy database fails before
	 * anything is written rather than at COMMIT. */
	if ((ret = exec(h, "BEGIN IMMEDIATE", "add")))
		return ret;
	if ((rc = sqlite3_prepare_v2(h->db,
			"SELECT id FROM results WHERE digest = ?", -1, &find, NULL)) ||
	    (rc = sqlite3_prepare_v2(h->db,
			"INSERT INTO results (created, added, path, kernel, accel,"
			" config, complete, digest, json)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &ins, NULL)) ||
	    (rc = sqlite3_prepare_v2(h->db,
			"INSERT INTO metrics (result_id, name, value) VALUES (?, ?, ?)",
			-1, &met, NULL))) {
		ret = db_error(h, rc, "add");
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = add_one(h, rs[i], find, ins, met, now);
		if (ret == 1) {
			pb_debug("history add: %s is already stored, skipped", rs[i]->path);
			(*skipped)++;
			ret = 0;
			continue;
		}
		if (ret)
			goto out;
		(*added)++;
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
	if (ret) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		*added = *skipped = 0;
	}
	return ret;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

int pb_history_results(struct pb_history *h, pb_history_row_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(h->db,
		"SELECT r.id, r.created, r.kernel, r.accel, r.path, r.config,"
		" r.complete, (SELECT count(*) FROM metrics m WHERE m.result_id = r.id)"
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
		};

		if ((ret = fn(&row, ctx)))
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = db_error(h, rc, "list");
	sqlite3_finalize(st);
	return ret;
}

int pb_history_series(struct pb_history *h, const char *metric,
		      const char *kernel, struct pb_history_point **out,
		      size_t *n)
{
	struct pb_history_point *v = NULL, *nv;
	size_t cap = 0;
	sqlite3_stmt *st;
	int rc, ret = 0;

	*out = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(h->db,
		"SELECT r.id, r.created, r.kernel, m.value FROM metrics m"
		" JOIN results r ON r.id = m.result_id"
		" WHERE m.name = ?1 AND (?2 IS NULL OR r.kernel = ?2)"
		" ORDER BY r.created, r.id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(h, rc, "series");
	sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
	if (kernel)
		sqlite3_bind_text(st, 2, kernel, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				pb_err("history: out of memory");
				ret = PB_EXIT_RUNTIME;
				break;
			}
			v = nv;
		}
		v[*n].id = sqlite3_column_int64(st, 0);
		snprintf(v[*n].created, sizeof(v[*n].created), "%s", col_text(st, 1));
		snprintf(v[*n].kernel, sizeof(v[*n].kernel), "%s", col_text(st, 2));
		v[*n].value = sqlite3_column_double(st, 3);
		(*n)++;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = db_error(h, rc, "series");
	sqlite3_finalize(st);
	if (ret) {
		free(v);
		*n = 0;
		return ret;
	}
	*out = v;
	return 0;
}

void pb_history_free_names(char **names)
{
	char **p;

	if (!names)
		return;
	for (p = names; *p; p++)
		free(*p);
	free(names);
}

int pb_history_metric_names(struct pb_history *h, char ***names)
{
	char **v = NULL, **nv;
	size_t n = 0;
	sqlite3_stmt *st;
	int rc, ret = 0;

	*names = NULL;
	rc = sqlite3_prepare_v2(h->db, "SELECT DISTINCT name FROM metrics ORDER BY name",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(h, rc, "export");
	v = calloc(1, sizeof(*v));
	while (v && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[n] = strdup(col_text(st, 0));
		v[++n] = NULL;
	}
	if (!v || (rc != SQLITE_DONE && rc != SQLITE_ROW)) {
		ret = v ? db_error(h, rc, "export") : PB_EXIT_RUNTIME;
		pb_history_free_names(v);
		v = NULL;
	}
	sqlite3_finalize(st);
	*names = v;
	return ret;
}

/* RFC 4180: quote when the field has a comma, quote or newline. */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int pb_history_export_csv(struct pb_history *h, const char *const *metrics,
			  size_t nmetrics, const char *kernel, FILE *f)
{
	sqlite3_stmt *rows, *val;
	size_t i;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(h->db,
		"SELECT id, created, kernel, accel, config FROM results"
		" WHERE (?1 IS NULL OR kernel = ?1) ORDER BY created, id", -1,
		&rows, NULL);
	if (rc != SQLITE_OK)
		return db_error(h, rc, "export");
	rc = sqlite3_prepare_v2(h->db,
		"SELECT value FROM metrics WHERE result_id = ? AND name = ?", -1,
		&val, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(rows);
		return db_error(h, rc, "export");
	}
	if (kernel)
		sqlite3_bind_text(rows, 1, kernel, -1, SQLITE_STATIC);
	fputs("time,result,kernel,accel,config", f);
	for (i = 0; i < nmetrics; i++) {
		fputc(',', f);
		csv_field(f, metrics[i]);
	}
	fputc('\n', f);
	while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(rows, 0);

		csv_field(f, col_text(rows, 1));
		fprintf(f, ",%lld,", (long long)id);
		csv_field(f, col_text(rows, 2));
		fputc(',', f);
		csv_field(f, col_text(rows, 3));
		fputc(',', f);
		csv_field(f, col_text(rows, 4));
		for (i = 0; i < nmetrics; i++) {
			fputc(',', f);
			sqlite3_reset(val);
			sqlite3_bind_int64(val, 1, id);
			sqlite3_bind_text(val, 2, metrics[i], -1, SQLITE_STATIC);
			if (sqlite3_step(val) == SQLITE_ROW)
				fprintf(f, "%.17g", sqlite3_column_double(val, 0));
		}
		fputc('\n', f);
	}
	if (rc != SQLITE_DONE)
		ret = db_error(h, rc, "export");
	sqlite3_finalize(rows);
	sqlite3_finalize(val);
	return ret;
}

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

