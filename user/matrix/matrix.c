// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix`: cell planning and run order (matrix.h).  No
 * processes and no files here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "peelbench.h"

int mx_plan_build(const struct mx_opts *o, struct mx_plan *p)
{
	size_t n = 1, c, s;

	for (s = 0; s < o->nsweeps; s++)
		n *= o->sweeps[s].n;
	p->o = o;
	p->ncells = n;
	p->cells = calloc(n, sizeof(*p->cells));
	if (!p->cells) {
		pb_err("matrix: out of memory");
		return PB_EXIT_RUNTIME;
	}
	for (c = 0; c < n; c++) {
		struct mx_cell *cell = &p->cells[c];
		size_t rest = c, off = 0;

		/* the last sweep varies fastest */
		for (s = o->nsweeps; s-- > 0;) {
			cell->idx[s] = rest % o->sweeps[s].n;
			rest /= o->sweeps[s].n;
		}
		for (s = 0; s < o->nsweeps; s++)
			off += snprintf(cell->name + off,
					off < sizeof(cell->name) ? sizeof(cell->name) - off : 0,
					"%s%s=%s", s ? "+" : "", o->sweeps[s].key,
					o->sweeps[s].values[cell->idx[s]]);
		if (!o->nsweeps)
			snprintf(cell->name, sizeof(cell->name), "default");
		if (off >= sizeof(cell->name)) {
			pb_err("matrix: cell name too long: shorten the sweep values");
			mx_plan_free(p);
			return PB_EXIT_USAGE;
		}
	}
	return 0;
}

void mx_plan_free(struct mx_plan *p)
{
	free(p->cells);
	p->cells = NULL;
	p->ncells = 0;
}

size_t mx_order(const struct mx_plan *p, struct mx_step *out)
{
	size_t n = 0, k, c;
	unsigned r;

	for (r = 1; r <= p->o->repeat; r++)
		for (k = 0; k < p->o->nkernels; k++)
			for (c = 0; c < p->ncells; c++)
				out[n++] = (struct mx_step){ r, k, c };
	return n;
}

size_t mx_cell_args(const struct mx_plan *p, size_t cell, const char ***argv)
{
	const struct mx_opts *o = p->o;
	const char **v = calloc(o->nrun_args + 2 * o->nsweeps + 1, sizeof(*v));
	size_t n = 0, i;

	*argv = v;
	if (!v)
		return 0;
	for (i = 0; i < o->nrun_args; i++)
		v[n++] = o->run_args[i];
	for (i = 0; i < o->nsweeps; i++) {
		v[n++] = o->sweeps[i].flag;
		v[n++] = o->sweeps[i].values[p->cells[cell].idx[i]];
	}
	return n;
}

void mx_run_path(const char *dir, const char *kernel, const char *cell,
		 unsigned round, const char *ext, char *out, size_t size)
{
	snprintf(out, size, "%s/%s/%s-r%u.%s", dir, kernel, cell, round, ext);
}
