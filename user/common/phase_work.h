/* SPDX-License-Identifier: GPL-2.0 */
/* Which work of the peeloff path a phase's time covers, by the kernel
 * function the probe plan measured it on, and the groups of phases that
 * cover the same work on every kernel: the data `compare`, `matrix` and
 * `plot` use to put a phase of one kernel beside the same phase of
 * another only where both measured the same work.  The table beside the
 * probe plan (phase_work.c) is the one definition; a result carries what
 * it needs in trace.probes (each phase's symbol). */
#ifndef PEELBENCH_PHASE_WORK_H
#define PEELBENCH_PHASE_WORK_H

#include <stdbool.h>
#include <stddef.h>

#include "phase.h"

/* The units of work along the path, as bits. */
enum pb_work {
	PB_W_SYSCALL	= 1u << 0,	/* getsockopt entry/exit, option copy in and out */
	PB_W_FD		= 1u << 1,	/* the new fd: allocated and installed (peeloff_common) */
	PB_W_SOCK	= 1u << 2,	/* 6.x: sock_create of the new socket (in sctp_do_peeloff) */
	PB_W_COPY	= 1u << 3,	/* the parent's state onto the new sock: 6.x sctp_copy_sock,
					 * 7.x sk_clone() in sctp_clone_sock */
	PB_W_MIGRATE	= 1u << 4,	/* sctp_sock_migrate's walk of the queues */
	PB_W_ASSOC	= 1u << 5,	/* sctp_assoc_migrate */
};

/* The work a phase covers measured on symbol (a suffix such as
 * ".constprop.0" is ignored; a "syscalls:" tracepoint is the syscall);
 * 0 when the symbol is not in the table. */
unsigned int pb_symbol_work(const char *symbol);

/* "copy+migrate+assoc_migrate" */
void pb_work_name(unsigned int work, char *buf, size_t size);

/* A group of phases that covers the same work on every kernel, compared
 * where a phase alone is not: its value on a kernel is the sum of the
 * phases (disjoint, together exactly the group's work) that kernel's plan
 * measured.  Metric names: group.NAME.{p50,p99,p999,mean}_ns. */
struct pb_phase_group {
	const char *name;
	unsigned int work;
	const char *what;
};
extern const struct pb_phase_group pb_phase_groups[];
extern const size_t pb_nphase_groups;

/* The phases (bit mask of enum pb_phase) whose work (work[p], 0: not
 * measured) is disjoint and adds up to exactly group_work: the largest
 * first.  0 when this plan cannot cover the group. */
unsigned int pb_group_cover(const unsigned int work[PB_PH_MAX], unsigned int group_work);

#endif
