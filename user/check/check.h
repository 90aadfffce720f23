/* SPDX-License-Identifier: GPL-2.0 */
/* `peelbench check`: the case table, the verdict rule and the two
 * printers (table, JSON).  Pure: no sockets here, so the rule and the
 * exact output are unit-tested on a host without SCTP.  The cases
 * themselves (socket code) are in check_cases_*.c, listed in
 * check_cases.c. */
#ifndef PEELBENCH_CHECK_H
#define PEELBENCH_CHECK_H

#include <stddef.h>
#include <stdio.h>

struct json_object;

#define CHECK_OBSERVED_MAX 160
#define CHECK_KLOG_MAX 240

enum check_verdict {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_KNOWN_DEVIATION,
	/* The option or feature the case asks about does not exist in this
	 * kernel (ENOPROTOOPT): observed "not applicable". */
	CHECK_NOT_APPLICABLE,
};

/* The observed value of a case whose subject this kernel lacks. */
#define CHECK_NOT_APPLICABLE_OBS "not applicable"


/* One promise of sctp_peeloff(3) / RFC 6458 and how to test it.
 * expected and deviation are compared as strings with what run() writes
 * into observed: an errno name ("EINVAL"), or a short fixed phrase. */
struct check_case {
	const char *name;	/* "einval-one-to-one" */
	const char *promise;	/* one sentence, as the source words it */
	const char *source;	/* where the promise is written */
	const char *expected;
	/* What Linux is known to do instead, and the reference that says
	 * so; NULL when there is no known deviation. */
	const char *deviation;
	const char *deviation_ref;
	/* Sets up its own sockets (and namespaces), observes, tears down.
	 * A setup failure is written as "setup: WHAT: ERRNO". */
	void (*run)(char *observed, size_t len);
	/* Instead of run, for the cases of a table (one per socket
	 * option): run_arg(arg, observed, len). */
	void (*run_arg)(const void *arg, char *observed, size_t len);
	const void *arg;
};

struct check_outcome {
	const struct check_case *c;
	char observed[CHECK_OBSERVED_MAX];
	/* The first WARNING/BUG/refcount_t line the kernel logged while the
	 * case ran ("" if none): it makes the case fail, whatever observed
	 * says (check_kmsg.c). */
	char kernel_log[CHECK_KLOG_MAX];
	enum check_verdict verdict;
};

/* What the JSON's "env" and "created" say; given, so output is exact. */
struct check_env {
	const char *kernel;	/* uname -r */
	const char *arch;	/* uname -m */
	const char *created;	/* "2026-11-30T01:02:03Z" */
};

struct check_summary {
	unsigned int pass, fail, known_deviation, not_applicable;
};

/* The cases, in the order they run (check_cases.c). */
extern const struct check_case check_cases[];
extern const size_t check_ncases;

/* observed == expected: pass; == the known deviation: known deviation;
 * anything else (a setup failure included): fail. */
enum check_verdict check_verdict(const struct check_case *c,
				 const char *observed);
/* check_verdict() of o->observed, but fail when o->kernel_log is set. */
enum check_verdict check_outcome_verdict(const struct check_outcome *o);
const char *check_verdict_name(enum check_verdict v);
/* The reference shown beside an outcome: the deviation's reference for a
 * known deviation, the promise's source otherwise. */
const char *check_reference(const struct check_outcome *o);

struct check_summary check_summarize(const struct check_outcome *o, size_t n);
/* PB_EXIT_OK when every case is pass, known deviation or not
 * applicable, else PB_EXIT_FOUND. */
int check_exit_code(const struct check_outcome *o, size_t n);

/* The human table: case, expected, observed, verdict (a kernel log line
 * on a line of its own below its case), then a summary line. */
void check_print_table(FILE *f, const struct check_outcome *o, size_t n);
/* The whole result object (schema peelbench-result/1); NULL on ENOMEM. */
struct json_object *check_result_json(const struct check_env *env,
				      const struct check_outcome *o, size_t n);

/* check_kmsg.c: the kernel log around each case.  Records as /dev/kmsg
 * gives them ("PRI,SEQ,USEC,FLAGS;TEXT\n", continuation lines starting
 * with a space); plain lines (a fake log) are taken as text.  The first
 * line of text that holds "WARNING", "BUG" or "refcount_t" goes into
 * line (cut to len); returns whether there was one. */
int check_klog_scan(const char *buf, size_t n, char *line, size_t len);
/* Open the log (path, normally /dev/kmsg) non-blocking, positioned at its
 * end: only what is logged from now on is read.  -1 if it cannot. */
int check_klog_open(const char *path);
/* Read everything logged since open (or the last call) and scan it. */
int check_klog_read(int fd, char *line, size_t len);

#endif
