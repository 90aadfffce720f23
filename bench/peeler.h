/* SPDX-License-Identifier: GPL-2.0 */
/* Peel workers: --threads of them take the round's associations in order,
 * peel each off with SCTP_SOCKOPT_PEELOFF[_FLAGS] (the getsockopt behind
 * sctp_peeloff(3) and sctp_peeloff_flags), time the call with
 * CLOCK_MONOTONIC, verify the new socket and close it. */
#ifndef PEELBENCH_BENCH_PEELER_H
#define PEELBENCH_BENCH_PEELER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "assoc.h"
#include "config.h"
#include "errors.h"
#include "samples.h"
#include "verify.h"

struct bench_peel;

struct bench_worker {
	struct bench_peel *p;
	pthread_t thread;
	bool started;
	struct bench_samples lat;	/* ns per successful call, in call order */
	unsigned long long peeled, verified;
	double end_s;			/* when it found no more work */
};

struct bench_peel {
	const struct bench_config *c;
	struct bench_server *s;
	struct bench_assoc_set *set;
	struct bench_errors *errs;
	atomic_size_t next;		/* next association to take */
	atomic_size_t done;		/* associations finished (progress) */
	atomic_int running;		/* workers not yet finished */
	struct bench_worker *w;
	size_t nw;
	double start_s, end_s;		/* CLOCK_MONOTONIC, whole phase */
	atomic_uint nfail;		/* failures seen; the first are in fail[] */
	struct bench_failure fail[BENCH_FAILS_MAX];
};

/* One peeloff of association id on the one-to-many socket sfd: the new
 * socket's fd or -errno. */
int bench_peeloff(int sfd, int call, unsigned int flags, int32_t id);

/* Start the workers; 0 or PB_EXIT_RUNTIME (printed; none left running). */
int bench_peel_start(struct bench_peel *p, const struct bench_config *c,
		     struct bench_server *s, struct bench_assoc_set *set,
		     struct bench_errors *errs);
bool bench_peel_finished(struct bench_peel *p);
/* Join the workers; fills end_s. */
void bench_peel_join(struct bench_peel *p);
void bench_peel_free(struct bench_peel *p);

#endif
