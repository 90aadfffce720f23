/* SPDX-License-Identifier: GPL-2.0 */
/* The tracer's state, shared by its two halves: trace.c (environment,
 * load, attach, poll) and trace_report.c (reading the maps into counts,
 * histograms, JSON and text).  Internal to user/tracer. */
#ifndef PEELBENCH_TRACE_PRIV_H
#define PEELBENCH_TRACE_PRIV_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* One phase's times (raw or compensated) of the successful events, for
 * exact percentiles; over: a time above 4.29 s or no memory, so the
 * histogram's percentiles are used. */
struct tev_values {
	uint32_t *v;
	size_t n, cap;
	bool over, sorted;
};

/* The events stream (trace_events.c). */
struct tev {
	FILE *f;			/* the temporary sidecar; NULL: none */
	bool fd_ok, committed;
	bool zst;			/* zstd-compressed (a .zst name) */
	int err;			/* first write error */
	char path[PATH_MAX];		/* the sidecar's final name ("" none) */
	char tmp[PATH_MAX + 16];
	unsigned long long received;
	struct tev_values x[2][PB_PH_MAX];	/* [0] raw, [1] compensated */
};

struct tracer {
	struct peel_bpf *skel;
	struct probe_plan plan;
	struct trace_opts opts;
	struct ring_buffer *rb;
	int ncpu;
	char kernel[65];
	struct tev tev;			/* --events: the stream and the times */
	struct snapshot *last;		/* cumulative state at the last round */
	struct json_object *rounds;
	struct calib calib;		/* done: calibrated at open */
};

/* trace_events.c */
int tev_open(struct tracer *t, const char *path);
const char *tev_file_name(const struct tracer *t);
void tev_add(struct tracer *t, const struct pb_event *e, bool comp);
bool tev_percentile(struct tracer *t, __u32 ph, bool comp, double q, uint64_t *out);
int tev_commit(struct tracer *t);
void tev_close(struct tracer *t);

#endif
