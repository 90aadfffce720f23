// SPDX-License-Identifier: GPL-2.0
/* The fixture every `peelbench check` case builds on (check_fixture.h):
 * sockets on 127.0.0.1 with ephemeral ports, association ids, waits with
 * a limit, and what a case observed, written as a short string. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check_fixture.h"
#include "peelbench.h"

/* "setup: WHAT: ERRNO", the observed value of a case that could not get
 * as far as its question. */
int fx_setup_fail(struct fixture *fx, const char *what, int err)
{
	snprintf(fx->obs, fx->len, "setup: %s: %s", what, pb_errno_name(err));
	return -1;
}

void fx_observe(struct fixture *fx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fx->obs, fx->len, fmt, ap);
	va_end(ap);
}

/* The errno a failed call left, or what it returned instead. */
void fx_observe_call(struct fixture *fx, int ret)
{
	if (ret < 0)
		fx_observe(fx, "%s", pb_errno_name(errno));
	else
		fx_observe(fx, "returned fd");
}

void fx_observe_peeloff(struct fixture *fx, int sd, sctp_assoc_t id)
{
	fx_observe_call(fx, fx_track(fx, sctp_peeloff(sd, id)));
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int fx_track(struct fixture *fx, int fd)
{
	if (fd >= 0 && fx->nfds < MAX_FDS)
		fx->fds[fx->nfds++] = fd;
	return fd;
}

/* Close a tracked descriptor now rather than with the fixture. */
void fx_close_now(struct fixture *fx, int fd)
{
	int i;

	for (i = 0; i < fx->nfds; i++)
		if (fx->fds[i] == fd)
			fx->fds[i] = -1;
	close(fd);
}

static int sctp_socket_of(int family, int type)
{
	struct timeval tv = { WAIT_MS / 1000, 0 };
	int fd = socket(family, type | SOCK_CLOEXEC, IPPROTO_SCTP);

	if (fd < 0)
		return -1;
	/* No case may hang on a kernel that misbehaves. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

int check_sctp_socket(int type)
{
	return sctp_socket_of(AF_INET, type);
}

enum bind_to { BIND_LOOPBACK, BIND_ANY, BIND_ANY6 };

/* An AF_INET6 listener on :: (port chosen by the kernel); its port in
 * addr, 127.0.0.1 for the clients. */
static int listener6(struct fixture *fx, int type, struct sockaddr_in *addr)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	socklen_t alen = sizeof(a6);
	int fd = fx_track(fx, sctp_socket_of(AF_INET6, type));

	if (fd < 0)
		return fx_setup_fail(fx, "socket AF_INET6", errno);
	if (bind(fd, (struct sockaddr *)&a6, sizeof(a6)))
		return fx_setup_fail(fx, "bind ::", errno);
	if (getsockname(fd, (struct sockaddr *)&a6, &alen))
		return fx_setup_fail(fx, "getsockname", errno);
	if (listen(fd, 16))
		return fx_setup_fail(fx, "listen", errno);
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_port = a6.sin6_port;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return fd;
}

/* A listening SCTP socket of type on 127.0.0.1 (or every address), port
 * chosen by the kernel; the address clients connect to in addr. */
static int listener(struct fixture *fx, int type, struct sockaddr_in *addr,
		    enum bind_to to)
{
	bool any = to == BIND_ANY;
	socklen_t alen = sizeof(*addr);
	int fd;

	if (to == BIND_ANY6)
		return listener6(fx, type, addr);
	fd = fx_track(fx, check_sctp_socket(type));
	if (fd < 0)
		return fx_setup_fail(fx, "socket", errno);
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(any ? INADDR_ANY : INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)))
		return fx_setup_fail(fx, any ? "bind 0.0.0.0" : "bind 127.0.0.1", errno);
	if (getsockname(fd, (struct sockaddr *)addr, &alen))
		return fx_setup_fail(fx, "getsockname", errno);
	if (listen(fd, 16))
		return fx_setup_fail(fx, "listen", errno);
	/* Clients connect to 127.0.0.1 also when the listener is bound to
	 * every address. */
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return fd;
}

