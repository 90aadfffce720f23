// SPDX-License-Identifier: GPL-2.0
/* peelbench export --csv [-o DIR] RESULT...: the tables of export.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "export.h"
#include "peelbench.h"
#include "result.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: peelbench export --csv [-o DIR] RESULT...\n\n"
		"Writes CSV tables (see docs): per result TAG.metrics.csv (each metric\n"
		"with its 95%% bootstrap CI), TAG.phase-NAME.csv (histogram and CDF),\n"
		"TAG.events.csv (per-peeloff events); over all results sweep.csv (by\n"
		"config.assocs) and phases.csv (phase p50 with CI per result).\n\n"
		"  --csv          the format (the only one so far)\n"
		"  -o, --output DIR  folder to write to (default results/csv)\n");
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "csv",    no_argument,       NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "help",   no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = "results/csv";
	struct pb_result **rs = NULL;
	bool csv = false;
	size_t n = 0, i, rows, np, tables = 0;
	int opt, ret = PB_EXIT_USAGE;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			csv = true;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return PB_EXIT_OK;
		default:
			pb_err("export: unknown option '%s'; see 'peelbench export --help'",
			       argv[optind - 1]);
			return PB_EXIT_USAGE;
		}
	}
	if (!csv) {
		pb_err("export: say the format: --csv");
		return PB_EXIT_USAGE;
	}
	if (optind >= argc) {
		pb_err("export: no result files given");
		return PB_EXIT_USAGE;
	}
	rs = calloc(argc - optind, sizeof(*rs));
	if (!rs) {
		pb_err("export: out of memory");
		return PB_EXIT_RUNTIME;
	}
	for (; optind < argc; optind++, n++)
		if ((ret = pb_result_load(argv[optind], &rs[n])))
			goto out;
	for (i = 0; i < n; i++) {
		if ((ret = pb_export_result(rs[i], dir, &np)))
			goto out;
		tables += np;
	}
	if ((ret = pb_export_sweep(rs, n, dir, &rows)) ||
	    (ret = pb_export_phases(rs, n, dir)))
		goto out;
	tables += 2;
	printf("wrote %zu tables for %zu result%s to %s\n", tables, n,
	       n == 1 ? "" : "s", dir);
out:
	for (i = 0; i < n; i++)
		pb_result_free(rs[i]);
	free(rs);
	return ret;
}
