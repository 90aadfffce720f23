/* SPDX-License-Identifier: GPL-2.0 */
/* The per-peeloff events of a result (README, "Events"): since the events
 * sidecar, one JSON object per line in the NDJSON file that
 * trace.events_file names (a file name, beside the result file); older
 * results hold them inline in trace.events.  Every reader (export, plot,
 * the migration fit) takes them from here, one at a time, so that a
 * reader's memory does not grow with the events' JSON. */
#ifndef PEELBENCH_EVENTS_H
#define PEELBENCH_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* "run-x.json" -> "run-x.events.ndjson" in buf: the sidecar of a result
 * file, in the same folder ("run-x.events.ndjson.zst" with zstd, which
 * the writer then compresses).  -1 when it does not fit.  Readers take
 * either: a sidecar that starts with zstd's magic or whose name ends in
 * .zst is decompressed, and a corrupt or truncated one is one line. */
int pb_events_sidecar_path(const char *result_path, bool zstd, char *buf, size_t size);

/* One event's types: every *_ns a number or null, parent_rq_len a number.
 * Returns 0, or -1 with the reason in msg. */
int pb_event_check(struct json_object *ev, char *msg, size_t size);

/* Whether trace has events, inline or in a sidecar. */
bool pb_events_present(struct json_object *trace);

/* Calls fn(ev, ctx) on each event of trace in order (ev is borrowed for
 * the call); result_path is the result file's path, against whose folder
 * the sidecar's name is resolved.  Stops at fn's first nonzero return and
 * returns it.  0 when done (also when there are no events); n (may be
 * NULL) gets the events seen.  A missing sidecar or a bad line: one line
 * "peelbench: FILE:LINE: ..." and PB_EXIT_USAGE. */
typedef int (*pb_event_fn)(struct json_object *ev, void *ctx);
int pb_events_foreach(struct json_object *trace, const char *result_path,
		      pb_event_fn fn, void *ctx, size_t *n);

#endif
