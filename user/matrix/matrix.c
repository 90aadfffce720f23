// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix`: options, cell planning and run order (matrix.h).
 * No processes and no files here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "peelbench.h"

void mx_usage(FILE *f)
{
	fprintf(f,
		"usage: peelbench matrix --kernels K1,K2,... [--sweep KEY=V1,V2,...]...\n"
		"                        [--repeat N] [-o DIR] [--db FILE] [--check]\n"
		"                        [RUN OPTIONS...] [-- RUN OPTIONS...]\n\n"
		"Runs the same `peelbench run` workload on every kernel and every cell\n"
		"(the cartesian product of the sweeps), each REPEAT times, interleaved:\n"
		"round 1 of every kernel and cell, then round 2, ...  A kernel is a\n"
		"Debian kernel version booted in a QEMU guest (one guest per kernel per\n"
		"round runs all that kernel's cells), or `host` (this machine, natively;\n"
		"also a version that matches this kernel when it has SCTP).\n\n"
		"  --kernels LIST       kernels to compare; the first is the baseline\n"
		"  --sweep KEY=V1,...   a run option and its values (up to %d sweeps)\n"
		"  --repeat N           runs of every kernel and cell (default 3)\n"
		"  -o, --output DIR     results (default results/matrix-TIME):\n"
		"                       DIR/KERNEL/CELL-rN.json and .log, matrix.json,\n"
		"                       DIR/plots\n"
		"  --db FILE            history database (default $PEELBENCH_HISTORY or\n"
		"                       results/history.db)\n"
		"  --no-history         do not store the results in the database\n"
		"  --check              also `peelbench check` once per kernel\n"
		"  --json               print matrix.json instead of the table\n"
		"  --no-plot            no figures\n"
		"  --vm-mem MIB         guest memory (default 2048 + assocs/10)\n"
		"  --vm-timeout SEC     limit for one guest (all its cells of a round)\n"
		"  --run-repeat N       measured rounds inside each run (run's --repeat)\n"
		"  -h, --help           this text\n\n"
		"Any other option (--assocs 500, --backlog=64, --no-trace, ...) is\n"
		"handed to every run.  Exit: 0 every cell ran, 1 a cell failed (the\n"
		"others still ran), 2 bad option, 130 interrupted.\n",
		MX_MAX_SWEEPS);
}

/* Names that become folder, file and gnuplot names: no quotes, spaces,
 * slashes, nor the '+' and '=' that join a cell's name. */
static bool plain_name(const char *s, const char *extra)
{
	if (!*s || *s == '.' || *s == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

static int parse_kernels(struct mx_opts *o, const char *arg)
{
	char *s, *tok, *save = NULL;
	size_t i;

	free(o->buf[MX_MAX_SWEEPS]);
	s = o->buf[MX_MAX_SWEEPS] = strdup(arg);
	if (!s)
		return PB_EXIT_RUNTIME;
	o->nkernels = 0;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!plain_name(tok, "._-")) {
			pb_err("matrix: --kernels: '%s' is not a kernel version (6.1, 7.3, host, ...)", tok);
			return PB_EXIT_USAGE;
		}
		for (i = 0; i < o->nkernels; i++)
			if (!strcmp(o->kernels[i], tok)) {
				pb_err("matrix: --kernels: '%s' is given twice", tok);
				return PB_EXIT_USAGE;
			}
		if (o->nkernels == MX_MAX_KERNELS) {
			pb_err("matrix: --kernels: more than %d kernels", MX_MAX_KERNELS);
			return PB_EXIT_USAGE;
		}
		o->kernels[o->nkernels++] = tok;
	}
	if (!o->nkernels) {
		pb_err("matrix: --kernels: empty list");
		return PB_EXIT_USAGE;
	}
	return 0;
}

