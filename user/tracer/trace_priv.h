/* SPDX-License-Identifier: GPL-2.0 */
/* The tracer's state, shared by its two halves: trace.c (environment,
 * load, attach, poll) and trace_report.c (reading the maps into counts,
 * histograms, JSON and text).  Internal to user/tracer. */
#ifndef PEELBENCH_TRACE_PRIV_H
#define PEELBENCH_TRACE_PRIV_H

#include <stddef.h>

#include "calib.h"
#include "hist.h"
#include "peel.skel.h"
#include "probes.h"
#include "trace.h"

/* Everything the maps hold, summed over CPUs. */
struct snapshot {
	struct hist ph[PB_PH_MAX];
	struct hist comp[PB_PH_MAX];	/* compensated (calibrated tracers) */
	__u64 counters[PB_C_MAX];
	__u64 errors[PB_MAX_ERRNO];
};

struct tracer {
	struct peel_bpf *skel;
	struct probe_plan plan;
	struct trace_opts opts;
	struct ring_buffer *rb;
	int ncpu;
	char kernel[65];
	struct pb_event *ev;		/* events kept for JSON / percentiles */
	size_t nev, cap;
	struct snapshot *last;		/* cumulative state at the last round */
	struct json_object *rounds;
	struct calib calib;		/* done: calibrated at open */
};

#endif
