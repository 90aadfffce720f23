// SPDX-License-Identifier: GPL-2.0
/* The load thread and the parent's backlog. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/sctp.h>

#include "driver.h"
#include "load.h"
#include "peelbench.h"
#include "wire.h"

static void ts_add_ns(struct timespec *ts, long long ns)
{
	ts->tv_sec += ns / 1000000000LL;
	ts->tv_nsec += ns % 1000000000LL;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static long long ts_diff_ns(const struct timespec *a, const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) * 1000000000LL + (a->tv_nsec - b->tv_nsec);
}

/* One message to the next loaded association still talking. */
static void send_one(struct bench_load *l, size_t *rr)
{
	size_t tries;

	for (tries = 0; tries < l->n; tries++) {
		struct bench_assoc *a = &l->set->a[l->idx[(*rr)++ % l->n]];
		int st = atomic_load(&a->state), err;

		if (st != BENCH_ASSOC_UP || a->client_fd < 0)
			continue;
		err = bench_msg_send(a->client_fd, BENCH_MSG_LOAD,
				     (uint64_t)(a - l->set->a), l->c->msg_size, 0);
		if (!err)
			l->sent++;
		else if (err == -EAGAIN || err == -EWOULDBLOCK)
			l->dropped++;
		else
			l->failed++;
		return;
	}
}

static void *load_thread(void *arg)
{
	struct bench_load *l = arg;
	long long interval = (long long)(1e9 / l->c->load_rate);
	struct timespec next, now;
	size_t rr = 0;

	if (interval < 1)
		interval = 1;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!atomic_load(&l->stop) && !bench_stop_requested()) {
		send_one(l, &rr);
		ts_add_ns(&next, interval);
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* More than a second behind: the senders cannot keep up;
		 * resume the schedule from now instead of bursting. */
		if (ts_diff_ns(&now, &next) > 1000000000LL)
			next = now;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return NULL;
}

int bench_load_start(struct bench_load *l, const struct bench_config *c,
		     struct bench_assoc_set *set)
{
	size_t i;
	int err;

	memset(l, 0, sizeof(*l));
	l->c = c;
	l->set = set;
	if (c->load_share <= 0)
		return 0;
	l->idx = calloc(set->n ? set->n : 1, sizeof(*l->idx));
	if (!l->idx) {
		pb_err("out of memory for the load thread");
		return PB_EXIT_RUNTIME;
	}
	for (i = 0; i < set->n; i++)
		if (set->a[i].loaded)
			l->idx[l->n++] = i;
	if (!l->n)
		return 0;
	atomic_init(&l->stop, false);
	err = pthread_create(&l->thread, NULL, load_thread, l);
	if (err) {
		pb_err("cannot start the load thread: %s", strerror(err));
		return PB_EXIT_RUNTIME;
	}
	l->running = true;
	return 0;
}

void bench_load_stop(struct bench_load *l)
{
	if (l->running) {
		atomic_store(&l->stop, true);
		pthread_join(l->thread, NULL);
		l->running = false;
	}
	free(l->idx);
	l->idx = NULL;
}

/* Data the server has not acknowledged yet (SCTP_STATUS on the client). */
static int unacked(int fd)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len))
		return -errno;
	return st.sstat_unackdata;
}

unsigned long long bench_backlog_fill(const struct bench_config *c,
				      struct bench_assoc_set *fillers,
				      struct bench_errors *errs)
{
	unsigned long long sent = 0, share;
	struct timespec ts = { 0, 5000000 };
	size_t j, up = 0;
	int err, tries;

	for (j = 0; j < fillers->n; j++)
		up += fillers->a[j].client_fd >= 0;
	if (!up)
		return 0;
	for (j = 0; j < fillers->n && sent < c->backlog; j++) {
		struct bench_assoc *a = &fillers->a[j];
		unsigned long long k;

		if (a->client_fd < 0)
			continue;
		/* Spread M over the fillers still up; the last takes the rest. */
		share = (c->backlog - sent + up - 1) / up;
		up--;
		for (k = 0; k < share; k++) {
			err = bench_msg_send(a->client_fd, BENCH_MSG_FILL, j,
					     c->msg_size, 5000);
			if (err) {
				bench_errors_add_errno(errs, err);
				break;
			}
			sent++;
		}
	}
	/* Delayed SACK can hold the last acknowledgement ~200 ms. */
	for (j = 0; j < fillers->n; j++) {
		if (fillers->a[j].client_fd < 0)
			continue;
		for (tries = 0; tries < 600 && unacked(fillers->a[j].client_fd) > 0; tries++)
			nanosleep(&ts, NULL);
	}
	return sent;
}
