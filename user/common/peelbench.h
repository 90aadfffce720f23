/* SPDX-License-Identifier: GPL-2.0 */
/* What every part of peelbench's user space shares: exit codes, error
 * printing, global options.  One concern per file elsewhere. */
#ifndef PEELBENCH_H
#define PEELBENCH_H

#include <stdbool.h>
#include <stddef.h>

#define PEELBENCH_VERSION "0.1.0"

/* Exit codes, documented in README.md ("Exit codes"). */
enum pb_exit {
	PB_EXIT_OK       = 0,	/* done, nothing found wrong */
	PB_EXIT_FOUND    = 1,	/* ran fine and found a problem: regression,
				 * failed check case, failed matrix cell */
	PB_EXIT_USAGE    = 2,	/* bad option, bad number, unusable input file */
	PB_EXIT_ENV      = 3,	/* environment lacks something: root/caps, BPF,
				 * BTF, SCTP, qemu, a tool */
	PB_EXIT_RUNTIME  = 4,	/* a call failed while running: load, attach,
				 * socket, download, disk */
	PB_EXIT_VM       = 5,	/* guest failed: boot failure, panic, OOM */
	PB_EXIT_TIMEOUT  = 6,	/* guest or command exceeded its time limit */
	PB_EXIT_INTR     = 130,	/* interrupted by SIGINT; partial result kept */
};

struct pb_globals {
	int verbose;		/* -v: libbpf debug output and more */
	const char *root;	/* the checkout: dirname of /proc/self/exe */
};
extern struct pb_globals pb;

/* "peelbench: <message>\n" on stderr, one line. */
void pb_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only with -v. */
void pb_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Name of an errno value ("EINVAL"), or "E<n>" when unknown. */
const char *pb_errno_name(int err);

/* Strict number parsers: whole string, in range, else false.
 * Suffixes k/m/g (x1000) for counts; s/ms/us/m/h for durations. */
bool pb_parse_u64(const char *s, unsigned long long min,
		  unsigned long long max, unsigned long long *out);
bool pb_parse_double(const char *s, double min, double max, double *out);
bool pb_parse_duration_ns(const char *s, unsigned long long *ns);
/* getopt_long's ':' (missing value) or '?' for command cmd: prints the
 * one-line error naming arg (argv[optind - 1]); returns PB_EXIT_USAGE. */
int pb_opt_error(const char *cmd, int opt, const char *arg);
/* A comma-separated list of names (at most 255 characters) as a bit mask:
 * bit i for names[i] (NULL entries match nothing).  -1 when a name is
 * unknown or the list has none; *mask is then left alone. */
int pb_parse_name_mask(const char *list, const char *const *names, unsigned int n,
		       unsigned int *mask);

/* A duration in the unit that fits: fmt[0] for ns below 1 us, fmt[1]
 * (given us) below 1 ms, fmt[2] (ms) below 1 s, fmt[3] (s) above; a
 * NULL fmt[3] keeps ms.  Each printer keeps its own style through fmt
 * ("12.3 us" in run's summary, "12.3us" in the histogram header). */
const char *pb_fmt_ns(double ns, const char *const fmt[4], char *buf, size_t len);

#endif
