/* SPDX-License-Identifier: GPL-2.0 */
/* env.machine in result files (machine.h has the fields): written by
 * `run`, compared by `compare`. */
#ifndef PEELBENCH_MACHINE_JSON_H
#define PEELBENCH_MACHINE_JSON_H

#include <stddef.h>

#include "machine.h"

struct json_object;

/* {"id", "label", "cpu", "microcode", "ncpu", "mem_gib", "hypervisor",
 * "host_kernel"}: a new object. */
struct json_object *pb_machine_json(const struct pb_machine *m);

/* The fields in which two env.machine objects differ, as
 * 'cpu: "A" -> "B"; ncpu: 2 -> 4' in buf (ids left out: they differ
 * whenever a field does).  Returns how many differ; 0 when either is
 * NULL (a result without env.machine is of an unknown machine). */
int pb_machine_diff(struct json_object *a, struct json_object *b, char *buf,
		    size_t size);

#endif
