// SPDX-License-Identifier: GPL-2.0
/* `peelbench probes [--json] [--kprobe]`: the probe plan for this kernel,
 * one line per phase (phase, symbol, attach, reason).  Reads only; it
 * does not load sctp (trace does). */
#include <getopt.h>
#include <stdio.h>
#include <sys/utsname.h>

#include <json-c/json.h>

#include "commands.h"
#include "peelbench.h"
#include "probes.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: peelbench probes [--json] [--kprobe]\n\n"
		"Print which kernel symbol each peeloff phase is measured at, and how:\n"
		"fentry, kprobe, tracepoint or unavailable (with the reason).\n\n"
		"  --json     print the plan as JSON\n"
		"  --kprobe   the plan when kprobes are forced (trace --kprobe)\n");
}

int cmd_probes(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",   no_argument, NULL, 'j' },
		{ "kprobe", no_argument, NULL, 'k' },
		{ "help",   no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct probe_sources src;
	struct probe_plan plan;
	bool json = false, kprobe = false;
	struct utsname u;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'k':
			kprobe = true;
			break;
		case 'h':
			usage(stdout);
			return PB_EXIT_OK;
		default:
			pb_err("probes: unknown option '%s'; see 'peelbench probes --help'",
			       argv[optind - 1]);
			return PB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		pb_err("probes: unexpected argument '%s'", argv[optind]);
		return PB_EXIT_USAGE;
	}
	probe_sources_read(&src);
	src.force_kprobe = kprobe;
	probe_plan_resolve(&src, &plan);
	probe_sources_free(&src);
	uname(&u);
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "kernel", json_object_new_string(u.release));
		json_object_object_add(o, "sctp_loaded", json_object_new_boolean(plan.sctp_loaded));
		json_object_object_add(o, "probes", probe_plan_json(&plan));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("kernel %s%s\n", u.release,
		       plan.sctp_loaded ? "" : " (sctp not loaded: 'modprobe sctp' or run 'peelbench trace')");
		probe_plan_print(&plan, stdout);
	}
	return PB_EXIT_OK;
}
