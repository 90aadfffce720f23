/* SPDX-License-Identifier: GPL-2.0 */
/* The run's stop request (SIGINT): set from a signal handler, read by every
 * loop of the driver, which then unwinds and closes what it opened. */
#ifndef PEELBENCH_BENCH_STOP_H
#define PEELBENCH_BENCH_STOP_H

#include <stdbool.h>

void bench_request_stop(void);	/* async-signal-safe */
bool bench_stop_requested(void);

#endif
