// SPDX-License-Identifier: GPL-2.0
/* The work each probed function covers, and the groups that compare
 * across kernels (phase_work.h).  Nested calls count as the caller's
 * work: a phase's time includes everything it calls. */
#include <stdio.h>
#include <string.h>

#include "phase_work.h"

#define W_PEELOFF (PB_W_SOCK | PB_W_COPY | PB_W_MIGRATE | PB_W_ASSOC)

static const struct {
	const char *symbol;
	unsigned int work;
} symbols[] = {
	/* the syscall: everything */
	{ "__sys_getsockopt", PB_W_SYSCALL | PB_W_FD | W_PEELOFF },
	{ "syscalls:", PB_W_SYSCALL | PB_W_FD | W_PEELOFF },
	/* 7.x: sctp_do_peeloff inlined; its caller also installs the fd */
	{ "sctp_getsockopt_peeloff_common", PB_W_FD | W_PEELOFF },
	{ "sctp_do_peeloff", W_PEELOFF },
	/* up to 6.x: the copy alone, sctp_do_peeloff then migrates */
	{ "sctp_copy_sock", PB_W_COPY },
	/* 7.x (the sk_clone() rewrite): sk_clone() and the inlined
	 * sctp_sock_migrate in one function */
	{ "sctp_clone_sock", PB_W_COPY | PB_W_MIGRATE | PB_W_ASSOC },
	{ "sctp_sock_migrate", PB_W_MIGRATE | PB_W_ASSOC },
	{ "sctp_assoc_migrate", PB_W_ASSOC },
};

static const char *const work_names[] = {
	"syscall", "fd", "sock_create", "copy", "migrate", "assoc_migrate",
};

const struct pb_phase_group pb_phase_groups[] = {
	{ "copy_migrate", PB_W_COPY | PB_W_MIGRATE | PB_W_ASSOC,
	  "the new socket's state and the association's move: "
	  "6.x clone (sctp_copy_sock) + migrate (sctp_sock_migrate), 7.x clone (sctp_clone_sock)" },
};
const size_t pb_nphase_groups = sizeof(pb_phase_groups) / sizeof(pb_phase_groups[0]);

unsigned int pb_symbol_work(const char *symbol)
{
	size_t i, n;

	for (i = 0; symbol && i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		n = strlen(symbols[i].symbol);
		/* "name" or "name.suffix"; "syscalls:" is a prefix */
		if (!strncmp(symbol, symbols[i].symbol, n) &&
		    (!symbol[n] || symbol[n] == '.' || symbols[i].symbol[n - 1] == ':'))
			return symbols[i].work;
	}
	return 0;
}

void pb_work_name(unsigned int work, char *buf, size_t size)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(work_names) / sizeof(work_names[0]); i++)
		if (work & (1u << i))
			off += snprintf(buf + off, off < size ? size - off : 0, "%s%s",
					off ? "+" : "", work_names[i]);
}

static int bits(unsigned int v)
{
	return __builtin_popcount(v);
}

unsigned int pb_group_cover(const unsigned int work[PB_PH_MAX], unsigned int group_work)
{
	unsigned int have = 0, mask = 0, p, best;

	while (have != group_work) {
		best = PB_PH_MAX;
		for (p = 0; p < PB_PH_MAX; p++)
			if (work[p] && !(work[p] & ~group_work) && !(work[p] & have) &&
			    (best == PB_PH_MAX || bits(work[p]) > bits(work[best])))
				best = p;
		if (best == PB_PH_MAX)
			return 0;
		have |= work[best];
		mask |= 1u << best;
	}
	return mask;
}
