// SPDX-License-Identifier: GPL-2.0
/* peelbench: global options, then dispatch to a subcommand. */
#include <getopt.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "files.h"
#include "machine.h"
#include "opts.h"
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
	{ "bisect",  cmd_bisect,  "find the first kernel release where a metric steps" },
	{ NULL, NULL, NULL },
};

struct global_opts {
	struct vm_opts vm;
	int verbose;
	bool version;
};

/* --machine-label: checked, then handed to every result written below
 * (and to a guest) through the environment. */
static int set_machine_label(const struct pb_opt *opt, const char *val, void *cfg)
{
	if (!pb_machine_label_ok(val)) {
		pb_err("bad --machine-label: 1 to 63 printable characters");
		return PB_EXIT_USAGE;
	}
	setenv(PB_MACHINE_LABEL_ENV, val, 1);
	return 0;
}

/* --vm-mem and --vm-timeout: whole numbers in range, as strictly as
 * every other number, kept as written for the VM runner. */
static int set_vm_number(const struct pb_opt *opt, const char *val, void *cfg)
{
	struct global_opts *g = cfg;
	bool mem = !strcmp(opt->name, "vm-mem");
	unsigned long long n;

	if (!pb_parse_count_opt("", mem ? "--vm-mem" : "--vm-timeout", val, mem ? PB_VM_MEM_MIN : 1,
				mem ? PB_VM_MEM_MAX : PB_VM_TIMEOUT_MAX, &n))
		return PB_EXIT_USAGE;
	*(mem ? &g->vm.mem : &g->vm.timeout) = val;
	return 0;
}

#define O(field) PB_OPT_OFF(struct global_opts, field)
static const struct pb_opt global_opts[] = {
	PB_OPT(PB_OPT_COUNT, 'v', "verbose", O(verbose), NULL, "libbpf and debug output"),
	PB_OPT(PB_OPT_STRING, 0, "vm", O(vm.version), "VERSION",
	  "run COMMAND inside a QEMU guest booted from the\n"
	  "newest Debian kernel VERSION (6.1, 6.12, 7.3, ...);\n"
	  "the current directory and the folder of -o FILE\n"
	  "are writable there (results/ lands on the host)"),
	PB_OPT(PB_OPT_LIST, 0, "vm-deb", O(vm.debs), "FILE",
	  "the same, booted from local kernel packages: a\n"
	  "linux-image .deb and the packages it needs\n"
	  "(repeatable)"),
	PB_OPT(PB_OPT_STRING, 0, "vm-kernel-image", O(vm.image), "FILE",
	  "the same, booted from a kernel build: a bzImage\n"
	  "(or a vmlinux with a PVH entry), with\n"
	  "--vm-modules DIR: its modules_install tree\n"
	  "(INSTALL_MOD_PATH) or its build tree"),
	PB_OPT(PB_OPT_STRING, 0, "vm-modules", O(vm.modules), "DIR",
	  "the modules of --vm-kernel-image"),
	PB_OPT(PB_OPT_FLAG, 0, "vm-allow-unverified", O(vm.allow_unverified), NULL,
	  "also boot a kernel whose packages only the\n"
	  "archive's pool still has (no signed checksum)"),
	PB_OPT(PB_OPT_CALL, 0, "vm-mem", 0, "MIB",
	  "guest memory (default 2048; for run 2048 +\n"
	  "assocs/10)", .call = set_vm_number),
	PB_OPT(PB_OPT_CALL, 0, "vm-timeout", 0, "SECONDS",
	  "hard limit for the guest (default 1800)", .call = set_vm_number),
	PB_OPT(PB_OPT_LIST, 0, "vm-sysctl", O(vm.sysctls), "KEY=VALUE",
	  "set a sysctl in the guest before COMMAND runs\n"
	  "(net.sctp.sctp_mem='100 200 300'; repeatable)"),
	PB_OPT(PB_OPT_CALL, 0, "machine-label", 0, "L",
	  "name of this machine in results (env.machine.label;\n"
	  "default $PEELBENCH_MACHINE_LABEL, else the host name)",
	  .call = set_machine_label),
	PB_OPT(PB_OPT_STOP, 'V', "version", O(version), NULL, "print the version"),
	PB_OPT_TABLE_END,
};
#undef O

