// SPDX-License-Identifier: GPL-2.0
/* Hand a subcommand to the VM runner, which boots a guest kernel with SCTP
 * and runs this same binary inside it (the host's / is the guest's /). */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "peelbench.h"
#include "vm.h"

/* "FLAG VALUE" at args[n] when there is a value; the new count. */
static int push_opt(char **args, int n, const char *flag, const char *val)
{
	if (!val)
		return n;
	args[n++] = (char *)flag;
	args[n++] = (char *)val;
	return n;
}

bool vm_wanted(const struct vm_opts *vm)
{
	return vm->version || vm->debs.n || vm->image || vm->modules;
}

int vm_exec(const struct vm_opts *vm, int argc, char **argv)
{
	char runner[PATH_MAX], self[PATH_MAX];
	char **args;
	int i, n = 0;

	snprintf(runner, sizeof(runner), "%s/scripts/vm-run", pb.root);
	snprintf(self, sizeof(self), "%s/peelbench", pb.root);
	args = calloc(argc + 24 + pb.verbose + 4 * PB_OPT_LIST_MAX, sizeof(*args));
	if (!args) {
		pb_err("out of memory");
		return PB_EXIT_RUNTIME;
	}
	args[n++] = runner;
	n = push_opt(args, n, "--mem", vm->mem);
	n = push_opt(args, n, "--timeout", vm->timeout);
	n = push_opt(args, n, "--share", vm->share);
	n = push_opt(args, n, "--share", vm->share2);
	n = push_opt(args, n, "--kernel-image", vm->image);
	n = push_opt(args, n, "--modules", vm->modules);
	if (vm->allow_unverified)
		args[n++] = "--allow-unverified";
	for (i = 0; i < (int)vm->debs.n; i++)
		n = push_opt(args, n, "--deb", vm->debs.v[i]);
	for (i = 0; i < (int)vm->sysctls.n; i++)
		n = push_opt(args, n, "--sysctl", vm->sysctls.v[i]);
	if (vm->version)
		args[n++] = (char *)vm->version;
	args[n++] = "--";
	args[n++] = self;
	for (i = 0; i < pb.verbose; i++)
		args[n++] = "-v";
	for (i = 0; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	/* The guest's stderr is no terminal: tell it when ours is, so that
	 * progress bars show (bench/progress.c). */
	if (isatty(STDERR_FILENO))
		setenv("PEELBENCH_TTY", "1", 1);
	/* the runner's out-of-memory and --sysctl lines name our options */
	setenv("PEELBENCH_VM_MEM_OPT", "--vm-mem", 1);
	setenv("PEELBENCH_VM_SYSCTL_OPT", "--vm-sysctl", 1);
	execv(runner, args);
	pb_err("cannot start %s: %s", runner, strerror(errno));
	free(args);
	return PB_EXIT_ENV;
}

void vm_share_for_args(struct vm_opts *vm, int argc, char **argv)
{
	static char cwd[PATH_MAX], out[PATH_MAX];
	char buf[PATH_MAX];
	const char *file = NULL;
	size_t len;
	int i;

	if (!getcwd(cwd, sizeof(cwd)))
		return;
	/* vm-run refuses to share / itself; it is read-only in the guest. */
	if (strcmp(cwd, "/"))
		vm->share = cwd;
	for (i = 0; i < argc; i++) {
		if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
			file = argv[++i];
		else if (!strncmp(argv[i], "--output=", 9))
			file = argv[i] + 9;
		else if (!strncmp(argv[i], "-o", 2) && argv[i][2])
			file = argv[i] + 2;
		else if (!strcmp(argv[i], "--"))
			break;
	}
	if (!file)
		return;
	/* mkdir -p the folder: EEXIST is fine, realpath tells what is there */
	snprintf(buf, sizeof(buf), "%s", file);
	snprintf(out, sizeof(out), "%s", dirname(buf));
	for (len = 1; out[len]; len++)
		if (out[len] == '/') {
			out[len] = '\0';
			mkdir(out, 0755);
			out[len] = '/';
		}
	mkdir(out, 0755);
	snprintf(buf, sizeof(buf), "%s", file);
	if (!realpath(dirname(buf), out))
		return;
	len = strlen(cwd);
	if (vm->share && !strncmp(out, cwd, len) && (out[len] == '/' || !out[len]))
		return;	/* inside the shared cwd already */
	vm->share2 = out;
}