static int parse_sweep(struct mx_opts *o, const char *arg)
{
	struct mx_sweep *sw;
	char *s, *eq, *tok, *save = NULL;
	size_t i, j;

	if (o->nsweeps == MX_MAX_SWEEPS) {
		pb_err("matrix: more than %d --sweep options", MX_MAX_SWEEPS);
		return PB_EXIT_USAGE;
	}
	s = o->buf[o->nsweeps] = strdup(arg);
	if (!s)
		return PB_EXIT_RUNTIME;
	eq = strchr(s, '=');
	if (!eq || eq == s || !eq[1]) {
		pb_err("matrix: --sweep '%s': want KEY=V1,V2,... (e.g. assocs=1000,5000)", arg);
		return PB_EXIT_USAGE;
	}
	*eq = '\0';
	sw = &o->sweeps[o->nsweeps];
	sw->key = s;
	if (!plain_name(s, "-") || strpbrk(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") ||
	    strlen(s) + 3 > sizeof(sw->flag)) {
		pb_err("matrix: --sweep: '%s' is not a run option name", s);
		return PB_EXIT_USAGE;
	}
	if (!strcmp(s, "output") || !strcmp(s, "no-vm") || !strcmp(s, "vm-kernel") ||
	    !strcmp(s, "vm-mem") || !strcmp(s, "no-trace")) {
		pb_err("matrix: --sweep: '%s' cannot be swept", s);
		return PB_EXIT_USAGE;
	}
	for (i = 0; i < o->nsweeps; i++)
		if (!strcmp(o->sweeps[i].key, s)) {
			pb_err("matrix: --sweep: '%s' is swept twice", s);
			return PB_EXIT_USAGE;
		}
	snprintf(sw->flag, sizeof(sw->flag), "--%s", s);
	sw->n = 0;
	for (tok = strtok_r(eq + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!plain_name(tok, "._:-") && !(tok[0] == '-' && plain_name(tok + 1, "._:"))) {
			pb_err("matrix: --sweep %s: bad value '%s'", s, tok);
			return PB_EXIT_USAGE;
		}
		for (j = 0; j < sw->n; j++)
			if (!strcmp(sw->values[j], tok)) {
				pb_err("matrix: --sweep %s: value '%s' given twice", s, tok);
				return PB_EXIT_USAGE;
			}
		if (sw->n == MX_MAX_VALUES) {
			pb_err("matrix: --sweep %s: more than %d values", s, MX_MAX_VALUES);
			return PB_EXIT_USAGE;
		}
		sw->values[sw->n++] = tok;
	}
	if (!sw->n) {
		pb_err("matrix: --sweep %s: no values", s);
		return PB_EXIT_USAGE;
	}
	o->nsweeps++;
	return 0;
}

static bool parse_count(const char *opt, const char *arg, unsigned long long min,
			unsigned long long max, unsigned long long *out)
{
	if (pb_parse_u64(arg, min, max, out))
		return true;
	pb_err("matrix: %s: '%s' is not a whole number from %llu to %llu", opt, arg,
	       min, max);
	return false;
}

/* Run options the matrix sets itself, per run, or which would break it. */
static const char *const reserved[] = { "output", "no-vm", "vm-kernel", "vm-mem",
					"repeat", NULL };

/* --run-repeat N reaches run as this very string, "--repeat N". */
const char mx_run_repeat_flag[] = "--repeat";
#define run_repeat_flag mx_run_repeat_flag

/* The long name of a run option ("--assocs=5" → "assocs"), in buf. */
static const char *opt_name(const char *arg, char *buf, size_t size)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

	if (n >= size)
		n = size - 1;
	memcpy(buf, arg + 2, n);
	buf[n] = '\0';
	return buf;
}

static int check_run_args(const struct mx_opts *o)
{
	char name[64];
	size_t i, j, k;

	for (i = 0; i < o->nrun_args; i++) {
		const char *a = o->run_args[i];

		if (!strcmp(a, "-o")) {
			pb_err("matrix: the matrix names every run's result file; -o is its folder");
			return PB_EXIT_USAGE;
		}
		if (strncmp(a, "--", 2) || !a[2])
			continue;
		opt_name(a, name, sizeof(name));
		if (a == run_repeat_flag)	/* from --run-repeat */
			continue;
		for (j = 0; reserved[j]; j++)
			if (!strcmp(name, reserved[j])) {
				pb_err("matrix: run option --%s is the matrix's to set", name);
				return PB_EXIT_USAGE;
			}
		for (k = 0; k < o->nsweeps; k++)
			if (!strcmp(name, o->sweeps[k].key)) {
				pb_err("matrix: --%s is both a run option and a --sweep", name);
				return PB_EXIT_USAGE;
			}
	}
	return 0;
}