int fx_listener(struct fixture *fx, int type, struct sockaddr_in *addr)
{
	return listener(fx, type, addr, BIND_LOOPBACK);
}

/* The association ids a socket holds (SCTP_GET_ASSOC_ID_LIST). */
static int assoc_ids(int fd, sctp_assoc_t *ids, int max)
{
	union {
		struct sctp_assoc_ids l;
		char buf[sizeof(struct sctp_assoc_ids) + 16 * sizeof(sctp_assoc_t)];
	} u;
	socklen_t len = sizeof(u);
	int i, n;

	if (getsockopt(fd, IPPROTO_SCTP, SCTP_GET_ASSOC_ID_LIST, &u, &len))
		return -1;
	n = (int)u.l.gaids_number_of_ids;
	for (i = 0; i < n && i < max; i++)
		ids[i] = u.l.gaids_assoc_id[i];
	return n < max ? n : max;
}

bool check_has_assoc(int fd, sctp_assoc_t id)
{
	sctp_assoc_t ids[16];
	int i, n = assoc_ids(fd, ids, 16);

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* An id on fd that is not in known[0..nknown). */
static sctp_assoc_t new_assoc(int fd, const sctp_assoc_t *known, int nknown)
{
	sctp_assoc_t ids[16];
	int i, j, n = assoc_ids(fd, ids, 16);

	for (i = 0; i < n; i++) {
		for (j = 0; j < nknown; j++)
			if (ids[i] == known[j])
				break;
		if (j == nknown)
			return ids[i];
	}
	return 0;
}

/* Server plus n clients.  connect() on a one-to-many socket blocks until
 * the association is up; the server has hashed its side before it sent
 * the COOKIE ACK that ends that wait. */
int fx_add_client(struct fixture *fx)
{
	int i = fx->nclients, c, err;

	if (i >= MAX_CLIENTS)
		return fx_setup_fail(fx, "too many clients", EMFILE);
	c = fx_track(fx, check_sctp_socket(SOCK_SEQPACKET));
	if (c < 0)
		return fx_setup_fail(fx, "client socket", errno);
	fx->client[i] = c;
	fx->nclients++;
	if (fx->client_prep && (err = fx->client_prep(c)))
		return fx_setup_fail(fx, "client option", err);
	if (connect(c, (struct sockaddr *)&fx->saddr, sizeof(fx->saddr)))
		return fx_setup_fail(fx, "connect to 127.0.0.1", errno);
	fx->id[i] = new_assoc(fx->server, fx->id, i);
	if (!fx->id[i])
		return fx_setup_fail(fx, "server association id", ENOENT);
	fx->cid[i] = new_assoc(c, NULL, 0);
	if (!fx->cid[i])
		return fx_setup_fail(fx, "client association id", ENOENT);
	return 0;
}

static int open_with(struct fixture *fx, int n, char *obs, size_t len,
		     enum bind_to to)
{
	int i;

	memset(fx, 0, sizeof(*fx));
	fx->server = -1;
	for (i = 0; i < MAX_CLIENTS; i++)
		fx->client[i] = -1;
	fx->obs = obs;
	fx->len = len;
	fx->server = listener(fx, SOCK_SEQPACKET, &fx->saddr, to);
	if (fx->server < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (fx_add_client(fx))
			return -1;
	return 0;
}

int fx_open(struct fixture *fx, int n, char *obs, size_t len)
{
	return open_with(fx, n, obs, len, BIND_LOOPBACK);
}

int fx_open_any(struct fixture *fx, char *obs, size_t len)
{
	return open_with(fx, 0, obs, len, BIND_ANY);
}

int fx_open_any6(struct fixture *fx, char *obs, size_t len)
{
	return open_with(fx, 0, obs, len, BIND_ANY6);
}

sctp_assoc_t check_first_assoc(int fd)
{
	return new_assoc(fd, NULL, 0);
}

int fx_open_peeled(struct fixture *fx, int n, char *obs, size_t len)
{
	if (fx_open(fx, n, obs, len))
		return -1;
	return fx_peel_first(fx, 0);
}

void fx_close(struct fixture *fx)
{
	int i;

	for (i = fx->nfds - 1; i >= 0; i--)
		if (fx->fds[i] >= 0)
			close(fx->fds[i]);
	fx->nfds = 0;
}

/* Send on an association of a one-to-many socket (or a one-to-one one
 * with id 0); flags SCTP_EOF/SCTP_ABORT with an empty message. */
int check_send_on(int fd, sctp_assoc_t id, const char *msg, uint16_t flags)
{
	struct sctp_sndrcvinfo sinfo = { .sinfo_assoc_id = id,
					 .sinfo_flags = flags };

	return sctp_send(fd, msg, msg ? strlen(msg) : 0, &sinfo, MSG_NOSIGNAL);
}

/* The next data message on fd (notifications skipped), NUL-terminated
 * into buf.  0, or -1 with errno.  Plain recvmsg(): libsctp's
 * sctp_recvmsg() takes no flags (no MSG_DONTWAIT). */
int check_recv_data(int fd, char *buf, size_t len, bool dontwait)
{
	for (;;) {
		struct iovec iov = { buf, len - 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(fd, &msg, dontwait ? MSG_DONTWAIT : 0);

		if (n < 0)
			return -1;
		if (msg.msg_flags & MSG_NOTIFICATION)
			continue;
		buf[n] = '\0';
		return 0;
	}
}

/* Wait until the server's association id has received k ordered DATA
 * chunks (SCTP_GET_ASSOC_STATS, Linux 3.8+).  The counter moves in
 * sctp_eat_data() under the socket lock, in the same pass that queues
 * the message, and getsockopt takes that lock: once it reads k, the
 * messages are on the server's receive queue. */
int fx_wait_received(struct fixture *fx, sctp_assoc_t id, unsigned k)
{
	int waited;

	for (waited = 0; waited < WAIT_MS; waited++) {
		struct sctp_assoc_stats st = { .sas_assoc_id = id };
		socklen_t len = sizeof(st);

		if (getsockopt(fx->server, IPPROTO_SCTP, SCTP_GET_ASSOC_STATS,
			       &st, &len))
			return fx_setup_fail(fx, "SCTP_GET_ASSOC_STATS", errno);
		if (st.sas_iodchunks >= k)
			return 0;
		sleep_ms(1);
	}
	return fx_setup_fail(fx, "data not received within 5 s", ETIMEDOUT);
}

/* Wait until the server no longer lists id (after an ABORT or a
 * completed SHUTDOWN the association is freed). */
int fx_wait_gone(struct fixture *fx, sctp_assoc_t id, const char *after)
{
	char what[64];
	int waited;

	for (waited = 0; waited < WAIT_MS; waited++) {
		if (!check_has_assoc(fx->server, id))
			return 0;
		sleep_ms(1);
	}
	snprintf(what, sizeof(what), "association still listed 5 s after %s",
		 after);
	return fx_setup_fail(fx, what, ETIMEDOUT);
}

/* Debian's libsctp 1.0.19 declares sctp_peeloff_flags() in its header but
 * does not export it (built against headers without
 * SCTP_SOCKOPT_PEELOFF_FLAGS): use the library's when it has one, else
 * the same getsockopt the library would make. */
#pragma weak sctp_peeloff_flags
int check_peeloff_flags(int sd, sctp_assoc_t id, unsigned flags)
{
	sctp_peeloff_flags_arg_t arg = { .p_arg = { .associd = id },
					 .flags = flags };
	socklen_t len = sizeof(arg);

	if (sctp_peeloff_flags)
		return sctp_peeloff_flags(sd, id, flags);
	/* On success this getsockopt returns the new fd, not 0. */
	if (getsockopt(sd, IPPROTO_SCTP, SCTP_SOCKOPT_PEELOFF_FLAGS, &arg, &len) < 0)
		return -1;
	return arg.p_arg.sd;
}

/* Peel the server's first association off; the new fd is closed with the
 * fixture. */
int fx_peel_first(struct fixture *fx, unsigned flags)
{
	int fd = flags ? check_peeloff_flags(fx->server, fx->id[0], flags)
		       : sctp_peeloff(fx->server, fx->id[0]);

	if (fd < 0)
		return fx_setup_fail(fx, "peeloff", errno);
	return fx_track(fx, fd);
}
