/* SPDX-License-Identifier: GPL-2.0 */
/* The driver's configuration: one struct, one table of options (long name,
 * type, range, help) from which the CLI, validation and the result file's
 * "config" object are all derived, so that they cannot disagree. */
#ifndef PEELBENCH_BENCH_CONFIG_H
#define PEELBENCH_BENCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum bench_family { BENCH_INET, BENCH_INET6 };
enum bench_connect { BENCH_CONNECT_EPOLL, BENCH_CONNECT_BLOCKING };
enum bench_call { BENCH_CALL_PEELOFF, BENCH_CALL_PEELOFF_FLAGS };

/* --flags bits, the values of sctp_peeloff_flags(3)'s flags argument. */
#define BENCH_FLAG_NONBLOCK 0x1
#define BENCH_FLAG_CLOEXEC  0x2

struct bench_config {
	unsigned long long assocs;	/* associations per round */
	int family;			/* enum bench_family */
	unsigned long long port;	/* server port; 0: ephemeral */
	unsigned long long src_addrs;	/* client source addresses; 0: auto */
	int connect;			/* enum bench_connect */
	unsigned long long connect_window; /* connects in flight (epoll) */
	unsigned long long threads;	/* peel workers */
	double rate;			/* peels per second, all workers; 0: max */
	int call;			/* enum bench_call */
	unsigned int flags;		/* BENCH_FLAG_* for sctp_peeloff_flags */
	bool flags_given;		/* --flags was on the command line */
	bool call_given;		/* --call was on the command line */
	double load_share;		/* share of associations that keep sending */
	double load_rate;		/* their messages per second, in total */
	unsigned long long msg_size;	/* bytes per message */
	unsigned long long backlog;	/* messages left unread on the parent */
	unsigned long long assoc_queue;	/* messages queued on the peeled assoc */
	unsigned long long warmup;	/* associations peeled first, not counted */
	unsigned long long repeat;	/* measured rounds */
	unsigned long long abort_peers;	/* peers that abort in the peel phase */
	unsigned long long verify_timeout_ms; /* per peeled socket round trip */
};

enum bench_opt_type {
	BENCH_OPT_U64,
	BENCH_OPT_DOUBLE,
	BENCH_OPT_ENUM,		/* int, value index into .choices */
	BENCH_OPT_FLAGS,	/* --flags: comma list or "none" */
	BENCH_OPT_DURATION_MS,	/* "10s", "500ms" stored in ms */
};

struct bench_option {
	const char *name;	/* long option and config key */
	enum bench_opt_type type;
	size_t off;		/* offsetof(struct bench_config, field) */
	double min, max;	/* inclusive range for numbers */
	const char *const *choices; /* BENCH_OPT_ENUM: NULL-terminated */
	const char *metavar;
	const char *help;
};

/* The table, terminated by an entry with name == NULL. */
extern const struct bench_option bench_options[];

void bench_config_defaults(struct bench_config *c);
const struct bench_option *bench_option_find(const char *name);
/* Parse and range-check one option value into c.  On failure writes a
 * one-line reason (no "peelbench:" prefix) into err and returns false. */
bool bench_config_set(struct bench_config *c, const struct bench_option *o,
		      const char *val, char *err, size_t errlen);
/* Checks that involve several options; same error convention. */
bool bench_config_check(const struct bench_config *c, char *err, size_t errlen);

/* Derived quantities, one definition each. */
unsigned long long bench_config_src_addrs(const struct bench_config *c);
unsigned long long bench_config_load_assocs(const struct bench_config *c);
bool bench_config_is_loaded(const struct bench_config *c, unsigned long long i);
unsigned long long bench_config_fillers(const struct bench_config *c);
/* File descriptors the run needs at its peak (clients, fillers, server,
 * epoll, one peeled socket per worker, stdio and slack). */
unsigned long long bench_config_fds_needed(const struct bench_config *c);
/* Human form of the --flags value: "none", "nonblock,cloexec". */
const char *bench_flags_name(unsigned int flags);
const char *bench_call_name(int call);

/* Client ports: each source address uses ports from BENCH_PORT_BASE on,
 * BENCH_PORTS_PER_ADDR of them, because a port-0 bind on SCTP picks a port
 * no socket uses on any address (sctp_get_port_local), which would cap
 * the run at the ephemeral range whatever the source address. */
#define BENCH_PORT_BASE      20000
#define BENCH_PORTS_PER_ADDR 40000
#define BENCH_MAX_ASSOCS     1000000ULL
#define BENCH_MSG_HDR        16	/* bytes of struct bench_msg in wire.h */

#endif
