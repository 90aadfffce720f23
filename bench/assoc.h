/* SPDX-License-Identifier: GPL-2.0 */
/* The server's one-to-many socket and the client side of every
 * association: setup (non-blocking connects under epoll, or one blocking
 * connect at a time as a baseline), association ids, teardown. */
#ifndef PEELBENCH_BENCH_ASSOC_H
#define PEELBENCH_BENCH_ASSOC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "errors.h"

enum bench_assoc_state {
	BENCH_ASSOC_NEW,
	BENCH_ASSOC_CONNECTING,
	BENCH_ASSOC_UP,		/* established, id known */
	BENCH_ASSOC_FAILED,	/* setup failed (counted) */
	BENCH_ASSOC_ABORTED,	/* --abort-peers: the client aborted it */
	BENCH_ASSOC_DONE,	/* peeled (or tried), client closed or kept */
};

struct bench_assoc {
	int client_fd;		/* one-to-one (SOCK_STREAM) client, -1 when closed */
	int32_t id;		/* sctp_assoc_t on the server */
	uint16_t port;		/* client source port */
	uint8_t addr;		/* client source address index */
	bool loaded;		/* keeps sending in the peel phase */
	atomic_int state;	/* enum bench_assoc_state */
};

struct bench_server {
	int fd;			/* SOCK_SEQPACKET, IPPROTO_SCTP */
	int family;		/* AF_INET or AF_INET6 */
	uint16_t port;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/* A round's associations. */
struct bench_assoc_set {
	struct bench_assoc *a;
	size_t n;		/* requested */
	size_t up;		/* established with a known id */
	double setup_s;		/* wall time of the setup */
};

/* Progress and housekeeping, called from setup loops about every 100 ms
 * (NULL: none). */
typedef void (*bench_tick_fn)(void *ctx, const char *phase, size_t done, size_t total);

/* CLOCK_MONOTONIC in seconds. */
double bench_now_s(void);

/* Server socket bound to the loopback address, listening.  Prints its own
 * error; returns 0 or a PB_EXIT_* code (EADDRINUSE: PB_EXIT_RUNTIME). */
int bench_server_open(const struct bench_config *c, struct bench_server *s);
/* Read and drop whatever is queued on the parent (between rounds). */
size_t bench_server_drain(struct bench_server *s);
/* Associations the server socket holds (SCTP_GET_ASSOC_NUMBER), or -errno. */
long bench_server_assoc_count(struct bench_server *s);
void bench_server_close(struct bench_server *s);

/* Set up n associations from the round's client slots.  *slot is the
 * running client port cursor (kept across rounds so that ports of the
 * last round, still shutting down, are not reused at once).  Failures
 * are counted in errs; returns 0, -EINTR on a stop request, or a
 * PB_EXIT_* code when setup cannot go on at all (printed). */
int bench_assocs_setup(const struct bench_config *c, struct bench_server *s,
		       struct bench_assoc_set *set, size_t n,
		       unsigned long long *slot, struct bench_errors *errs,
		       bench_tick_fn tick, void *ctx);
/* Abort association i from the client side (SO_LINGER 0, close). */
void bench_assoc_abort(struct bench_assoc *a);
/* Close every client socket left and free the set. */
void bench_assocs_free(struct bench_assoc_set *set);

#endif
