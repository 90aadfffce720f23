// SPDX-License-Identifier: GPL-2.0
/* The PostgreSQL history store (history_store.h), through libpq.  The
 * address is a postgresql:// URI or a conninfo string, passed to libpq
 * as it is (TLS parameters such as sslmode and sslrootcert included).
 * Tables (schema version in peelbench_schema):
 *   peelbench_results(id, created, added, path, kernel, accel, config,
 *                     complete, digest UNIQUE, json, machine, machine_label)
 *   peelbench_metrics(result_id, name, value)
 * The schema is created or checked inside a transaction that holds
 * pg_advisory_xact_lock, so concurrent first writers make it once; an
 * add is one transaction (one statement per result, its metrics passed
 * as two array parameters), and INSERT ... ON CONFLICT (digest) DO NOTHING
 * recognises a result that is stored already, even one that another
 * host is adding at the same moment.  Every statement is parameterised;
 * the password is never printed (messages name the store by its other
 * connection parameters). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "history_store.h"
#include "peelbench.h"

/* pg_advisory_xact_lock key: "PELB" */
#define LOCK_KEY "1346718786"

struct pg_history {
	PGconn *conn;
	char name[512];		/* conninfo without the password */
	char *password;		/* masked if a message ever quotes it */
};

static const char *const schema_sql[] = {
	"CREATE TABLE peelbench_schema (version integer NOT NULL)",
	"CREATE TABLE peelbench_results ("
	" id bigserial PRIMARY KEY,"
	" created text NOT NULL,"
	" added text NOT NULL,"
	" path text NOT NULL,"
	" kernel text NOT NULL,"
	" accel text NOT NULL,"
	" config text NOT NULL,"
	" complete boolean NOT NULL,"
	" digest text NOT NULL UNIQUE,"
	" json text NOT NULL,"
	" machine text NOT NULL DEFAULT '',"
	" machine_label text NOT NULL DEFAULT '')",
	"CREATE TABLE peelbench_metrics ("
	" result_id bigint NOT NULL REFERENCES peelbench_results(id) ON DELETE CASCADE,"
	" name text NOT NULL,"
	" value double precision NOT NULL,"
	" PRIMARY KEY (result_id, name))",
	"CREATE INDEX peelbench_metrics_by_name ON peelbench_metrics(name, result_id)",
	NULL,
};

/* libpq's message as one line: newlines folded, the password masked. */
static void one_line(const struct pg_history *h, const char *msg, char *out, size_t size)
{
	size_t i, n = 0;
	char *p;

	for (i = 0; msg[i] && n + 1 < size; i++) {
		if (msg[i] == '\n' || msg[i] == '\r' || msg[i] == '\t') {
			if (n && out[n - 1] != ' ' && msg[i + 1])
				out[n++] = ' ';
			continue;
		}
		out[n++] = msg[i];
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	if (h->password && *h->password)
		while ((p = strstr(out, h->password)))
			memset(p, '*', strlen(h->password));
}

/* Wrong credentials, a missing database or role, no permission, an
 * invalid parameter, TLS settings the server does not meet (a certificate
 * that does not verify or names another host, TLS required of a server
 * without it, a connection pg_hba.conf has no entry for): the address is
 * unusable (2).  Anything else (no server, a timeout, a lost connection)
 * failed at run time (4). */
static int exit_for(const char *sqlstate, const char *msg)
{
	static const char *const usage[] = {
		"authentication", "password", "does not exist", "invalid",
		"pg_hba.conf", "certificate", "does not support SSL", NULL,
	};

	if (sqlstate)
		return !strncmp(sqlstate, "28", 2) || !strncmp(sqlstate, "42", 2) ||
		       !strcmp(sqlstate, "3D000") ? PB_EXIT_USAGE : PB_EXIT_RUNTIME;
	for (int i = 0; usage[i]; i++)
		if (strstr(msg, usage[i]))
			return PB_EXIT_USAGE;
	return PB_EXIT_RUNTIME;
}

static int conn_error(struct pg_history *h, const char *what)
{
	char line[1024];

	one_line(h, PQerrorMessage(h->conn), line, sizeof(line));
	pb_err("history %s: %s: %s", what, h->name, line);
	return exit_for(NULL, line);
}

/* res is cleared.  0 when its status is want, else the error printed. */
static int check_res(struct pg_history *h, PGresult *res, ExecStatusType want,
		     const char *what)
{
	char line[1024];
	int ret;

	if (res && PQresultStatus(res) == want) {
		PQclear(res);
		return 0;
	}
	if (!res)
		return conn_error(h, what);
	one_line(h, PQresultErrorMessage(res), line, sizeof(line));
	pb_err("history %s: %s: %s", what, h->name, line);
	ret = exit_for(PQresultErrorField(res, PG_DIAG_SQLSTATE), line);
	PQclear(res);
	return ret;
}

static int run(struct pg_history *h, const char *sql, const char *what)
{
	return check_res(h, PQexec(h->conn, sql), PGRES_COMMAND_OK, what);
}

bool pb_history_pg_describe(const char *where, char *buf, size_t size)
{
	static const char *const shown[] = { "host", "hostaddr", "port", "dbname", "user", NULL };
	PQconninfoOption *opts = PQconninfoParse(where, NULL), *o;
	size_t off = 0, i;

	if (!opts)
		return false;
	for (i = 0; shown[i]; i++)
		for (o = opts; o->keyword; o++)
			if (!strcmp(o->keyword, shown[i]) && o->val && *o->val && off < size)
				off += snprintf(buf + off, size - off, "%s%s=%s",
						off ? " " : "", o->keyword, o->val);
	if (!off)
		snprintf(buf, size, "postgresql (libpq defaults)");
	PQconninfoFree(opts);
	return true;
}

/* The name in messages, and the password to mask should libpq quote it. */
static int describe(struct pg_history *h, const char *where)
{
	PQconninfoOption *opts, *o;

	if (!pb_history_pg_describe(where, h->name, sizeof(h->name))) {
		/* libpq's message may quote the string, password and all */
		pb_err("history: the PostgreSQL address is not a valid postgresql:// URI or conninfo");
		return PB_EXIT_USAGE;
	}
	opts = PQconninfoParse(where, NULL);
	for (o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val)
			h->password = strdup(o->val);
	PQconninfoFree(opts);
	return 0;
}

/* A query that returns rows: 0 and *out, or the error printed. */
static int query(struct pg_history *h, const char *sql, int n, const char *const *vals,
		 const char *what, PGresult **out)
{
	PGresult *res = PQexecParams(h->conn, sql, n, NULL, vals, NULL, NULL, 0);

	*out = NULL;
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK) {
		*out = res;
		return 0;
	}
	return check_res(h, res, PGRES_TUPLES_OK, what);
}

