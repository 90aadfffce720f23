/* SPDX-License-Identifier: GPL-2.0 */
/* Calibration of the tracer's own cost, measured on the running kernel
 * at tracer start (docs/trace.md, "Calibration"): for each kind of probe
 * pair the plan uses, the time one pair adds to a call (added) and the
 * time its own timestamps enclose around a function that does almost
 * nothing (self).  The tracer's real programs are loaded a second time,
 * attached to a cheap function user space calls at will, in interleaved
 * blocks of probed and control calls, detached and attached.  The figures feed the compensated phase
 * durations (raw - own self - nested pairs x added). */
#ifndef PEELBENCH_CALIB_H
#define PEELBENCH_CALIB_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "peel.h"

struct json_object;
struct peel_bpf;
struct probe_plan;

struct calib_pair {
	bool used;		/* the plan has a pair of this kind */
	bool ok;		/* measured (else error says why) */
	char func[64];		/* kernel function or tracepoint probed */
	const char *trigger;	/* what user space calls to run it */
	char error[160];
	unsigned int rounds;	/* attached block pairs (as many detached) */
	unsigned int n;		/* traced calls: self-time samples */
	double added_ns, added_lo, added_hi;	/* median, 95 % CI */
	double self_ns, self_lo, self_hi;
};

struct calib {
	bool done;		/* calibration was run */
	struct calib_pair pair[PB_PAIR_MAX];
	double seconds;		/* wall time it took */
};

/* The pair kind of each hook of a plan (PB_PAIR_*). */
void calib_hook_pairs(const struct probe_plan *plan, __u32 out[PB_HOOK_MAX]);
/* Measure every kind the plan uses.  Never fails the tracer: a kind that
 * cannot be measured carries its error, and compensation is then off. */
void calib_run(const struct probe_plan *plan, struct calib *c);
/* Every kind the plan uses was measured. */
bool calib_usable(const struct calib *c);
/* Write the plan's pair kinds and, when usable, the constants of the
 * compensation into an opened, not yet loaded skeleton. */
void calib_configure(struct peel_bpf *skel, const struct probe_plan *plan,
		     const struct calib *c);
/* trace.calibration: {seconds, compensated, pairs: {KIND: {...}}}. */
struct json_object *calib_json(const struct calib *c);
/* One line from that JSON ("calibration ..."); nothing when NULL. */
void calib_print_json(struct json_object *cal, FILE *f);

#endif
