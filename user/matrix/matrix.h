/* SPDX-License-Identifier: GPL-2.0 */
/* `peelbench matrix`: the same workload across kernels and sweeps.  This
 * header holds the pure parts (matrix_opts.c: options; matrix.c: cell
 * planning, run order; matrix_table.c: the table and its JSON twin),
 * which the unit tests drive directly; the orchestration (guests,
 * processes, progress, history, plots) is behind matrix_run.h. */
#ifndef PEELBENCH_MATRIX_H
#define PEELBENCH_MATRIX_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stats.h"

#define MX_MAX_KERNELS	16
#define MX_MAX_SWEEPS	4
#define MX_MAX_VALUES	32
#define MX_MAX_CELLS	1024
#define MX_MAX_REPEAT	1000
#define MX_NAME_MAX	160	/* a cell's name: "assocs=1000+backlog=64" */

struct mx_sweep {
	const char *key;			/* a run option's long name */
	char flag[64];				/* "--KEY" */
	const char *values[MX_MAX_VALUES];	/* as given, one per cell step */
	size_t n;
};

struct mx_opts {
	const char *kernels[MX_MAX_KERNELS];	/* "6.1", "7.3", "host", ... */
	size_t nkernels;
	/* a kernel given as a path (mx_kernel_path): what the VM runner boots
	 * instead of a version, NULLs for a version; kernels[k] is then a
	 * label made from the path */
	struct mx_kpath {
		const char *deb, *image, *modules;
		char label[64];
		char tree_image[512];	/* a build tree's bzImage */
	} kpath[MX_MAX_KERNELS];
	struct mx_sweep sweeps[MX_MAX_SWEEPS];
	size_t nsweeps;
	unsigned repeat;		/* runs of every (kernel, cell) */
	const char *outdir;		/* NULL: results/matrix-TIME */
	const char *db;			/* NULL: pb_history_default_path() */
	bool no_history, no_plot, check, json;
	const char *vm_mem, *vm_timeout;	/* for the VM runner, or NULL */
	const char **run_args;		/* handed to every `peelbench run` */
	size_t nrun_args;
	/* a plan of independent cells (matrix_plan.c): --plan FILE alone
	 * writes it, with --cell N runs its cell N, with --collect builds
	 * the table from the history */
	const char *plan;
	unsigned cell;			/* 1-based, 0: none */
	bool collect;
	bool repeat_given;		/* --repeat was on the command line */
	/* inner mode: run one kernel's cells of one round, here */
	const char *inner;		/* kernel label, NULL outside */
	unsigned round;			/* 1-based */
	/* storage behind the pointers above */
	char *buf[MX_MAX_SWEEPS + 1];
};

/* A --kernels entry with a '/': FILE.deb (a kernel package), IMAGE:DIR
 * (a kernel image and its modules tree) or a kernel build tree DIR
 * (DIR/arch/x86/boot/bzImage and DIR's modules).  Fills kp (pointers into
 * tok, which is modified) with a label from the file or folder name;
 * returns 0, or PB_EXIT_USAGE after one line. */
int mx_kernel_path(char *tok, struct mx_kpath *kp);

/* Parse `matrix` options (argv[0] is the command name).  Options that
 * are not the matrix's own are run options, kept in order: "--name
 * value", "--name=value", "--no-trace", and everything after "--".
 * Returns 0, -1 for --help (usage printed), or PB_EXIT_USAGE after one
 * line on stderr. */
int mx_parse(int argc, char **argv, struct mx_opts *o);
/* The run_args entry that --run-repeat N put there (compared by address:
 * a "--repeat" the user wrote is refused, this one is the matrix's). */
extern const char mx_run_repeat_flag[];
void mx_opts_free(struct mx_opts *o);
void mx_usage(FILE *f);

struct mx_cell {
	char name[MX_NAME_MAX];		/* "default" when there is no sweep */
	size_t idx[MX_MAX_SWEEPS];	/* index into each sweep's values */
};

/* Cells are the cartesian product of the sweeps, the last sweep varying
 * fastest; one cell ("default") without sweeps. */
struct mx_plan {
	const struct mx_opts *o;
	struct mx_cell *cells;
	size_t ncells;
};
int mx_plan_build(const struct mx_opts *o, struct mx_plan *p);
void mx_plan_free(struct mx_plan *p);

/* The order runs happen in: round 1 of every (kernel, cell), then round 2,
 * ...; within a round kernel by kernel (one guest each: a batch), within
 * a kernel cell by cell.  Machine drift over the hours of a matrix then
 * spreads over every kernel alike instead of posing as a kernel
 * difference. */
struct mx_step {
	unsigned round;			/* 1-based */
	size_t kernel, cell;
};
/* out has room for repeat * nkernels * ncells steps; returns how many. */
size_t mx_order(const struct mx_plan *p, struct mx_step *out);

/* The run options of one cell: the common ones, then "--KEY VALUE" per
 * sweep.  *argv is malloc'd (free it; the strings are borrowed); returns
 * the count. */
size_t mx_cell_args(const struct mx_plan *p, size_t cell, const char ***argv);

/* Result file of one run: DIR/KERNEL/CELL-rROUND.json (and .log). */
void mx_run_path(const char *dir, const char *kernel, const char *cell,
		 unsigned round, const char *ext, char *out, size_t size);

/* The largest number a sweep or run option gives `key`, 0 when none. */
unsigned long long mx_max_number(const struct mx_opts *o, const char *key);

