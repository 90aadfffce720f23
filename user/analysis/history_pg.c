// SPDX-License-Identifier: GPL-2.0
#include "history_store.h"
#include "peelbench.h"
static int pg_open(const char *where, bool create, void **impl)
{
	pb_err("history: postgresql not built");
	return PB_EXIT_USAGE;
}
const struct pb_history_ops pb_history_pg = { .open = pg_open };
bool pb_history_pg_describe(const char *where, char *buf, size_t size)
{
	return false;
}
