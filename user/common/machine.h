/* SPDX-License-Identifier: GPL-2.0 */
/* The machine a result was measured on (env.machine): the host's CPU
 * model and microcode, its CPU count, memory and kernel, the hypervisor
 * between the benchmark and that host, and a label (--machine-label,
 * default the host name).  Its id, a hash of all of them, keys history
 * series; compare refuses results of two machines. */
#ifndef PEELBENCH_MACHINE_H
#define PEELBENCH_MACHINE_H

#include <stdbool.h>

/* The host's fields travel to a guest in this variable (scripts/vm-run
 * passes PEELBENCH_* through): a guest sees a TCG CPU, not the host's. */
#define PB_MACHINE_ENV "PEELBENCH_HOST_MACHINE"
#define PB_MACHINE_LABEL_ENV "PEELBENCH_MACHINE_LABEL"

struct pb_machine {
	char id[17];		/* 16 hex digits over every field below */
	char label[64];
	char cpu[128];		/* /proc/cpuinfo "model name" */
	char microcode[32];	/* /proc/cpuinfo "microcode", "" if none */
	int ncpu;		/* online CPUs */
	unsigned mem_gib;	/* MemTotal rounded to GiB */
	char hypervisor[8];	/* "tcg", "kvm" (a peelbench guest), "none" */
	char host_kernel[128];	/* uname -r of the host */
};

/* This host's fields (not hypervisor, not id). */
void pb_machine_probe_host(struct pb_machine *m);
/* Sets PB_MACHINE_ENV to this host's fields unless it is set already
 * (then we are in a guest, or a caller chose them).  Call before a guest
 * starts. */
void pb_machine_export(void);
/* A usable --machine-label: 1 to 63 printable characters. */
bool pb_machine_label_ok(const char *label);
/* The machine of a run here: the host's fields from PB_MACHINE_ENV when
 * set (inside a guest), else probed; the label from PB_MACHINE_LABEL_ENV
 * when set, else the host name; hypervisor as given; id computed. */
void pb_machine_of_run(struct pb_machine *m, const char *hypervisor);
/* Compute m->id from the other fields. */
void pb_machine_set_id(struct pb_machine *m);

#endif
