// SPDX-License-Identifier: GPL-2.0
/* Weak placeholders for the tracer library until user/trace.c lands. */
#include "peelbench.h"
#include "trace.h"

__attribute__((weak)) int tracer_open(const struct trace_opts *opts, struct tracer **out)
{
	pb_err("the tracer is not available in this build");
	return PB_EXIT_ENV;
}
__attribute__((weak)) int tracer_poll(struct tracer *t, int timeout_ms) { return 0; }
__attribute__((weak)) void tracer_round(struct tracer *t) { }
__attribute__((weak)) struct json_object *tracer_json(struct tracer *t) { return NULL; }
__attribute__((weak)) void tracer_print(struct tracer *t, FILE *f) { }
__attribute__((weak)) unsigned long long tracer_peeloff_ok(struct tracer *t) { return 0; }
__attribute__((weak)) void tracer_close(struct tracer *t) { }
