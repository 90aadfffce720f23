// SPDX-License-Identifier: GPL-2.0
/* peelbench export --csv [-o DIR] RESULT...: the tables of export.h. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "export.h"
#include "opts.h"
#include "peelbench.h"
#include "result.h"

struct export_opts {
	bool csv;
	const char *dir;
};

static const struct pb_opt export_opts[] = {
	PB_OPT(PB_OPT_FLAG, 0, "csv", PB_OPT_OFF(struct export_opts, csv), NULL,
	  "the format (the only one so far)"),
	PB_OPT(PB_OPT_STRING, 'o', "output", PB_OPT_OFF(struct export_opts, dir), "DIR",
	  "folder to write to (default results/csv)"),
	PB_OPT_TABLE_END,
};

static const struct pb_cmd_spec export_spec = {
	.name = "export",
	.head = "usage: peelbench export --csv [-o DIR] RESULT...\n\n"
		"Writes CSV tables (see docs): per result TAG.metrics.csv (each metric\n"
		"with its 95% bootstrap CI), TAG.phase-NAME.csv (histogram and CDF),\n"
		"TAG.events.csv (per-peeloff events); over all results sweep.csv (by\n"
		"config.assocs) and phases.csv (phase p50 with CI per result).\n\n",
	.opts = export_opts,
	.help_col = 17,
	.max_args = ~0u,
	.missing_is_unknown = true,
};

/* Every table of every result, then the tables over all of them. */
static int export_all(struct pb_result **rs, size_t n, const char *dir)
{
	size_t i, rows, np, tables = 0;
	int ret;

	for (i = 0; i < n; i++) {
		if ((ret = pb_export_result(rs[i], dir, &np)))
			return ret;
		tables += np;
	}
	if ((ret = pb_export_sweep(rs, n, dir, &rows)) ||
	    (ret = pb_export_phases(rs, n, dir)))
		return ret;
	tables += 2;
	printf("wrote %zu tables for %zu result%s to %s\n", tables, n,
	       n == 1 ? "" : "s", dir);
	return 0;
}

int cmd_export(int argc, char **argv)
{
	struct export_opts o = { .dir = "results/csv" };
	struct pb_result **rs;
	size_t n = 0, i;
	int first, ret;

	ret = pb_opts_parse(&export_spec, argc, argv, &o, &first);
	if (ret)
		return ret < 0 ? PB_EXIT_OK : ret;
	if (!o.csv) {
		pb_err("export: say the format: --csv");
		return PB_EXIT_USAGE;
	}
	if (first >= argc) {
		pb_err("export: no result files given");
		return PB_EXIT_USAGE;
	}
	rs = calloc(argc - first, sizeof(*rs));
	if (!rs) {
		pb_err("export: out of memory");
		return PB_EXIT_RUNTIME;
	}
	for (; first < argc; first++, n++)
		if ((ret = pb_result_load_ex(argv[first], PB_LOAD_COMPACT, &rs[n])))
			break;
	if (!ret)
		ret = pb_export_tags_distinct(rs, n, "export");
	if (!ret)
		ret = export_all(rs, n, o.dir);
	for (i = 0; i < n; i++)
		pb_result_free(rs[i]);
	free(rs);
	return ret;
}
