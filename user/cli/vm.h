/* SPDX-License-Identifier: GPL-2.0 */
/* `peelbench --vm VERSION COMMAND...`: the same command inside a guest,
 * through scripts/vm-run. */
#ifndef PEELBENCH_VM_H
#define PEELBENCH_VM_H

#include <stdbool.h>

#include "opts.h"

struct vm_opts {
	const char *version;	/* "6.1", "7.3", ... */
	struct pb_opt_list debs;	/* --vm-deb FILE...: instead of version */
	const char *image;	/* --vm-kernel-image FILE: instead of version */
	const char *modules;	/* --vm-modules DIR: the image's modules */
	bool allow_unverified;	/* --vm-allow-unverified */
	const char *mem;	/* MiB, NULL for the runner's default */
	const char *timeout;	/* seconds, NULL for the runner's default */
	const char *share;	/* host folder writable in the guest, or NULL */
	const char *share2;	/* a second one, or NULL */
	struct pb_opt_list sysctls;	/* --vm-sysctl KEY=VALUE... */
};

/* `peelbench --vm V COMMAND ARGS`: the folders the command writes to made
 * writable in the guest (the guest's / is the host's, read-only): the
 * current directory (results/ and relative -o paths land there) and the
 * folder of an -o/--output FILE outside it, created if missing. */
void vm_share_for_args(struct vm_opts *vm, int argc, char **argv);

/* Whether a guest is asked for (--vm, --vm-deb, --vm-kernel-image or
 * --vm-modules: vm-run refuses a half pair in one line). */
bool vm_wanted(const struct vm_opts *vm);

/* Replaces this process with scripts/vm-run; returns an exit code only
 * when that cannot be started. */
int vm_exec(const struct vm_opts *vm, int argc, char **argv);

#endif
