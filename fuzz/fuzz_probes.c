// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the probe plan's inputs (user/tracer/probes.c):
 * any /proc/kallsyms, available_filter_functions and BTF function list
 * resolves into a plan whose every symbol and reason is a terminated
 * string, and which prints as text and JSON.  Input: a flags byte
 * (fentry, kprobes, syscall_tp, force_kprobe, and which texts are
 * missing), then the three texts separated by "\n\x01\n". */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "probes.h"

static char *part(const char **p, const char *end)
{
	const char *sep = memmem(*p, (size_t)(end - *p), "\n\x01\n", 3);
	const char *stop = sep ? sep : end;
	char *s = strndup(*p, (size_t)(stop - *p));

	*p = sep ? sep + 3 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	struct probe_sources src = { 0 };
	struct probe_plan plan;
	struct json_object *j;
	FILE *sink;

	if (size < 1)
		return 0;
	src.fentry = data[0] & 1;
	src.kprobes = data[0] & 2;
	src.syscall_tp = data[0] & 4;
	src.force_kprobe = data[0] & 8;
	src.kallsyms = part(&p, end);
	src.filter_funcs = part(&p, end);
	src.btf_funcs = part(&p, end);
	for (int i = 0; i < 3; i++)
		if (data[0] & (16 << i)) {
			char **t = i == 0 ? &src.kallsyms : i == 1 ? &src.filter_funcs
								 : &src.btf_funcs;
			free(*t);
			*t = NULL;
		}
	probe_plan_resolve(&src, &plan);
	probe_plan_select(&plan, (unsigned)data[0] * 0x01010101u);
	sink = fopen("/dev/null", "w");
	probe_plan_print(&plan, sink);
	fclose(sink);
	j = probe_plan_json(&plan);
	json_object_to_json_string(j);
	json_object_put(j);
	probe_sources_free(&src);
	return 0;
}