int mx_parse(int argc, char **argv, struct mx_opts *o)
{
	unsigned long long n;
	const char *a, *val;
	bool after_dashes = false;
	int i, ret;

	memset(o, 0, sizeof(*o));
	o->repeat = 3;
	o->run_args = calloc(argc + 3, sizeof(*o->run_args));
	if (!o->run_args) {
		pb_err("matrix: out of memory");
		return PB_EXIT_RUNTIME;
	}
	for (i = 1; i < argc; i++) {
		char name[64];
		const char *eq;

		a = argv[i];
		if (after_dashes) {
			o->run_args[o->nrun_args++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			after_dashes = true;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			mx_usage(stdout);
			return -1;
		}
		if (a[0] != '-') {
			pb_err("matrix: unexpected argument '%s'; see 'peelbench matrix --help'", a);
			return PB_EXIT_USAGE;
		}
		if (!strcmp(a, "--no-history") || !strcmp(a, "--no-plot") ||
		    !strcmp(a, "--check") || !strcmp(a, "--json")) {
			if (a[2] == 'c')
				o->check = true;
			else if (a[2] == 'j')
				o->json = true;
			else if (a[5] == 'h')
				o->no_history = true;
			else
				o->no_plot = true;
			continue;
		}
		if (!strcmp(a, "--no-trace")) {
			o->run_args[o->nrun_args++] = a;
			continue;
		}
		/* Every other option takes a value: "--x v" or "--x=v". */
		if (a[1] == '-' && (eq = strchr(a, '='))) {
			val = eq + 1;
			opt_name(a, name, sizeof(name));
		} else if (!strcmp(a, "-o")) {
			snprintf(name, sizeof(name), "output");
			if (i + 1 >= argc) {
				pb_err("matrix: option '-o' needs a value");
				return PB_EXIT_USAGE;
			}
			val = argv[++i];
		} else if (a[1] == '-' && a[2]) {
			opt_name(a, name, sizeof(name));
			if (i + 1 >= argc) {
				pb_err("matrix: option '%s' needs a value", a);
				return PB_EXIT_USAGE;
			}
			val = argv[++i];
		} else {
			pb_err("matrix: unknown option '%s'; see 'peelbench matrix --help'", a);
			return PB_EXIT_USAGE;
		}
		if (!strcmp(name, "kernels")) {
			if ((ret = parse_kernels(o, val)))
				return ret;
		} else if (!strcmp(name, "sweep")) {
			if ((ret = parse_sweep(o, val)))
				return ret;
		} else if (!strcmp(name, "repeat")) {
			if (!parse_count("--repeat", val, 1, MX_MAX_REPEAT, &n))
				return PB_EXIT_USAGE;
			o->repeat = n;
		} else if (!strcmp(name, "output")) {
			if (!*val) {
				pb_err("matrix: -o: empty folder name");
				return PB_EXIT_USAGE;
			}
			o->outdir = val;
		} else if (!strcmp(name, "db")) {
			o->db = val;
		} else if (!strcmp(name, "vm-mem")) {
			if (!parse_count("--vm-mem", val, 256, 1 << 20, &n))
				return PB_EXIT_USAGE;
			o->vm_mem = val;
		} else if (!strcmp(name, "vm-timeout")) {
			if (!parse_count("--vm-timeout", val, 1, 7 * 86400, &n))
				return PB_EXIT_USAGE;
			o->vm_timeout = val;
		} else if (!strcmp(name, "run-repeat")) {
			if (!parse_count("--run-repeat", val, 1, 1000000, &n))
				return PB_EXIT_USAGE;
			o->run_args[o->nrun_args++] = run_repeat_flag;
			o->run_args[o->nrun_args++] = val;
		} else if (!strcmp(name, "inner")) {
			o->inner = val;
		} else if (!strcmp(name, "round")) {
			if (!parse_count("--round", val, 1, MX_MAX_REPEAT, &n))
				return PB_EXIT_USAGE;
			o->round = n;
		} else {
			/* a run option, as it was written */
			o->run_args[o->nrun_args++] = a;
			if (!strchr(a, '='))
				o->run_args[o->nrun_args++] = val;
		}
	}
	if (!o->nkernels && !o->inner) {
		pb_err("matrix: --kernels LIST is required (e.g. --kernels 6.1,7.3)");
		return PB_EXIT_USAGE;
	}
	if (o->inner && (!o->round || o->round > o->repeat || !o->outdir)) {
		pb_err("matrix: --inner needs --round (at most --repeat) and -o");
		return PB_EXIT_USAGE;
	}
	n = 1;
	for (i = 0; i < (int)o->nsweeps; i++)
		n *= o->sweeps[i].n;
	if (n > MX_MAX_CELLS) {
		pb_err("matrix: the sweeps make %llu cells, more than %d", n, MX_MAX_CELLS);
		return PB_EXIT_USAGE;
	}
	return check_run_args(o);
}

void mx_opts_free(struct mx_opts *o)
{
	size_t i;

	for (i = 0; i <= MX_MAX_SWEEPS; i++)
		free(o->buf[i]);
	free(o->run_args);
	memset(o, 0, sizeof(*o));
}

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

unsigned long long mx_max_number(const struct mx_opts *o, const char *key)
{
	unsigned long long max = 0, v;
	char name[64];
	size_t i, j;

	for (i = 0; i < o->nsweeps; i++)
		if (!strcmp(o->sweeps[i].key, key))
			for (j = 0; j < o->sweeps[i].n; j++)
				if (pb_parse_u64(o->sweeps[i].values[j], 0, ~0ULL, &v) && v > max)
					max = v;
	for (i = 0; i < o->nrun_args; i++) {
		const char *a = o->run_args[i], *val;

		if (strncmp(a, "--", 2) || strcmp(opt_name(a, name, sizeof(name)), key))
			continue;
		val = strchr(a, '=') ? strchr(a, '=') + 1 :
		      i + 1 < o->nrun_args ? o->run_args[i + 1] : "";
		if (pb_parse_u64(val, 0, ~0ULL, &v) && v > max)
			max = v;
	}
	return max;
}
