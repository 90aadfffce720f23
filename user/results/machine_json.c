// SPDX-License-Identifier: GPL-2.0
/* env.machine in result files (machine_json.h). */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "machine_json.h"

/* The fields, in the order they are written and named in a refusal. */
static const char *const fields[] = {
	"label", "cpu", "microcode", "ncpu", "mem_gib", "hypervisor", "host_kernel",
};

struct json_object *pb_machine_json(const struct pb_machine *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(m->id));
	json_object_object_add(o, "label", json_object_new_string(m->label));
	json_object_object_add(o, "cpu", json_object_new_string(m->cpu));
	json_object_object_add(o, "microcode", json_object_new_string(m->microcode));
	json_object_object_add(o, "ncpu", json_object_new_int(m->ncpu));
	json_object_object_add(o, "mem_gib", json_object_new_int64(m->mem_gib));
	json_object_object_add(o, "hypervisor", json_object_new_string(m->hypervisor));
	json_object_object_add(o, "host_kernel", json_object_new_string(m->host_kernel));
	return o;
}

static const char *text_of(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return "(absent)";
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
}

int pb_machine_diff(struct json_object *a, struct json_object *b, char *buf,
		    size_t size)
{
	size_t i, off = 0;
	int n = 0;

	if (size)
		buf[0] = '\0';
	if (!a || !b)
		return 0;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char va[256];

		snprintf(va, sizeof(va), "%s", text_of(a, fields[i]));
		if (!strcmp(va, text_of(b, fields[i])))
			continue;
		if (off < size)
			off += snprintf(buf + off, size - off, "%s%s: %s -> %s",
					n ? "; " : "", fields[i], va,
					text_of(b, fields[i]));
		n++;
	}
	/* The same fields and other ids: written by another peelbench. */
	if (!n && strcmp(text_of(a, "id"), text_of(b, "id"))) {
		snprintf(buf, size, "id: %s -> %s", text_of(a, "id"), text_of(b, "id"));
		n = 1;
	}
	return n;
}
