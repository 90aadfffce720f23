// SPDX-License-Identifier: GPL-2.0
/* `peelbench probes [--json] [--kprobe]`: the probe plan for this kernel,
 * one line per phase (phase, symbol, attach, reason).  Reads only; it
 * does not load sctp (trace does). */
#include <stdio.h>
#include <sys/utsname.h>

#include <json-c/json.h>

#include "commands.h"
#include "opts.h"
#include "peelbench.h"
#include "probes.h"

struct probes_opts {
	bool json, kprobe;
};

static const struct pb_opt probes_opts[] = {
	PB_OPT(PB_OPT_FLAG, 0, "json", PB_OPT_OFF(struct probes_opts, json), NULL,
	  "print the plan as JSON"),
	PB_OPT(PB_OPT_FLAG, 0, "kprobe", PB_OPT_OFF(struct probes_opts, kprobe), NULL,
	  "the plan when kprobes are forced (trace --kprobe)"),
	PB_OPT_TABLE_END,
};

static const struct pb_cmd_spec probes_spec = {
	.name = "probes",
	.head = "usage: peelbench probes [--json] [--kprobe]\n\n"
		"Print which kernel symbol each peeloff phase is measured at, and how:\n"
		"fentry, kprobe, tracepoint or unavailable (with the reason).\n\n",
	.opts = probes_opts,
	.help_col = 13,
};

int cmd_probes(int argc, char **argv)
{
	struct probes_opts o = { 0 };
	struct probe_sources src;
	struct probe_plan plan;
	struct utsname u;
	int first, err;

	err = pb_opts_parse(&probes_spec, argc, argv, &o, &first);
	if (err)
		return err < 0 ? PB_EXIT_OK : err;
	probe_sources_read(&src);
	src.force_kprobe = o.kprobe;
	probe_plan_resolve(&src, &plan);
	probe_sources_free(&src);
	uname(&u);
	if (o.json) {
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
