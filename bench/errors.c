// SPDX-License-Identifier: GPL-2.0
/* Counting failures by name. */
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "peelbench.h"

void bench_errors_init(struct bench_errors *e)
{
	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
}

static void add_n(struct bench_errors *e, const char *name, unsigned long long n)
{
	int i;

	pthread_mutex_lock(&e->lock);
	for (i = 0; i < e->len; i++)
		if (!strcmp(e->e[i].name, name))
			break;
	if (i == e->len) {
		/* Past the table's end everything lands in the last slot:
		 * counted, under a name that says so. */
		if (e->len == BENCH_ERRORS_MAX)
			i = BENCH_ERRORS_MAX - 1, name = "other";
		else
			e->len++;
		snprintf(e->e[i].name, sizeof(e->e[i].name), "%s", name);
	}
	e->e[i].n += n;
	pthread_mutex_unlock(&e->lock);
}

void bench_errors_add(struct bench_errors *e, const char *name)
{
	add_n(e, name, 1);
}

void bench_errors_add_errno(struct bench_errors *e, int err)
{
	add_n(e, pb_errno_name(err), 1);
}

void bench_errors_merge(struct bench_errors *dst, const struct bench_errors *src)
{
	int i;

	for (i = 0; i < src->len; i++)
		add_n(dst, src->e[i].name, src->e[i].n);
}

unsigned long long bench_errors_total(const struct bench_errors *e)
{
	unsigned long long t = 0;
	int i;

	for (i = 0; i < e->len; i++)
		t += e->e[i].n;
	return t;
}
