/* SPDX-License-Identifier: GPL-2.0 */
/* A one-line progress bar on stderr, only when stderr is a terminal:
 * scripts and tests see nothing of it. */
#ifndef PEELBENCH_BENCH_PROGRESS_H
#define PEELBENCH_BENCH_PROGRESS_H

#include <stddef.h>

/* label: "round 2/3 setup"; redraws at most every 100 ms. */
void bench_progress(const char *label, size_t done, size_t total);
/* Erase the bar (before any other output). */
void bench_progress_clear(void);

#endif
