// SPDX-License-Identifier: GPL-2.0
/* The run's stop request (SIGINT; see driver.h): a lock-free atomic,
 * so a signal handler may set it. */
#include <stdatomic.h>

#include "driver.h"

static atomic_int stop_flag;

void bench_request_stop(void)
{
	atomic_store(&stop_flag, 1);
}

bool bench_stop_requested(void)
{
	return atomic_load_explicit(&stop_flag, memory_order_relaxed);
}
