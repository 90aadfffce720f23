/* SPDX-License-Identifier: GPL-2.0 */
/* The tracer as a library: `peelbench trace` and `peelbench run` both use
 * it.  Lifecycle: tracer_open (plan, open, configure, load, attach) →
 * tracer_poll while the workload runs → tracer_json / tracer_print →
 * tracer_close (detach, free).  Errors are printed by the tracer itself,
 * one line each; the int returns are enum pb_exit codes. */
#ifndef PEELBENCH_TRACE_H
#define PEELBENCH_TRACE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct json_object;
struct tracer;

struct trace_opts {
	pid_t pid;		/* 0: every process (the tgid to follow) */
	bool events;		/* per-event ring-buffer stream */
	const char *events_path;	/* with events: stream them to this NDJSON
				 * sidecar (trace.events_file names it); NULL:
				 * count them and keep their phase times only */
	bool follow_children;	/* pid's descendants too (trace -c) */
	bool force_kprobe;	/* kprobes even where fentry would do */
	unsigned int walk_cap;	/* bound of the ep->asocs walk (--events); 0: no walk, assocs null */
	unsigned int phases;	/* --phases: bit mask of enum pb_phase; 0: all */
	bool defer_attach;	/* load only: tracer_attach() attaches */
	bool calibrate;		/* measure the probes' own cost at open and
				 * report compensated phases (calib.h) */
};

int tracer_open(const struct trace_opts *opts, struct tracer **out);
/* Attach a loaded tracer (defer_attach), or detach it again: the maps and
 * their counts stay.  tracer_attach prints its error, detaches what it
 * attached and returns a PB_EXIT_* code. */
int tracer_attach(struct tracer *t);
void tracer_detach(struct tracer *t);
/* Consume pending ring-buffer events; timeout_ms as ring_buffer__poll. */
int tracer_poll(struct tracer *t, int timeout_ms);
/* Start a new round: per-round summaries are kept for statistics. */
void tracer_round(struct tracer *t);
/* The summary of the last round (borrowed: valid until the next
 * tracer_round or tracer_close), NULL before the first. */
struct json_object *tracer_last_round(struct tracer *t);
/* The "trace" object of the result file (see README, Result schema). */
struct json_object *tracer_json(struct tracer *t);
void tracer_print(struct tracer *t, FILE *f);
/* Successful peeloffs seen so far (to match against the driver). */
unsigned long long tracer_peeloff_ok(struct tracer *t);
/* With events_path: close the sidecar and rename it into place (before
 * the result that names it is written).  0, or a PB_EXIT_* code after one
 * line; tracer_close without it removes the temporary file. */
int tracer_events_commit(struct tracer *t);
/* Run-time statistics of each loaded program (bpf_stats: the counters
 * move only while BPF_STATS_RUN_TIME is enabled).  Calls fn once per
 * program; returns how many, or -1 without a tracer. */
typedef void (*tracer_prog_fn)(void *ctx, const char *name,
			       unsigned long long run_cnt, unsigned long long run_time_ns);
int tracer_prog_stats(struct tracer *t, tracer_prog_fn fn, void *ctx);
void tracer_close(struct tracer *t);

#endif
