/* SPDX-License-Identifier: GPL-2.0 */
/* What the cases of `peelbench check` share (check_fixture.c): a
 * one-to-many SCTP server on 127.0.0.1 with connected one-to-many
 * clients, the descriptors to close with it, and where the case writes
 * what it observed.  Internal to user/check. */
#ifndef PEELBENCH_CHECK_FIXTURE_H
#define PEELBENCH_CHECK_FIXTURE_H

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_CLIENTS	2
#define MAX_FDS		8
/* Generous: a TCG guest is 20-100x slower than native. */
#define WAIT_MS		5000

/* A one-to-many server and one-to-many clients, each connected to it. */
struct fixture {
	int server;
	struct sockaddr_in saddr;
	int client[MAX_CLIENTS];
	sctp_assoc_t id[MAX_CLIENTS];	/* the server's id of client i */
	sctp_assoc_t cid[MAX_CLIENTS];	/* client i's own id */
	int nclients;
	int fds[MAX_FDS];		/* anything else to close */
	int nfds;
	char *obs;
	size_t len;
	/* Called on each client socket before it connects (SCTP-AUTH on):
	 * 0, or an errno.  NULL: none. */
	int (*client_prep)(int fd);
};

/* Server plus n clients (0 or -1 with the setup failure observed);
 * fx_close() closes everything, also after a failed fx_open(). */
int fx_open(struct fixture *fx, int n, char *obs, size_t len);
void fx_close(struct fixture *fx);
/* The server alone, bound to 0.0.0.0 (what SCTP_AUTO_ASCONF needs);
 * clients still connect to 127.0.0.1. */
int fx_open_any(struct fixture *fx, char *obs, size_t len);
/* The server alone, AF_INET6 bound to :: (dual stack, so the IPv4
 * clients reach it; the peeled socket is AF_INET6). */
int fx_open_any6(struct fixture *fx, char *obs, size_t len);
/* One more client, connected: client[nclients-1], id[] and cid[]. */
int fx_add_client(struct fixture *fx);
/* fx_open() with n clients, then fx_peel_first(fx, 0): the new fd, or -1
 * with the setup failure observed. */
int fx_open_peeled(struct fixture *fx, int n, char *obs, size_t len);

/* Observe "setup: WHAT: ERRNO"; returns -1. */
int fx_setup_fail(struct fixture *fx, const char *what, int err);
void fx_observe(struct fixture *fx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Observe the errno of a failed call, or "returned fd". */
void fx_observe_call(struct fixture *fx, int ret);
/* Observe what sctp_peeloff(sd, id) does; an fd it returns is tracked. */
void fx_observe_peeloff(struct fixture *fx, int sd, sctp_assoc_t id);

/* Close fd with the fixture; returns fd. */
int fx_track(struct fixture *fx, int fd);
/* Close a tracked fd now. */
void fx_close_now(struct fixture *fx, int fd);
/* A listening socket of type on 127.0.0.1, tracked; its address in addr. */
int fx_listener(struct fixture *fx, int type, struct sockaddr_in *addr);
/* Wait until the server's association id has k DATA chunks queued. */
int fx_wait_received(struct fixture *fx, sctp_assoc_t id, unsigned k);
/* Wait until the server no longer lists id (after is what ended it). */
int fx_wait_gone(struct fixture *fx, sctp_assoc_t id, const char *after);
/* Peel the server's first association off (flags: peeloff_flags);
 * the new fd is tracked. */
int fx_peel_first(struct fixture *fx, unsigned flags);

/* An SCTP socket of type with send and receive timeouts of WAIT_MS. */
int check_sctp_socket(int type);
bool check_has_assoc(int fd, sctp_assoc_t id);
/* The first association id fd holds, 0 if none. */
sctp_assoc_t check_first_assoc(int fd);
int check_send_on(int fd, sctp_assoc_t id, const char *msg, uint16_t flags);
int check_recv_data(int fd, char *buf, size_t len, bool dontwait);
/* sctp_peeloff_flags(), also where libsctp does not export it. */
int check_peeloff_flags(int sd, sctp_assoc_t id, unsigned flags);

#endif
