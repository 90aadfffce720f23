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
	PB_EXIT_INTR     = 130,	/* interrupted by SIGINT (SIGTERM, SIGHUP: 128+N,
				 * pb_exit_stopped); partial result kept */
};

struct pb_globals {
	int verbose;		/* -v: libbpf debug output and more */
	bool json;		/* --json: a failing command also prints its
				 * error as JSON on stdout */
	const char *root;	/* the checkout: dirname of /proc/self/exe */
};
extern struct pb_globals pb;

/* "peelbench: <message>\n" on stderr, one line: control characters in
 * what it quotes are escaped (pb_escape).  The first one is kept for the
 * JSON error object of --json (pb_first_error). */
void pb_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same line for a warning: not an error, not kept. */
void pb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The first pb_err message of this process (as formatted), or NULL. */
const char *pb_first_error(void);
/* s with "\n", "\r", "\t" and "\xNN" for control characters, cut to fit
 * size; returns the length written. */
size_t pb_escape(const char *s, char *out, size_t size);
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
/* The guest's limits (--vm-mem MiB, --vm-timeout s) that every command
 * taking them accepts. */
#define PB_VM_MEM_MIN 256ULL
#define PB_VM_MEM_MAX (1ULL << 20)
#define PB_VM_TIMEOUT_MAX (7ULL * 86400)
/* Guest memory for a run of ASSOCS associations, on every path that boots
 * one for it (--vm, run's own fallback, matrix): both ends of every
 * association live in the guest's kernel. */
unsigned long long pb_guest_mem_mib(unsigned long long assocs);
/* A whole number in [min, max] for option OPT ("--vm-mem") of command
 * CMD ("" at the top level); else one line, "CMD: OPT: 'VAL' is not a
 * whole number from MIN to MAX", and false. */
bool pb_parse_count_opt(const char *cmd, const char *opt, const char *val,
			unsigned long long min, unsigned long long max,
			unsigned long long *out);

/* SIGINT, SIGTERM and SIGHUP ask a long command to stop: on_stop (async-
 * signal-safe) is called, and the signal is kept for pb_exit_stopped.
 * No SA_RESTART: blocking calls return EINTR.  SIGPIPE is ignored. */
void pb_catch_stop_signals(void (*on_stop)(int sig));
/* The actions those three signals had before (SIGPIPE stays ignored). */
void pb_release_stop_signals(void);
/* PB_EXIT_INTR as the signal that stopped us says it: 128+N (SIGINT 130,
 * SIGTERM 143, SIGHUP 129); any other ret is returned as it is. */
int pb_exit_stopped(int ret);

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
