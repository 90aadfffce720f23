// SPDX-License-Identifier: GPL-2.0
/* The peel workers. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netinet/sctp.h>

#include "driver.h"
#include "peelbench.h"
#include "peeler.h"
#include "verify.h"
#include "wire.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* getsockopt() here returns the new descriptor itself, not 0:
 * sctp_getsockopt_peeloff[_flags] end with "return retval" after
 * fd_install (as lksctp-tools' sctp_peeloff() knows: it tests < 0).
 * Only a negative return is a failure. */
int bench_peeloff(int sfd, int call, unsigned int flags, int32_t id)
{
	if (call == BENCH_CALL_PEELOFF_FLAGS) {
		sctp_peeloff_flags_arg_t arg = { .p_arg.associd = id };
		socklen_t len = sizeof(arg);

		arg.flags = ((flags & BENCH_FLAG_NONBLOCK) ? SOCK_NONBLOCK : 0) |
			    ((flags & BENCH_FLAG_CLOEXEC) ? SOCK_CLOEXEC : 0);
		if (getsockopt(sfd, IPPROTO_SCTP, SCTP_SOCKOPT_PEELOFF_FLAGS, &arg, &len) < 0)
			return -errno;
		return arg.p_arg.sd;
	} else {
		sctp_peeloff_arg_t arg = { .associd = id };
		socklen_t len = sizeof(arg);

		if (getsockopt(sfd, IPPROTO_SCTP, SCTP_SOCKOPT_PEELOFF, &arg, &len) < 0)
			return -errno;
		return arg.sd;
	}
}

/* --rate: each worker keeps its share on an absolute schedule. */
static void pace(struct bench_peel *p, uint64_t *next_ns)
{
	struct timespec ts;

	if (p->c->rate <= 0)
		return;
	if (!*next_ns)
		*next_ns = now_ns();
	ts.tv_sec = (time_t)(*next_ns / 1000000000ULL);
	ts.tv_nsec = (long)(*next_ns % 1000000000ULL);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	*next_ns += (uint64_t)(1e9 * (double)p->nw / p->c->rate);
}

/* --assoc-queue: messages that sit on the parent, tagged with this
 * association, when it is peeled (sctp_sock_migrate moves them). */
static int queue_on_assoc(struct bench_peel *p, struct bench_assoc *a, size_t i)
{
	unsigned long long q;
	int err;

	if (a->client_fd < 0)
		return 0;
	for (q = 0; q < p->c->assoc_queue; q++) {
		err = bench_msg_send(a->client_fd, BENCH_MSG_QUEUE, i, p->c->msg_size,
				     (int)p->c->verify_timeout_ms);
		if (err)
			return err;
	}
	return 0;
}

static void finish_assoc(struct bench_peel *p, struct bench_assoc *a)
{
	atomic_store(&a->state, BENCH_ASSOC_DONE);
	/* A loaded association's client stays open until the load thread
	 * has stopped: closing it here could hand its fd number to the next
	 * peeled socket while the load thread still writes to it. */
	if (!a->loaded && a->client_fd >= 0) {
		close(a->client_fd);
		a->client_fd = -1;
	}
	atomic_fetch_add(&p->done, 1);
}

static void record_failure(struct bench_peel *p, size_t i, const struct bench_assoc *a,
			   const char *error, const char *stage,
			   const struct bench_verify_info *in)
{
	unsigned int k = atomic_fetch_add(&p->nfail, 1);
	struct bench_failure *f;

	if (k >= BENCH_FAILS_MAX)
		return;
	f = &p->fail[k];
	memset(f, 0, sizeof(*f));
	f->index = i;
	f->assoc_id = a->id;
	f->peeled = in != NULL;
	snprintf(f->error, sizeof(f->error), "%s", error);
	if (in)
		f->info = *in;
	else
		f->info.stage = stage;
}

