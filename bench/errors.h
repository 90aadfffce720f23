/* SPDX-License-Identifier: GPL-2.0 */
/* Failures counted by name: an errno name ("EINVAL") for a failing call,
 * or a verification verdict ("flags_mismatch").  Shared by all workers;
 * failures are rare, so one mutex is enough. */
#ifndef PEELBENCH_BENCH_ERRORS_H
#define PEELBENCH_BENCH_ERRORS_H

#include <pthread.h>

#define BENCH_ERRORS_MAX 32

struct bench_errors {
	pthread_mutex_t lock;
	int len;
	struct {
		char name[32];
		unsigned long long n;
	} e[BENCH_ERRORS_MAX];
};

void bench_errors_init(struct bench_errors *e);
void bench_errors_add(struct bench_errors *e, const char *name);
/* -err is an errno value as the calls return it. */
void bench_errors_add_errno(struct bench_errors *e, int err);
void bench_errors_merge(struct bench_errors *dst, const struct bench_errors *src);
unsigned long long bench_errors_total(const struct bench_errors *e);

#endif