/* FNV-1a of a string: bootstrap seeds from a metric's name, plan ids. */
uint64_t mx_hash64(const char *s);

/* ---- outcomes and the table (matrix_table.c) ---- */

enum mx_state { MX_NOT_RUN, MX_OK, MX_FAILED };

struct pb_result;

struct mx_outcome {
	enum mx_state state;
	int code;			/* exit code of the failure */
	char reason[256];		/* one line: why it failed */
	struct pb_result *res;		/* MX_OK: the loaded result */
};

struct mx_kernel_info {
	char release[96];		/* env.kernel of its first result */
	bool native;
	/* --check: the summary of DIR/KERNEL/check.json */
	bool checked;
	int check_code;
	unsigned pass, fail, deviation, not_applicable;
	char check_reason[256];
	struct json_object *check;	/* its "check" object (held), or NULL */
};

struct mx_machine;

struct mx_matrix {
	struct mx_plan *plan;
	const char *dir;
	struct mx_outcome *out;		/* [round-1][kernel][cell] */
	struct mx_kernel_info kinfo[MX_MAX_KERNELS];
	bool interrupted;
	/* --collect over several machines: each one's own matrix (out holds
	 * every machine's runs); figures become pooled (mx_value) */
	const struct mx_machine *machines;
	size_t nmachines;
};

/* ---- several machines (matrix_machines.c) ---- */

struct mx_value;

#define MX_MAX_MACHINES 256

struct mx_machine {
	char id[17];			/* env.machine.id, "" unknown */
	char label[64];
	struct mx_matrix m;		/* this machine's runs only */
};

/* One machine's per-repeat values of a metric, base kernel and another. */
struct mx_side {
	const double *base, *vals;
	size_t nbase, nvals;
};

/* The ratio over machines: per machine median(vals) / median(base), the
 * median of those (machines with both sides and a base median not 0), and
 * its percentile-bootstrap CI: resample machines, and within each its
 * repeats, take the median of the resampled machines' ratios.  Never a
 * value of one machine against another's.  Returns the machines used; the
 * CI is set (*has_ci) with 2 or more. */
size_t mx_pool_ratio(const struct mx_side *s, size_t n, unsigned resamples,
		     double level, uint64_t seed, double *ratio, struct pb_ci *ci,
		     bool *has_ci);
/* mx_value over m->machines (mx_value calls it when there are 2 or
 * more): values every machine's; median the median of the machines'
 * medians; ratio and CI from mx_pool_ratio, or with one machine that has
 * a ratio its own CI over its repeats. */
void mx_value_pooled(const struct mx_matrix *m, size_t cell, size_t k,
		     const char *metric, struct mx_value *v);
/* matrix.json's per-machine figures of kernel k: {LABEL: {id, n,
 * median, ratio}} (ratio within that machine, null without one). */
struct json_object *mx_machines_json(const struct mx_matrix *m, size_t cell, size_t k,
				     const char *metric);

/* matrix_checks.c: the check cases x kernels table, one verdict a cell;
 * checks[k] is kernel k's "check" object or NULL (not run). */
struct json_object;
/* The verdict of case name in a check object (NULL: none), or NULL. */
const char *mx_check_verdict(struct json_object *check, const char *name);
void mx_check_table_print(FILE *f, const char *const *labels,
			  struct json_object *const *checks, size_t n);

struct mx_outcome *mx_at(const struct mx_matrix *m, unsigned round,
			 size_t kernel, size_t cell);
size_t mx_failed_count(const struct mx_matrix *m);

/* One kernel's figure for one metric of one cell. */
struct mx_value {
	size_t n;			/* repeats that have the metric */
	double *values;			/* per repeat, round order (malloc'd) */
	double median;
	bool has_ratio, has_ci;		/* against the first kernel */
	double ratio;			/* median / first kernel's median */
	struct pb_ci ci;		/* 95% bootstrap CI of the ratio */
	bool not_comparable;		/* a phase that covered other work on
					 * the first kernel: no ratio */
	char why[160];			/* then: what each covered */
};

/* The metrics the table shows for a cell: peel_per_s, setup_per_s,
 * latency.p50_ns, latency.p99_ns, then phase.P.p50_ns and p99_ns for each
 * phase some result of the cell has; NULL-terminated, static strings or
 * malloc'd (free with mx_metrics_free). */
char **mx_cell_metrics(const struct mx_matrix *m, size_t cell);
void mx_metrics_free(char **names);

/* The value of a metric for kernel k in cell c: median over the repeats,
 * ratio to kernel 0's median and the percentile-bootstrap 95% CI of that
 * ratio from the per-repeat values (2000 resamples, seeded from the
 * metric's name: the same output every time). */
void mx_value(const struct mx_matrix *m, size_t cell, size_t k,
	      const char *metric, struct mx_value *v);
void mx_value_free(struct mx_value *v);

/* The table for a terminal, and the same numbers as JSON (matrix.json). */
void mx_print_table(const struct mx_matrix *m, FILE *f);
struct json_object *mx_json(const struct mx_matrix *m);

/* The phases a result's probe plan could see (trace.probes entries with a
 * symbol and an attach type other than "unavailable"), as "a b c" in
 * kernel nesting order; the missing ones likewise. */
void mx_probe_phases(const struct pb_result *r, char *seen, size_t seen_size,
		     char *missing, size_t missing_size);

#endif