static void peel_one(struct bench_worker *w, size_t i)
{
	struct bench_peel *p = w->p;
	struct bench_assoc *a = &p->set->a[i];
	struct bench_verify_info info;
	const char *fail;
	uint64_t t0, t1;
	int fd, err;

	err = queue_on_assoc(p, a, i);
	if (err) {
		bench_errors_add_errno(p->errs, err);
		record_failure(p, i, a, pb_errno_name(err), "queue_send", NULL);
		finish_assoc(p, a);
		return;
	}
	t0 = now_ns();
	fd = bench_peeloff(p->s->fd, p->c->call, p->c->flags, a->id);
	t1 = now_ns();
	if (fd < 0) {
		bench_errors_add_errno(p->errs, fd);
		record_failure(p, i, a, pb_errno_name(fd), "peeloff", NULL);
		pb_debug("peeloff of association %d: %s", a->id, pb_errno_name(fd));
		finish_assoc(p, a);
		return;
	}
	bench_samples_add(&w->lat, t1 - t0);
	w->peeled++;
	fail = bench_verify_peeled(p->c, fd, a, i, &info);
	if (fail) {
		bench_errors_add(p->errs, fail);
		record_failure(p, i, a, fail, NULL, &info);
		pb_debug("peeled association %d failed verification: %s", a->id, fail);
	} else {
		w->verified++;
	}
	close(fd);
	finish_assoc(p, a);
}

static void *worker(void *arg)
{
	struct bench_worker *w = arg;
	struct bench_peel *p = w->p;
	uint64_t next_ns = 0;
	size_t i;

	while (!bench_stop_requested()) {
		i = atomic_fetch_add(&p->next, 1);
		if (i >= p->set->n)
			break;
		if (atomic_load(&p->set->a[i].state) == BENCH_ASSOC_FAILED) {
			atomic_fetch_add(&p->done, 1);	/* counted at setup */
			continue;
		}
		pace(p, &next_ns);
		peel_one(w, i);
	}
	w->end_s = (double)now_ns() / 1e9;
	atomic_fetch_sub(&p->running, 1);
	return NULL;
}

int bench_peel_start(struct bench_peel *p, const struct bench_config *c,
		     struct bench_server *s, struct bench_assoc_set *set,
		     struct bench_errors *errs)
{
	size_t k;
	int err;

	memset(p, 0, sizeof(*p));
	p->c = c;
	p->s = s;
	p->set = set;
	p->errs = errs;
	p->nw = c->threads;
	atomic_init(&p->next, 0);
	atomic_init(&p->done, 0);
	atomic_init(&p->running, (int)p->nw);
	p->w = calloc(p->nw, sizeof(*p->w));
	if (!p->w)
		goto nomem;
	for (k = 0; k < p->nw; k++) {
		p->w[k].p = p;
		/* Room for every sample up front: no allocation while timing. */
		if (bench_samples_reserve(&p->w[k].lat, set->n ? set->n : 1))
			goto nomem;
	}
	p->start_s = (double)now_ns() / 1e9;
	for (k = 0; k < p->nw; k++) {
		err = pthread_create(&p->w[k].thread, NULL, worker, &p->w[k]);
		if (err) {
			pb_err("cannot start peel worker %zu: %s", k, strerror(err));
			/* Those not started never run: let the others drain. */
			atomic_fetch_sub(&p->running, (int)(p->nw - k));
			bench_request_stop();
			return PB_EXIT_RUNTIME;
		}
		p->w[k].started = true;
	}
	return 0;
nomem:
	pb_err("out of memory for the peel workers");
	atomic_store(&p->running, 0);
	return PB_EXIT_RUNTIME;
}

bool bench_peel_finished(struct bench_peel *p)
{
	return atomic_load(&p->running) <= 0;
}

void bench_peel_join(struct bench_peel *p)
{
	size_t k;

	/* The phase ends when the last worker ran out of work, not when the
	 * main loop (which wakes every 100 ms) noticed. */
	p->end_s = p->start_s;
	for (k = 0; p->w && k < p->nw; k++) {
		if (!p->w[k].started)
			continue;
		pthread_join(p->w[k].thread, NULL);
		if (p->w[k].end_s > p->end_s)
			p->end_s = p->w[k].end_s;
	}
}

void bench_peel_free(struct bench_peel *p)
{
	size_t k;

	for (k = 0; p->w && k < p->nw; k++)
		bench_samples_free(&p->w[k].lat);
	free(p->w);
	p->w = NULL;
}
