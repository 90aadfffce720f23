/* SPDX-License-Identifier: GPL-2.0 */
/* Traffic besides the peeloffs: the load thread (--load-share of the
 * associations keep sending at --load-rate during the peel phase) and
 * the parent's backlog (--backlog messages from filler associations that
 * are never peeled, left unread). */
#ifndef PEELBENCH_BENCH_LOAD_H
#define PEELBENCH_BENCH_LOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "assoc.h"
#include "config.h"

struct bench_load {
	const struct bench_config *c;
	struct bench_assoc_set *set;
	size_t *idx;		/* indices of the loaded associations */
	size_t n;
	pthread_t thread;
	bool running;
	atomic_bool stop;
	unsigned long long sent, dropped;	/* dropped: no room (EAGAIN) */
	unsigned long long failed;		/* association gone meanwhile */
};

/* Start the load thread when the configuration asks for one; 0 or
 * PB_EXIT_RUNTIME (printed). */
int bench_load_start(struct bench_load *l, const struct bench_config *c,
		     struct bench_assoc_set *set);
/* Stop and join it (no-op when none runs). */
void bench_load_stop(struct bench_load *l);

/* Send --backlog messages from the fillers and wait until the server has
 * acknowledged them (so they sit in the parent's receive queue).  Returns
 * the number of messages sent; failures are counted in errs. */
unsigned long long bench_backlog_fill(const struct bench_config *c,
				      struct bench_assoc_set *fillers,
				      struct bench_errors *errs);

#endif
