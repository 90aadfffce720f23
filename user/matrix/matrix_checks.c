// SPDX-License-Identifier: GPL-2.0
/* `matrix --check`: one table of the check cases x kernels, each cell the
 * case's verdict on that kernel (from DIR/KERNEL/check.json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "matrix.h"

const char *mx_check_verdict(struct json_object *check, const char *name)
{
	struct json_object *cases, *c, *v;
	size_t i;

	if (!check || !json_object_object_get_ex(check, "cases", &cases) ||
	    !json_object_is_type(cases, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(cases); i++) {
		c = json_object_array_get_idx(cases, i);
		if (json_object_object_get_ex(c, "name", &v) &&
		    !strcmp(json_object_get_string(v), name) &&
		    json_object_object_get_ex(c, "verdict", &v))
			return json_object_get_string(v);
	}
	return NULL;
}

static const char *short_verdict(const char *v)
{
	if (!v)
		return "-";
	if (!strcmp(v, "pass"))
		return "pass";
	if (!strcmp(v, "known deviation"))
		return "dev";
	if (!strcmp(v, "not applicable"))
		return "n/a";
	return "FAIL";
}

/* Case names in the order of the first kernel that has each. */
static size_t case_names(struct json_object *const *checks, size_t n,
			 const char **names, size_t max)
{
	struct json_object *cases, *v;
	size_t k, i, j, nn = 0;

	for (k = 0; k < n; k++) {
		if (!checks[k] || !json_object_object_get_ex(checks[k], "cases", &cases) ||
		    !json_object_is_type(cases, json_type_array))
			continue;
		for (i = 0; i < json_object_array_length(cases) && nn < max; i++) {
			if (!json_object_object_get_ex(json_object_array_get_idx(cases, i),
						       "name", &v))
				continue;
			for (j = 0; j < nn && strcmp(names[j], json_object_get_string(v)); j++)
				;
			if (j == nn)
				names[nn++] = json_object_get_string(v);
		}
	}
	return nn;
}

void mx_check_table_print(FILE *f, const char *const *labels,
			  struct json_object *const *checks, size_t n)
{
	const char *names[512];
	size_t nn = case_names(checks, n, names, 512), w = strlen("CASE"), i, k;

	if (!nn)
		return;
	for (i = 0; i < nn; i++)
		if (strlen(names[i]) > w)
			w = strlen(names[i]);
	fprintf(f, "%-*s", (int)w, "CASE");
	for (k = 0; k < n; k++)
		fprintf(f, "  %-6s", labels[k]);
	fputc('\n', f);
	for (i = 0; i < nn; i++) {
		fprintf(f, "%-*s", (int)w, names[i]);
		for (k = 0; k < n; k++)
			fprintf(f, "  %-*s", (int)(strlen(labels[k]) > 6 ? strlen(labels[k]) : 6),
				short_verdict(mx_check_verdict(checks[k], names[i])));
		fputc('\n', f);
	}
	fprintf(f, "pass: as promised; dev: known deviation (docs/check.md); n/a: not in this kernel; -: not run\n");
}