/* The synopsis, then one line per command of the table above. */
static const char *global_head(void)
{
	static char buf[2048];
	const struct command *c;
	size_t n;

	n = (size_t)snprintf(buf, sizeof(buf), "%s",
		"usage: peelbench [-v] [--vm VERSION | --vm-deb FILE...\n"
		"                 | --vm-kernel-image FILE --vm-modules DIR] [--vm-mem MIB]\n"
		"                 [--vm-timeout SECONDS] [--vm-sysctl KEY=VALUE]...\n"
		"                 [--vm-allow-unverified]\n"
		"                 [--machine-label LABEL] [COMMAND] [ARGS...]\n\n"
		"Measures what sctp_peeloff(3) costs the kernel.  With no COMMAND: run.\n\n");
	for (c = commands; c->name && n < sizeof(buf); c++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "  %-9s %s\n", c->name, c->help);
	if (n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - n, "\n");
	return buf;
}

/* Global options stop at the command; an option they do not know is
 * the command's, and with no command run's: `peelbench --assocs 100`
 * is `peelbench run --assocs 100`. */
static struct pb_cmd_spec global_spec = {
	.name = "",
	.tail = "\n'peelbench COMMAND --help' describes a command's options.\n",
	.opts = global_opts,
	.help_col = 23,
	.max_args = INT_MAX,
	.stop_at_arg = true,
	.pass_unknown = true,
};

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

/* With --json, a failing command's error also goes to stdout as a JSON
 * object, as bpftool's -j does: a script that parses stdout always gets
 * JSON.  A command that ran (0, 1) or was stopped (its partial result
 * printed) has written its own. */
static int finish(int ret)
{
	const char *msg = pb_first_error();
	struct json_object *o;

	ret = pb_exit_stopped(ret);
	if (pb.json && msg && ret >= PB_EXIT_USAGE && ret < 128 &&
	    (o = json_object_new_object())) {
		json_object_object_add(o, "error", json_object_new_string(msg));
		json_object_object_add(o, "exit", json_object_new_int(ret));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	return pb_finish_stdout(ret);
}

int main(int argc, char **argv)
{
	struct global_opts g = { 0 };
	const struct command *c;
	int first, err;

	pb_stdout_begin();
	find_root();
	global_spec.head = global_head();
	err = pb_opts_parse(&global_spec, argc, argv, &g, &first);
	if (err < 0 && g.version)
		printf("peelbench %s\n", PEELBENCH_VERSION);
	if (err)
		return err < 0 ? pb_finish_stdout(PB_EXIT_OK) : err;
	pb.verbose += g.verbose;
	/* Results written in a guest name the host they ran on. */
	pb_machine_export();
	optind = first;
	if (g.vm.sysctls.n && !vm_wanted(&g.vm)) {
		pb_err("--vm-sysctl sets a guest's sysctl: it needs --vm VERSION (or --vm-deb, --vm-kernel-image)");
		return finish(PB_EXIT_USAGE);
	}
	if (vm_wanted(&g.vm)) {
		char mem[32];

		/* run is sized against its work, as its own fallback does */
		if (!g.vm.mem && (optind == argc || argv[optind][0] == '-' ||
				  !strcmp(argv[optind], "run"))) {
			snprintf(mem, sizeof(mem), "%llu", run_args_guest_mem(argc - optind, argv + optind));
			g.vm.mem = mem;
		}
		vm_share_for_args(&g.vm, argc - optind, argv + optind);
		return vm_exec(&g.vm, argc - optind, argv + optind);
	}

	if (optind < argc && argv[optind][0] != '-') {
		for (c = commands; c->name; c++)
			if (!strcmp(c->name, argv[optind]))
				break;
		if (!c->name) {
			pb_err("unknown command '%s'; see 'peelbench --help'", argv[optind]);
			return finish(PB_EXIT_USAGE);
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
	return finish(c->fn(argc, argv));
}
