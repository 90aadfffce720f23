/* SPDX-License-Identifier: GPL-2.0 */
/* The probe plan: for each phase of the peeloff path, which kernel
 * symbol to attach to and how (fentry, kprobe, tracepoint), or why it
 * cannot be seen.  Resolved at start-up from /proc/kallsyms,
 * available_filter_functions and the sctp module's BTF; the resolver
 * itself works on text so that tests can feed it other kernels. */
#ifndef PEELBENCH_PROBES_H
#define PEELBENCH_PROBES_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "peel.h"

struct json_object;

enum pb_attach {
	PB_ATTACH_UNAVAILABLE = 0,
	PB_ATTACH_FENTRY,	/* fentry + fexit (BTF trampolines) */
	PB_ATTACH_KPROBE,	/* kprobe + kretprobe */
	PB_ATTACH_TRACEPOINT,	/* syscalls:sys_{enter,exit}_getsockopt */
};

struct probe_choice {
	const char *phase;	/* "syscall", "do_peeloff", ..., "accept" */
	char symbol[128];	/* full kernel name, suffix included */
	enum pb_attach attach;
	bool enclosing;		/* symbol is a caller the phase's own
				 * function was inlined into */
	bool unknown;		/* attach is UNAVAILABLE because nothing
				 * could tell whether it attaches */
	char reason[512];	/* why this choice (always set) */
};

struct probe_plan {
	struct probe_choice hook[PB_HOOK_MAX];
	/* Where the migration-cost features are read (events mode): a hook
	 * and which of its arguments are the parent sock and the asoc. */
	__u32 feat_hook;	/* PB_HOOK_MAX: nowhere */
	__u32 feat_sk_arg, feat_asoc_arg;
	__u32 feat_enclosed_mask;	/* phases that contain that read */
	bool sctp_loaded;
};

/* A test attach (probe_try.c): it attaches, it does not, or nothing can
 * tell (not root, BPF not permitted). */
enum probe_try {
	PROBE_TRY_NO = 0,
	PROBE_TRY_YES,
	PROBE_TRY_UNKNOWN,
};

/* Load a "return 0" program of attach type a (fentry or kprobe) for
 * kernel function sym, attach it, detach it; why gets one phrase. */
enum probe_try probe_try_attach(enum pb_attach a, const char *sym, char *why, size_t size);

/* What the resolver looks at.  NULL text means "could not be read". */
struct probe_sources {
	char *kallsyms;		/* /proc/kallsyms */
	char *filter_funcs;	/* tracefs available_filter_functions */
	char *btf_funcs;	/* sctp_* FUNC names in BTF, one a line */
	bool fentry;		/* kernel BTF present: trampolines usable */
	bool kprobes;		/* the kernel has kprobes */
	bool syscall_tp;	/* syscalls/sys_{enter,exit}_getsockopt exist */
	bool force_kprobe;	/* --kprobe: never pick fentry */
	/* Without filter_funcs nothing says whether fentry or a kprobe will
	 * attach: this is asked instead (probe_try_attach on this machine);
	 * NULL: nothing can be asked, and such a choice is "unknown". */
	enum probe_try (*try_attach)(enum pb_attach a, const char *sym, char *why,
				     size_t size);
};

/* Pure: the plan for these sources. */
void probe_plan_resolve(const struct probe_sources *src, struct probe_plan *plan);

/* "--phases LIST": comma-separated phase names or "all"; the syscall
 * phase is always in (it delimits a call).  -1 on an unknown name. */
int probe_phases_parse(const char *list, unsigned int *mask);
/* The same as an option table's .parse (user/common/opts.h): field is the
 * unsigned int mask; false on an unknown name. */
bool probe_phases_opt(const char *list, void *field);
/* The names --phases takes, from the phase table: "syscall, do_peeloff,
 * ..., all" for error lines, and without syscall (always traced) for help. */
#define PROBE_CHOICE_(id, name, args, funcs, enclosers) #name ", "
#define PROBE_PHASE_CHOICES	PB_PHASES(PROBE_CHOICE_) "all"
#define PROBE_FUNC_PHASE_CHOICES PB_FUNC_PHASES(PROBE_CHOICE_) "all"
/* Turn off the phases outside mask (bit = enum pb_phase): their attach
 * becomes unavailable, "not selected"; accept goes with assoc_migrate;
 * the feature hook is chosen again. */
void probe_plan_select(struct probe_plan *plan, unsigned int mask);

/* Read this machine's sources; force_kprobe is left false. */
void probe_sources_read(struct probe_sources *src);
void probe_sources_free(struct probe_sources *src);

const char *probe_attach_name(enum pb_attach a);
/* Its attach's name, or "unknown" (probe_choice.unknown). */
const char *probe_choice_attach_name(const struct probe_choice *c);
const char *probe_phase_name(__u32 hook);
void probe_plan_print(const struct probe_plan *plan, FILE *f);
/* [{phase, symbol, attach, reason}, ...] */
struct json_object *probe_plan_json(const struct probe_plan *plan);

#endif
