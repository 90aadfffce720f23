/* SPDX-License-Identifier: GPL-2.0 */
/* The migration cost per message queued on the parent socket, the one
 * definition of `migrate.per_queued_msg_ns` (run's metric and
 * trace.migration_fit, plot's line, CI band and legend, export's fit
 * table, matrix): the Theil-Sen slope (stats.h, pb_theil_sen) of the
 * phase that holds sctp_sock_migrate against parent_rq_len, over the
 * events of successful peeloffs. */
#ifndef PEELBENCH_MIGRATION_FIT_H
#define PEELBENCH_MIGRATION_FIT_H

#include <stdbool.h>

#include "stats.h"

struct json_object;

struct pb_migration_fit {
	bool ok;		/* false: no events, or no two distinct queue lengths */
	const char *phase;	/* the phase fitted: "migrate", else (7.x, inlined) "clone", ... */
	struct pb_slope fit;	/* ns per queued message, its CI, intercept */
};

/* Fit over trace's events (inline or the sidecar beside result_path).
 * Returns 0 (out->ok says whether there was a fit), or the events
 * reader's PB_EXIT_* after its one-line error. */
int pb_migration_fit(struct json_object *trace, const char *result_path,
		     struct pb_migration_fit *out);
/* trace.migration_fit: {method, phase, ns_per_msg, ci95 [lo, hi],
 * intercept_ns, events, pairs, sampled_pairs}. */
struct json_object *pb_migration_fit_json(const struct pb_migration_fit *f);

#endif
