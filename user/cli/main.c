// SPDX-License-Identifier: GPL-2.0
/* peelbench: global options, then dispatch to a subcommand. */
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "machine.h"
#include "peelbench.h"
#include "vm.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "run",     cmd_run,     "create associations, peel them off under load, trace (default)" },
	{ "trace",   cmd_trace,   "trace the peeloff path of the whole system, a PID or a command" },
	{ "probes",  cmd_probes,  "print the probe plan resolved for this kernel" },
	{ "overhead", cmd_overhead, "measure what the tracer costs a peeloff (interleaved A/B)" },
	{ "check",   cmd_check,   "test this kernel against sctp_peeloff(3) and RFC 6458" },
	{ "compare", cmd_compare, "compare two result files with statistics" },
	{ "history", cmd_history, "keep results in SQLite and find change points" },
	{ "plot",    cmd_plot,    "draw gnuplot figures from result files" },
	{ "export",  cmd_export,  "write result tables as CSV" },
	{ "matrix",  cmd_matrix,  "run the benchmark across kernels and sweeps" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	const struct command *c;

	fprintf(f,
		"usage: peelbench [-v] [--vm VERSION [--vm-mem MIB] [--vm-timeout SECONDS]]\n"
		"                 [--machine-label LABEL] [COMMAND] [ARGS...]\n\n"
		"Measures what sctp_peeloff(3) costs the kernel.  With no COMMAND: run.\n\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->help);
	fprintf(f,
		"\n  -v, --verbose        libbpf and debug output\n"
		"  --vm VERSION         run COMMAND inside a QEMU guest booted from the\n"
		"                       newest Debian kernel VERSION (6.1, 6.12, 7.3, ...);\n"
		"                       the current directory and the folder of -o FILE\n"
		"                       are writable there (results/ lands on the host)\n"
		"  --vm-mem MIB         guest memory (default 2048)\n"
		"  --vm-timeout SECONDS hard limit for the guest (default 1800)\n"
		"  --machine-label L    name of this machine in results (env.machine.label;\n"
		"                       default $PEELBENCH_MACHINE_LABEL, else the host name)\n"
		"  -V, --version        print the version\n\n"
		"'peelbench COMMAND --help' describes a command's options.\n");
}

static void find_root(void)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0) {
		pb.root = ".";
		return;
	}
	buf[n] = '\0';
	pb.root = dirname(buf);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose",    no_argument,       NULL, 'v' },
		{ "version",    no_argument,       NULL, 'V' },
		{ "help",       no_argument,       NULL, 'h' },
		{ "vm",         required_argument, NULL, 'M' },
		{ "vm-mem",     required_argument, NULL, 'm' },
		{ "vm-timeout", required_argument, NULL, 't' },
		{ "machine-label", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct vm_opts vm = { 0 };
	const struct command *c;
	int opt;

	find_root();
	opterr = 0;	/* unknown options are left for the command */
	/* '+': stop at the first non-option, the subcommand. */
	while ((opt = getopt_long(argc, argv, "+vVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			pb.verbose++;
			break;
		case 'V':
			printf("peelbench %s\n", PEELBENCH_VERSION);
			return PB_EXIT_OK;
		case 'h':
			usage(stdout);
			return PB_EXIT_OK;
		case 'M':
			vm.version = optarg;
			break;
		case 'm':
			vm.mem = optarg;
			break;
		case 't':
			vm.timeout = optarg;
			break;
		case 'L':
			if (!pb_machine_label_ok(optarg)) {
				pb_err("bad --machine-label: 1 to 63 printable characters");
				return PB_EXIT_USAGE;
			}
			setenv(PB_MACHINE_LABEL_ENV, optarg, 1);
			break;
		default:
			/* An option we do not know may be one of run's:
			 * `peelbench --assocs 100` means `peelbench run --assocs 100`. */
			optind--;
			goto dispatch;
		}
	}
dispatch:
	/* Results written in a guest name the host they ran on. */
	pb_machine_export();
	if (vm.version) {
		vm_share_for_args(&vm, argc - optind, argv + optind);
		return vm_exec(&vm, argc - optind, argv + optind);
	}

	if (optind < argc && argv[optind][0] != '-') {
		for (c = commands; c->name; c++)
			if (!strcmp(c->name, argv[optind]))
				break;
		if (!c->name) {
			pb_err("unknown command '%s'; see 'peelbench --help'", argv[optind]);
			return PB_EXIT_USAGE;
		}
		optind++;
	} else {
		c = &commands[0];
	}
	/* Each command parses its own options from a fresh getopt. */
	argv[optind - 1] = (char *)c->name;
	argc -= optind - 1;
	argv += optind - 1;
	optind = 0;
	return c->fn(argc, argv);
}
