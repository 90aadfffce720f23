// SPDX-License-Identifier: GPL-2.0
/* The progress bar. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static int tty = -1;
static bool shown;

/* In a guest, stderr is a virtio-serial port even when the user watches a
 * terminal on the host: vm_exec() passes PEELBENCH_TTY=1 into the guest
 * then (vm-run forwards PEELBENCH_* variables). */
static bool on_tty(void)
{
	const char *env = getenv("PEELBENCH_TTY");

	if (tty < 0)
		tty = isatty(STDERR_FILENO) || (env && !strcmp(env, "1"));
	return tty;
}

void bench_progress(const char *label, size_t done, size_t total)
{
	static struct timespec last;
	struct timespec now;
	char bar[41];
	size_t fill;

	if (!on_tty() || !total)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total && shown &&
	    (now.tv_sec - last.tv_sec) * 1000000000L + (now.tv_nsec - last.tv_nsec) < 100000000L)
		return;
	last = now;
	fill = done * (sizeof(bar) - 1) / total;
	memset(bar, '=', fill);
	memset(bar + fill, ' ', sizeof(bar) - 1 - fill);
	bar[sizeof(bar) - 1] = '\0';
	fprintf(stderr, "\r\033[K%-22s [%s] %zu/%zu", label, bar, done, total);
	shown = true;
}

void bench_progress_clear(void)
{
	if (shown && on_tty())
		fputs("\r\033[K", stderr);
	shown = false;
}
