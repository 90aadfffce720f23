// SPDX-License-Identifier: GPL-2.0
/* `history export`: the CSV that Apache Otava reads, over either store
 * (history.h, pb_history_export_csv): the results' attributes, then each
 * metric's series merged in by result id. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "peelbench.h"

struct csv_row {
	long long id;
	char *text[6];	/* created, kernel, accel, config, machine, machine_label */
};

struct csv_rows {
	struct csv_row *v;
	size_t n, cap;
	const char *kernel;
};

static void rows_free(struct csv_rows *rs)
{
	size_t i, k;

	for (i = 0; i < rs->n; i++)
		for (k = 0; k < 6; k++)
			free(rs->v[i].text[k]);
	free(rs->v);
}

static int keep_row(const struct pb_history_row *r, void *ctx)
{
	struct csv_rows *rs = ctx;
	const char *text[6] = { r->created, r->kernel, r->accel, r->config,
				r->machine, r->machine_label };
	struct csv_row *row;
	size_t k;

	if (rs->kernel && strcmp(r->kernel, rs->kernel))
		return 0;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 64;
		struct csv_row *nv = realloc(rs->v, cap * sizeof(*nv));

		if (!nv)
			goto oom;
		rs->v = nv;
		rs->cap = cap;
	}
	row = &rs->v[rs->n++];
	memset(row, 0, sizeof(*row));
	row->id = r->id;
	for (k = 0; k < 6; k++)
		if (!(row->text[k] = strdup(text[k])))
			goto oom;
	return 0;
oom:
	pb_err("history export: out of memory");
	return PB_EXIT_RUNTIME;
}

/* values[i * nmetrics + j]: metric j of row i, NAN where it has none.
 * A series is a subsequence of the rows (the same order, the same
 * kernel filter), so one pass merges it. */
static int fill_values(struct pb_history *h, const struct csv_rows *rs,
		       const char *const *metrics, size_t nmetrics,
		       const char *kernel, double *values)
{
	struct pb_history_point *p;
	size_t j, k, i, np;
	int ret;

	for (j = 0; j < nmetrics; j++) {
		if ((ret = pb_history_series(h, metrics[j], kernel, &p, &np)))
			return ret;
		for (k = 0, i = 0; k < np; k++) {
			while (i < rs->n && rs->v[i].id != p[k].id)
				i++;
			if (i < rs->n)
				values[i * nmetrics + j] = p[k].value;
		}
		free(p);
	}
	return 0;
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

static void write_csv(FILE *f, const struct csv_rows *rs, const char *const *metrics,
		      size_t nmetrics, const double *values)
{
	static const char *const head[] = { "kernel", "accel", "config", "machine",
					    "machine_label" };
	size_t i, j, k;

	fputs("time,result", f);
	for (k = 0; k < 5; k++)
		fprintf(f, ",%s", head[k]);
	for (j = 0; j < nmetrics; j++) {
		fputc(',', f);
		csv_field(f, metrics[j]);
	}
	fputc('\n', f);
	for (i = 0; i < rs->n; i++) {
		csv_field(f, rs->v[i].text[0]);
		fprintf(f, ",%lld", rs->v[i].id);
		for (k = 1; k < 6; k++) {
			fputc(',', f);
			csv_field(f, rs->v[i].text[k]);
		}
		for (j = 0; j < nmetrics; j++) {
			double v = values[i * nmetrics + j];

			fputc(',', f);
			if (!isnan(v))
				fprintf(f, "%.17g", v);
		}
		fputc('\n', f);
	}
}

int pb_history_export_csv(struct pb_history *h, const char *const *metrics,
			  size_t nmetrics, const char *kernel, FILE *f)
{
	struct csv_rows rs = { .kernel = kernel };
	double *values = NULL;
	size_t i;
	int ret;

	if ((ret = pb_history_results(h, keep_row, &rs)))
		goto out;
	values = malloc((rs.n * nmetrics + 1) * sizeof(*values));
	if (!values) {
		pb_err("history export: out of memory");
		ret = PB_EXIT_RUNTIME;
		goto out;
	}
	for (i = 0; i < rs.n * nmetrics; i++)
		values[i] = NAN;
	if (!(ret = fill_values(h, &rs, metrics, nmetrics, kernel, values)))
		write_csv(f, &rs, metrics, nmetrics, values);
out:
	free(values);
	rows_free(&rs);
	return ret;
}
