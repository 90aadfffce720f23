// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for matrix plans (user/matrix/matrix_opts.c,
 * matrix.c): any argument vector (the input, newline separated) either
 * parses into options whose plan, run order, cell arguments and result
 * paths are then safe to build, or is refused with one line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"

#define FZ_MAX_ARGS 64

static void plan(const struct mx_opts *o)
{
	struct mx_plan p;
	struct mx_step *steps;
	const char **args;
	char path[4096];
	size_t n;

	if (mx_plan_build(o, &p))
		return;
	n = (size_t)o->repeat * o->nkernels * p.ncells;
	steps = n <= 100000 ? calloc(n ? n : 1, sizeof(*steps)) : NULL;
	if (steps) {
		mx_order(&p, steps);
		free(steps);
	}
	for (size_t c = 0; c < p.ncells; c++) {
		args = NULL;
		mx_cell_args(&p, c, &args);
		free(args);
		for (size_t k = 0; k < o->nkernels; k++)
			mx_run_path(o->outdir ? o->outdir : "out", o->kernels[k],
				    p.cells[c].name, o->repeat, "json", path, sizeof(path));
	}
	mx_max_number(o, "assocs");
	mx_plan_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[FZ_MAX_ARGS + 1], *p;
	struct mx_opts o;
	int argc = 1;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "matrix";
	for (p = buf; argc < FZ_MAX_ARGS && p < buf + size; argc++) {
		argv[argc] = p;
		p += strcspn(p, "\n");
		*p++ = '\0';
	}
	argv[argc] = NULL;
	memset(&o, 0, sizeof(o));
	if (!mx_parse(argc, argv, &o))
		plan(&o);
	mx_opts_free(&o);
	free(buf);
	return 0;
}
