/* SPDX-License-Identifier: GPL-2.0 */
/* The phases on the user side: their names, generated from bpf/peel.h's
 * PB_PHASES (the one list), for everything that reads or writes them. */
#ifndef PEELBENCH_PHASE_H
#define PEELBENCH_PHASE_H

#include <linux/types.h>

#include "peel.h"

#define PB_PHASE_NAME_(id, name, args, funcs, enclosers) #name,

/* Phase p's name (enum pb_phase): "syscall", ..., "assoc_migrate". */
static inline const char *pb_phase_name(unsigned int p)
{
	static const char *const names[PB_PH_MAX] = { PB_PHASES(PB_PHASE_NAME_) };

	return p < PB_PH_MAX ? names[p] : "?";
}

#endif
