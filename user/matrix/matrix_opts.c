// SPDX-License-Identifier: GPL-2.0
/* `peelbench matrix`: its options (matrix.h).  One table (user/common
 * opts.h) gives the parse and the help's option lines; options that are
 * not the matrix's own are run options, handed to every `peelbench run`
 * as they were written. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "matrix.h"
#include "opts.h"
#include "peelbench.h"

#define MX_STR_(x) #x
#define MX_STR(x) MX_STR_(x)

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

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* The label of a path kernel: the name of its last part (without ".deb"),
 * its characters outside plain_name's made '-'. */
static void path_label(const char *path, char *out, size_t size)
{
	const char *b;
	size_t len, i;

	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	for (b = path + len; b > path && b[-1] != '/'; b--)
		;
	len -= (size_t)(b - path);
	if (len > 4 && !strncmp(b + len - 4, ".deb", 4))
		len -= 4;
	if (len >= size)
		len = size - 1;
	for (i = 0; i < len; i++)
		out[i] = isalnum((unsigned char)b[i]) || strchr("._-", b[i]) ? b[i] : '-';
	out[len] = '\0';
	if (!len || out[0] == '.' || out[0] == '-')
		out[0] = 'k';
}

int mx_kernel_path(char *tok, struct mx_kpath *kp)
{
	char *colon = strrchr(tok, ':');
	size_t len = strlen(tok);

	memset(kp, 0, sizeof(*kp));
	if (colon) {
		*colon = '\0';
		kp->image = tok;
		kp->modules = colon + 1;
		path_label(kp->modules, kp->label, sizeof(kp->label));
	} else if (len > 4 && !strcmp(tok + len - 4, ".deb")) {
		kp->deb = tok;
		path_label(tok, kp->label, sizeof(kp->label));
	} else if (is_dir(tok)) {
		snprintf(kp->tree_image, sizeof(kp->tree_image), "%s/arch/x86/boot/bzImage", tok);
		kp->image = kp->tree_image;
		kp->modules = tok;
		path_label(tok, kp->label, sizeof(kp->label));
	} else {
		pb_err("matrix: --kernels: '%s': a path is FILE.deb, IMAGE:MODULES_DIR or a kernel build tree", tok);
		return PB_EXIT_USAGE;
	}
	return 0;
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
	memset(o->kpath, 0, sizeof(o->kpath));
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strchr(tok, '/') && o->nkernels < MX_MAX_KERNELS) {
			struct mx_kpath *kp = &o->kpath[o->nkernels];

			if (mx_kernel_path(tok, kp))
				return PB_EXIT_USAGE;
			tok = kp->label;
		} else if (!plain_name(tok, "._-")) {
			pb_err("matrix: --kernels: '%s' is not a kernel version (6.1, 7.3, host, ...)", tok);
			return PB_EXIT_USAGE;
		}
		for (i = 0; i < o->nkernels; i++)
			if (!strcmp(o->kernels[i], tok)) {
				pb_err("matrix: --kernels: '%s' is given twice%s", tok,
				       o->kpath[o->nkernels].label[0] ? " (a path's label: its last part)" : "");
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

/* PB_OPT_CALL handlers: each prints its own error. */
static int set_kernels(const struct pb_opt *opt, const char *val, void *cfg)
{
	return parse_kernels(cfg, val);
}

static int set_sweep(const struct pb_opt *opt, const char *val, void *cfg)
{
	return parse_sweep(cfg, val);
}

/* A whole number in [min, max] for --NAME. */
static bool count_ok(const struct pb_opt *opt, const char *val, unsigned long long *n)
{
	char flag[64];

	snprintf(flag, sizeof(flag), "--%s", opt->name);
	return parse_count(flag, val, (unsigned long long)opt->min,
			   (unsigned long long)opt->max, n);
}

/* A count into an unsigned field. */
static int set_count(const struct pb_opt *opt, const char *val, void *cfg)
{
	unsigned long long n;

	if (!count_ok(opt, val, &n))
		return PB_EXIT_USAGE;
	*(unsigned *)((char *)cfg + opt->off) = (unsigned)n;
	return 0;
}

/* --repeat, remembered as given: a plan's cells refuse it. */
static int set_repeat(const struct pb_opt *opt, const char *val, void *cfg)
{
	((struct mx_opts *)cfg)->repeat_given = true;
	return set_count(opt, val, cfg);
}

/* A count kept as written, for the VM runner. */
static int set_count_string(const struct pb_opt *opt, const char *val, void *cfg)
{
	unsigned long long n;

	if (!count_ok(opt, val, &n))
		return PB_EXIT_USAGE;
	*(const char **)((char *)cfg + opt->off) = val;
	return 0;
}

static int set_outdir(const struct pb_opt *opt, const char *val, void *cfg)
{
	if (!*val) {
		pb_err("matrix: -o: empty folder name");
		return PB_EXIT_USAGE;
	}
	((struct mx_opts *)cfg)->outdir = val;
	return 0;
}

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
/* --run-repeat N reaches run as "--repeat N". */
static int set_run_repeat(const struct pb_opt *opt, const char *val, void *cfg)
{
	struct mx_opts *o = cfg;
	unsigned long long n;

	if (!count_ok(opt, val, &n))
		return PB_EXIT_USAGE;
	o->run_args[o->nrun_args++] = run_repeat_flag;
	o->run_args[o->nrun_args++] = val;
	return 0;
}

/* Any other option: a run option, as it was written. */
static int pass_run_option(void *cfg, const char *arg, const char *val)
{
	struct mx_opts *o = cfg;

	o->run_args[o->nrun_args++] = arg;
	if (val)
		o->run_args[o->nrun_args++] = val;
	return 0;
}

static const char *const run_flags[] = { "no-trace", NULL };

#define O(field) PB_OPT_OFF(struct mx_opts, field)
static const struct pb_opt mx_opt_table[] = {
	PB_OPT(PB_OPT_CALL, 0, "kernels", 0, "LIST",
	  "kernels to compare; the first is the baseline: a\n"
	  "version, or a path: FILE.deb, IMAGE:MODULES_DIR\n"
	  "or a kernel build tree", .call = set_kernels),
	PB_OPT(PB_OPT_CALL, 0, "sweep", 0, "KEY=V1,...",
	  "a run option and its values (up to " MX_STR(MX_MAX_SWEEPS) " sweeps)",
	  .call = set_sweep),
	PB_OPT(PB_OPT_CALL, 0, "repeat", O(repeat), "N",
	  "runs of every kernel and cell (default 3)",
	  .min = 1, .max = MX_MAX_REPEAT, .call = set_repeat),
	PB_OPT(PB_OPT_CALL, 'o', "output", 0, "DIR",
	  "results (default results/matrix-TIME):\n"
	  "DIR/KERNEL/CELL-rN.json and .log, matrix.json,\n"
	  "DIR/plots", .call = set_outdir),
	PB_OPT(PB_OPT_STRING, 0, "db", O(db), "FILE|URI",
	  "history database: a file or PostgreSQL (default\n"
	  "$PEELBENCH_DB, $PEELBENCH_HISTORY or\n"
	  "results/history.db)"),
	PB_OPT(PB_OPT_FLAG, 0, "no-history", O(no_history), NULL,
	  "do not store the results in the database"),
	PB_OPT(PB_OPT_FLAG, 0, "check", O(check), NULL,
	  "also `peelbench check` once per kernel"),
	PB_OPT(PB_OPT_FLAG, 0, "json", O(json), NULL, "print matrix.json instead of the table"),
	PB_OPT(PB_OPT_FLAG, 0, "no-plot", O(no_plot), NULL, "no figures"),
	PB_OPT(PB_OPT_CALL, 0, "vm-mem", O(vm_mem), "MIB",
	  "guest memory (default 2048 + assocs/10)",
	  .min = 256, .max = 1 << 20, .call = set_count_string),
	PB_OPT(PB_OPT_CALL, 0, "vm-timeout", O(vm_timeout), "SEC",
	  "limit for one guest (all its cells of a round)",
	  .min = 1, .max = 7 * 86400, .call = set_count_string),
	PB_OPT(PB_OPT_CALL, 0, "run-repeat", 0, "N",
	  "measured rounds inside each run (run's --repeat)",
	  .min = 1, .max = 1000000, .call = set_run_repeat),
	PB_OPT(PB_OPT_STRING, 0, "plan", O(plan), "FILE",
	  "write the matrix as independent cells to FILE;\n"
	  "with --cell or --collect, read it"),
	PB_OPT(PB_OPT_CALL, 0, "cell", O(cell), "N",
	  "run cell N of --plan FILE into the history",
	  .min = 1, .max = MX_MAX_REPEAT, .call = set_count),
	PB_OPT(PB_OPT_FLAG, 0, "collect", O(collect), NULL,
	  "the table of --plan FILE from the history"),
	PB_OPT_TEXT_LINE("  -h, --help           this text"),
	/* the outer matrix's command for a batch (matrix_batch.c) */
	PB_OPT(PB_OPT_STRING, 0, "inner", O(inner), "K", NULL, .hidden = true),
	PB_OPT(PB_OPT_CALL, 0, "round", O(round), "R", NULL,
	  .min = 1, .max = MX_MAX_REPEAT, .call = set_count, .hidden = true),
	PB_OPT_TABLE_END,
};
#undef O

static const struct pb_cmd_spec mx_spec = {
	.name = "matrix",
	.head = "usage: peelbench matrix --kernels K1,K2,... [--sweep KEY=V1,V2,...]...\n"
		"                        [--repeat N] [-o DIR] [--db FILE] [--check]\n"
		"                        [RUN OPTIONS...] [-- RUN OPTIONS...]\n"
		"       peelbench matrix --plan FILE --kernels K1,K2,... [MATRIX OPTIONS...]\n"
		"       peelbench matrix --cell N --plan FILE [-o DIR] [--db FILE|URI]\n"
		"       peelbench matrix --collect --plan FILE [-o DIR] [--db FILE|URI]\n\n"
		"Runs the same `peelbench run` workload on every kernel and every cell\n"
		"(the cartesian product of the sweeps), each REPEAT times, interleaved:\n"
		"round 1 of every kernel and cell, then round 2, ...  A kernel is a\n"
		"Debian kernel version booted in a QEMU guest (one guest per kernel per\n"
		"round runs all that kernel's cells), or `host` (this machine, natively;\n"
		"also a version that matches this kernel when it has SCTP).\n\n"
		"With --plan the matrix is split into independent cells, cell N = round\n"
		"N, for a job engine to run on any host (docs/matrix.md): --cell N adds\n"
		"its results to the shared history, --collect makes the table from it,\n"
		"ratios taken within each machine, then pooled across machines.\n\n",
	.tail = "\nAny other option (--assocs 500, --backlog=64, --no-trace, ...) is\n"
		"handed to every run.  Exit: 0 every cell ran, 1 a cell failed or\n"
		"(--collect) is missing (the others still ran), 2 bad option or plan,\n"
		"4 the history could not store the results, 130 interrupted.\n",
	.opts = mx_opt_table,
	.help_col = 23,
	.pass = pass_run_option,
	.pass_flags = run_flags,
};

void mx_usage(FILE *f)
{
	pb_opts_usage(&mx_spec, f);
}

/* The first option given that a plan fixes (for --cell and --collect,
 * which take them from the plan), or NULL. */
static const char *plan_option_given(const struct mx_opts *o)
{
	size_t i;

	if (o->nkernels)
		return "--kernels";
	if (o->nsweeps)
		return "--sweep";
	if (o->repeat_given)
		return "--repeat";
	if (o->check)
		return "--check";
	if (o->vm_mem)
		return "--vm-mem";
	if (o->vm_timeout)
		return "--vm-timeout";
	for (i = 0; i < o->nrun_args; i++)
		if (o->run_args[i] == run_repeat_flag)
			return "--run-repeat";
	return o->nrun_args ? o->run_args[0] : NULL;
}

/* --plan's modes: what each takes, and what it refuses. */
static int check_plan_mode(const struct mx_opts *o)
{
	const char *given, *mode = o->cell ? "--cell" : "--collect";

	if (!o->plan) {
		pb_err("matrix: %s needs --plan FILE", o->cell ? "--cell" : "--collect");
		return PB_EXIT_USAGE;
	}
	if (o->cell && o->collect) {
		pb_err("matrix: --cell and --collect are two steps; give one");
		return PB_EXIT_USAGE;
	}
	if (o->no_history) {
		pb_err("matrix: %s works on the history; --no-history conflicts", mode);
		return PB_EXIT_USAGE;
	}
	if ((given = plan_option_given(o))) {
		pb_err("matrix: %s conflicts with --plan: the plan fixes the matrix's options", given);
		return PB_EXIT_USAGE;
	}
	if (o->cell && (o->json || o->no_plot)) {
		pb_err("matrix: --cell makes no table: %s is --collect's",
		       o->json ? "--json" : "--no-plot");
		return PB_EXIT_USAGE;
	}
	return 0;
}

/* --plan FILE alone writes the plan: the matrix's options, nothing of
 * one host's (folder, database) nor of the table. */
static int check_plan_write(const struct mx_opts *o)
{
	const char *bad = o->outdir ? "-o" : o->db ? "--db" : o->no_history ?
			  "--no-history" : o->json ? "--json" : o->no_plot ? "--no-plot" : NULL;

	if (bad) {
		pb_err("matrix: %s is not part of a plan; give it to --cell or --collect", bad);
		return PB_EXIT_USAGE;
	}
	return 0;
}

/* What no single option can tell: the kernels, --inner's companions, the
 * number of cells, and run options that clash with the matrix's. */
static int check_opts(const struct mx_opts *o)
{
	unsigned long long n = 1;
	size_t i;

	if (o->inner && (o->plan || o->cell || o->collect)) {
		pb_err("matrix: --inner runs no plan");
		return PB_EXIT_USAGE;
	}
	if (o->cell || o->collect)
		return check_plan_mode(o);
	if (o->plan && check_plan_write(o))
		return PB_EXIT_USAGE;
	if (!o->nkernels && !o->inner) {
		pb_err("matrix: --kernels LIST is required (e.g. --kernels 6.1,7.3)");
		return PB_EXIT_USAGE;
	}
	if (o->inner && (!o->round || o->round > o->repeat || !o->outdir)) {
		pb_err("matrix: --inner needs --round (at most --repeat) and -o");
		return PB_EXIT_USAGE;
	}
	for (i = 0; i < o->nsweeps; i++)
		n *= o->sweeps[i].n;
	if (n > MX_MAX_CELLS) {
		pb_err("matrix: the sweeps make %llu cells, more than %d", n, MX_MAX_CELLS);
		return PB_EXIT_USAGE;
	}
	return check_run_args(o);
}

int mx_parse(int argc, char **argv, struct mx_opts *o)
{
	int first, ret;

	memset(o, 0, sizeof(*o));
	o->repeat = 3;
	o->run_args = calloc(argc + 3, sizeof(*o->run_args));
	if (!o->run_args) {
		pb_err("matrix: out of memory");
		return PB_EXIT_RUNTIME;
	}
	ret = pb_opts_parse(&mx_spec, argc, argv, o, &first);
	return ret ? ret : check_opts(o);
}

void mx_opts_free(struct mx_opts *o)
{
	size_t i;

	for (i = 0; i <= MX_MAX_SWEEPS; i++)
		free(o->buf[i]);
	free(o->run_args);
	memset(o, 0, sizeof(*o));
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