/* The schema's version in *v, 0 when there is none. */
static int schema_version(struct pg_history *h, const char *what, int *v)
{
	PGresult *res;
	bool ours, results;
	int ret;

	*v = 0;
	/* pg_class through SQL, not to_regclass(): that reads the catalog
	 * cache, which may not yet show a table that another writer
	 * committed while we waited for the lock. */
	if ((ret = query(h, "SELECT"
			 " bool_or(c.relname = 'peelbench_schema') IS TRUE,"
			 " bool_or(c.relname = 'peelbench_results') IS TRUE"
			 " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
			 " ON n.oid = c.relnamespace"
			 " WHERE n.nspname = ANY (current_schemas(false))", 0, NULL, what, &res)))
		return ret;
	ours = !strcmp(PQgetvalue(res, 0, 0), "t");
	results = !strcmp(PQgetvalue(res, 0, 1), "t");
	PQclear(res);
	if (!ours && results) {
		pb_err("history: %s has a peelbench_results table but no peelbench_schema",
		       h->name);
		return PB_EXIT_USAGE;
	}
	if (!ours)
		return 0;
	if ((ret = query(h, "SELECT coalesce(max(version), 0) FROM peelbench_schema",
			 0, NULL, what, &res)))
		return ret;
	*v = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Under the lock: look again (another writer may have made it while we
 * waited), then create. */
static int create_schema(struct pg_history *h, int *v)
{
	static const char *const version[] = { "2" };
	PGresult *res;
	int ret, i;

	if ((ret = run(h, "BEGIN", "create")) ||
	    (ret = query(h, "SELECT pg_advisory_xact_lock(" LOCK_KEY ")", 0, NULL,
			 "create", &res)))
		goto fail;
	PQclear(res);
	if ((ret = schema_version(h, "create", v)))
		goto fail;
	for (i = 0; !*v && schema_sql[i]; i++)
		if ((ret = run(h, schema_sql[i], "create")))
			goto fail;
	if (!*v) {
		ret = check_res(h, PQexecParams(h->conn,
				"INSERT INTO peelbench_schema VALUES ($1::integer)", 1, NULL,
				version, NULL, NULL, 0), PGRES_COMMAND_OK, "create");
		if (ret)
			goto fail;
		*v = PB_HISTORY_SCHEMA;
	}
	return run(h, "COMMIT", "create");
fail:
	PQclear(PQexec(h->conn, "ROLLBACK"));
	return ret;
}

static int ensure_schema(struct pg_history *h, bool create)
{
	int v, ret;

	if ((ret = schema_version(h, "open", &v)))
		return ret;
	if (!v && create && (ret = create_schema(h, &v)))
		return ret;
	if (!v) {
		pb_err("history: no peelbench history in %s; 'peelbench history add' creates it",
		       h->name);
		return PB_EXIT_USAGE;
	}
	if (v != PB_HISTORY_SCHEMA)
		return pb_history_other_version(h->name, v);
	return 0;
}

static void pg_close(void *impl)
{
	struct pg_history *h = impl;

	if (!h)
		return;
	PQfinish(h->conn);
	free(h->password);
	free(h);
}

static int pg_open(const char *where, bool create, void **impl)
{
	/* Ours first: the address (expanded from dbname) overrides them. */
	const char *const keys[] = { "connect_timeout", "fallback_application_name",
				     "dbname", NULL };
	const char *const vals[] = { "10", "peelbench", where, NULL };
	struct pg_history *h = calloc(1, sizeof(*h));
	int ret;

	*impl = NULL;
	if (!h) {
		pb_err("history: out of memory");
		return PB_EXIT_RUNTIME;
	}
	if ((ret = describe(h, where))) {
		pg_close(h);
		return ret;
	}
	h->conn = PQconnectdbParams(keys, vals, 1);
	if (!h->conn || PQstatus(h->conn) != CONNECTION_OK) {
		ret = h->conn ? conn_error(h, "open") : PB_EXIT_RUNTIME;
		pg_close(h);
		return ret;
	}
	/* Quiet NOTICEs (CREATE ... IF NOT EXISTS and the like). */
	PQclear(PQexec(h->conn, "SET client_min_messages = warning"));
	if ((ret = ensure_schema(h, create))) {
		pg_close(h);
		return ret;
	}
	*impl = h;
	return 0;
}

static const char *pg_name(void *impl)
{
	return ((struct pg_history *)impl)->name;
}

/* The metrics as two array parameters, names and values: a quoted
 * element escapes '"' and '\\' (the array is data, never SQL text). */
static int metric_arrays(struct json_object *metrics, char **names, char **values)
{
	size_t nn = 0, nv = 0;
	FILE *fn = open_memstream(names, &nn), *fv = open_memstream(values, &nv);
	const char *c;
	bool first = true;

	if (!fn || !fv) {
		if (fn)
			fclose(fn);
		if (fv)
			fclose(fv);
		return -1;
	}
	fputc('{', fn);
	fputc('{', fv);
	json_object_object_foreach(metrics, k, v) {
		fputs(first ? "\"" : ",\"", fn);
		for (c = k; *c; c++) {
			if (*c == '"' || *c == '\\')
				fputc('\\', fn);
			fputc(*c, fn);
		}
		fputc('"', fn);
		fprintf(fv, "%s%.17g", first ? "" : ",", json_object_get_double(v));
		first = false;
	}
	fputc('}', fn);
	fputc('}', fv);
	return fclose(fn) | fclose(fv) ? -1 : 0;
}

/* Insert one entry and its metrics in one statement; 1 when its digest
 * was stored already (then neither is inserted). */
static int add_one(struct pg_history *h, const struct pb_history_entry *e)
{
	char *names = NULL, *values = NULL;
	const char *vals[13] = { e->created, e->added, e->path, e->kernel, e->accel,
				 e->config, e->complete ? "true" : "false", e->digest,
				 e->json, e->machine, e->machine_label };
	PGresult *res;
	int ret;

	if (metric_arrays(e->metrics, &names, &values)) {
		free(names);
		free(values);
		pb_err("history add: out of memory");
		return PB_EXIT_RUNTIME;
	}
	vals[11] = names;
	vals[12] = values;
	ret = query(h, "WITH r AS (INSERT INTO peelbench_results (created, added, path,"
		    " kernel, accel, config, complete, digest, json, machine, machine_label)"
		    " VALUES ($1, $2, $3, $4, $5, $6, $7::boolean, $8, $9, $10, $11)"
		    " ON CONFLICT (digest) DO NOTHING RETURNING id),"
		    " m AS (INSERT INTO peelbench_metrics (result_id, name, value)"
		    " SELECT r.id, u.name, u.value FROM r,"
		    " unnest($12::text[], $13::double precision[]) AS u(name, value))"
		    " SELECT id FROM r", 13, vals, "add", &res);
	free(names);
	free(values);
	if (ret)
		return ret;
	ret = PQntuples(res) ? 0 : 1;
	PQclear(res);
	return ret;
}

static int pg_add(void *impl, const struct pb_history_entry *e, size_t n, bool *dup)
{
	struct pg_history *h = impl;
	size_t i;
	int ret;

	if ((ret = run(h, "BEGIN", "add")))
		return ret;
	for (i = 0; !ret && i < n; i++) {
		ret = add_one(h, &e[i]);
		dup[i] = ret == 1;
		if (ret == 1)
			ret = 0;
	}
	if (!ret)
		return run(h, "COMMIT", "add");
	PQclear(PQexec(h->conn, "ROLLBACK"));
	return ret;
}

static int pg_results(void *impl, pb_history_row_fn fn, void *ctx)
{
	struct pg_history *h = impl;
	PGresult *res;
	int i, ret;

	if ((ret = query(h, "SELECT r.id, r.created, r.kernel, r.accel, r.path, r.config,"
			 " r.complete, (SELECT count(*) FROM peelbench_metrics m"
			 " WHERE m.result_id = r.id), r.machine, r.machine_label"
			 " FROM peelbench_results r ORDER BY r.created COLLATE \"C\", r.id",
			 0, NULL, "list", &res)))
		return ret;
	for (i = 0; !ret && i < PQntuples(res); i++) {
		struct pb_history_row row = {
			.id = atoll(PQgetvalue(res, i, 0)),
			.created = PQgetvalue(res, i, 1),
			.kernel = PQgetvalue(res, i, 2),
			.accel = PQgetvalue(res, i, 3),
			.path = PQgetvalue(res, i, 4),
			.config = PQgetvalue(res, i, 5),
			.complete = !strcmp(PQgetvalue(res, i, 6), "t"),
			.nmetrics = atoi(PQgetvalue(res, i, 7)),
			.machine = PQgetvalue(res, i, 8),
			.machine_label = PQgetvalue(res, i, 9),
		};

		ret = fn(&row, ctx);
	}
	PQclear(res);
	return ret;
}

static int pg_series(void *impl, const char *metric, const char *kernel,
		     pb_history_point_fn fn, void *ctx)
{
	struct pg_history *h = impl;
	const char *vals[2] = { metric, kernel };
	PGresult *res;
	int i, ret;

	if ((ret = query(h, "SELECT r.id, r.created, r.kernel, m.value, r.machine,"
			 " r.machine_label, r.config FROM peelbench_metrics m"
			 " JOIN peelbench_results r ON r.id = m.result_id"
			 " WHERE m.name = $1 AND ($2::text IS NULL OR r.kernel = $2)"
			 " ORDER BY r.created COLLATE \"C\", r.id", 2, vals, "series", &res)))
		return ret;
	for (i = 0; !ret && i < PQntuples(res); i++) {
		struct pb_history_point p = { .id = atoll(PQgetvalue(res, i, 0)) };

		snprintf(p.created, sizeof(p.created), "%s", PQgetvalue(res, i, 1));
		snprintf(p.kernel, sizeof(p.kernel), "%s", PQgetvalue(res, i, 2));
		p.value = strtod(PQgetvalue(res, i, 3), NULL);
		snprintf(p.machine, sizeof(p.machine), "%s", PQgetvalue(res, i, 4));
		snprintf(p.machine_label, sizeof(p.machine_label), "%s", PQgetvalue(res, i, 5));
		ret = fn(&p, PQgetvalue(res, i, 6), ctx);
	}
	PQclear(res);
	return ret;
}

static int pg_metric_names(void *impl, pb_history_name_fn fn, void *ctx)
{
	struct pg_history *h = impl;
	PGresult *res;
	int i, ret;

	if ((ret = query(h, "SELECT DISTINCT name COLLATE \"C\" AS n FROM peelbench_metrics"
			 " ORDER BY n", 0, NULL, "export", &res)))
		return ret;
	for (i = 0; !ret && i < PQntuples(res); i++)
		ret = fn(PQgetvalue(res, i, 0), ctx);
	PQclear(res);
	return ret;
}

static int pg_find_json(void *impl, const char *needle, pb_history_json_fn fn,
			void *ctx)
{
	struct pg_history *h = impl;
	PGresult *res;
	int i, ret;

	if ((ret = query(h, "SELECT id, json FROM peelbench_results"
			 " WHERE strpos(json, $1) > 0 ORDER BY id", 1, &needle, "read", &res)))
		return ret;
	for (i = 0; !ret && i < PQntuples(res); i++)
		ret = fn(atoll(PQgetvalue(res, i, 0)), PQgetvalue(res, i, 1), ctx);
	PQclear(res);
	return ret;
}

const struct pb_history_ops pb_history_pg = {
	.open = pg_open,
	.close = pg_close,
	.name = pg_name,
	.add = pg_add,
	.results = pg_results,
	.series = pg_series,
	.metric_names = pg_metric_names,
	.find_json = pg_find_json,
};
