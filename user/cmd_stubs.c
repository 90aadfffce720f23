// SPDX-License-Identifier: GPL-2.0
/* Weak placeholders for subcommands that have not landed yet; a real
 * cmd_NAME() in user/cmd_NAME.c replaces its placeholder at link time. */
#include "commands.h"
#include "peelbench.h"

static int not_yet(const char *name)
{
	pb_err("'%s' is not available in this build", name);
	return PB_EXIT_USAGE;
}

#define STUB(name) \
	__attribute__((weak)) int cmd_##name(int argc, char **argv) \
	{ return not_yet(#name); }

STUB(run)
STUB(trace)
STUB(probes)
STUB(check)
STUB(compare)
STUB(history)
STUB(plot)
STUB(export)
STUB(matrix)
