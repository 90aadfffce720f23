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

enum check_verdict {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_KNOWN_DEVIATION,
};

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
};

struct check_outcome {
	const struct check_case *c;
	char observed[CHECK_OBSERVED_MAX];
	enum check_verdict verdict;
};

/* What the JSON's "env" and "created" say; given, so output is exact. */
struct check_env {
	const char *kernel;	/* uname -r */
	const char *arch;	/* uname -m */
	const char *created;	/* "2026-11-30T01:02:03Z" */
};

struct check_summary {
	unsigned int pass, fail, known_deviation;
};

/* The cases, in the order they run (check_cases.c). */
extern const struct check_case check_cases[];
extern const size_t check_ncases;

/* observed == expected: pass; == the known deviation: known deviation;
 * anything else (a setup failure included): fail. */
enum check_verdict check_verdict(const struct check_case *c,
				 const char *observed);
const char *check_verdict_name(enum check_verdict v);
/* The reference shown beside an outcome: the deviation's reference for a
 * known deviation, the promise's source otherwise. */
const char *check_reference(const struct check_outcome *o);

struct check_summary check_summarize(const struct check_outcome *o, size_t n);
/* PB_EXIT_OK when every case is pass or known deviation, else
 * PB_EXIT_FOUND. */
int check_exit_code(const struct check_outcome *o, size_t n);

/* The human table: case, expected, observed, verdict, then a summary
 * line. */
void check_print_table(FILE *f, const struct check_outcome *o, size_t n);
/* The whole result object (schema peelbench-result/1); NULL on ENOMEM. */
struct json_object *check_result_json(const struct check_env *env,
				      const struct check_outcome *o, size_t n);

#endif
