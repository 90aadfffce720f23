// SPDX-License-Identifier: GPL-2.0
/* Hand a subcommand to the VM runner, which boots a guest kernel with SCTP
 * and runs this same binary inside it (the host's / is the guest's /). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peelbench.h"
#include "vm.h"

int vm_exec(const struct vm_opts *vm, int argc, char **argv)
{
	char runner[PATH_MAX], self[PATH_MAX];
	char **args;
	int i, n = 0;

	snprintf(runner, sizeof(runner), "%s/scripts/vm-run", pb.root);
	snprintf(self, sizeof(self), "%s/peelbench", pb.root);
	args = calloc(argc + 16, sizeof(*args));
	if (!args) {
		pb_err("out of memory");
		return PB_EXIT_RUNTIME;
	}
	args[n++] = runner;
	if (vm->mem) {
		args[n++] = "--mem";
		args[n++] = (char *)vm->mem;
	}
	if (vm->timeout) {
		args[n++] = "--timeout";
		args[n++] = (char *)vm->timeout;
	}
	if (vm->share) {
		args[n++] = "--share";
		args[n++] = (char *)vm->share;
	}
	args[n++] = (char *)vm->version;
	args[n++] = "--";
	args[n++] = self;
	for (i = 0; i < pb.verbose; i++)
		args[n++] = "-v";
	for (i = 0; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	execv(runner, args);
	pb_err("cannot start %s: %s", runner, strerror(errno));
	free(args);
	return PB_EXIT_ENV;
}
