// SPDX-License-Identifier: GPL-2.0
/* Association setup on loopback and the server socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netinet/sctp.h>

#include "assoc.h"
#include "driver.h"
#include "peelbench.h"
#include "sctp_avail.h"

double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int family_af(int family)
{
	return family == BENCH_INET6 ? AF_INET6 : AF_INET;
}

int bench_sctp_probe(enum bench_family family)
{
	return pb_sctp_socket_errno(family_af(family));
}

int bench_sctp_avail(enum bench_family family)
{
	return pb_sctp_avail(family_af(family));
}

/* Source address k of the clients: 127.0.0.(2+k), or ::1. */
static socklen_t client_addr(int family, unsigned k, uint16_t port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == BENCH_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons(port);
		return sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(0x7f000002U + k);
		a->sin_port = htons(port);
		return sizeof(*a);
	}
}

static int set_rcvbuf(int fd, int bytes)
{
	/* Root may go past net.core.rmem_max; others get what they get. */
	if (!setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)))
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

int bench_server_open(const struct bench_config *c, struct bench_server *s)
{
	struct sctp_event_subscribe ev = { 0 };
	int one = 1, err;

	memset(s, 0, sizeof(*s));
	s->family = family_af(c->family);
	s->fd = socket(s->family, SOCK_SEQPACKET | SOCK_CLOEXEC, IPPROTO_SCTP);
	if (s->fd < 0) {
		pb_err("cannot create the server socket: %s", strerror(errno));
		return PB_EXIT_RUNTIME;
	}
	/* No notifications: COMM_UP for every association would sit in the
	 * parent's receive queue and be walked by every sctp_sock_migrate,
	 * blurring --backlog. */
	setsockopt(s->fd, IPPROTO_SCTP, SCTP_EVENTS, &ev, sizeof(ev));
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Without it SCTP's Nagle holds a small message while data is
	 * unacknowledged, i.e. up to the peer's delayed SACK (200 ms), and
	 * every verification behind --assoc-queue or load would wait for it.
	 * Peeled sockets inherit it (sctp_copy_descendant in
	 * sctp_sock_migrate). */
	setsockopt(s->fd, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof(one));
	/* Room for --backlog and the load's messages: the peeled sockets
	 * inherit it (sctp_copy_sock / sctp_clone_sock). */
	set_rcvbuf(s->fd, 64 << 20);
	if (c->family == BENCH_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s->addr;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons((uint16_t)c->port);
		s->addrlen = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&s->addr;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons((uint16_t)c->port);
		s->addrlen = sizeof(*a);
	}
	if (bind(s->fd, (struct sockaddr *)&s->addr, s->addrlen)) {
		err = errno;
		if (err == EADDRINUSE)
			pb_err("port %llu is already in use; pick another --port, or 0 for an ephemeral one",
			       c->port);
		else
			pb_err("cannot bind the server socket: %s", strerror(err));
		goto fail;
	}
	if (getsockname(s->fd, (struct sockaddr *)&s->addr, &s->addrlen)) {
		pb_err("cannot read the server address: %s", strerror(errno));
		goto fail;
	}
	s->port = ntohs(((struct sockaddr_in *)&s->addr)->sin_port);
	if (listen(s->fd, 4096)) {
		pb_err("cannot listen on the server socket: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	close(s->fd);
	s->fd = -1;
	return PB_EXIT_RUNTIME;
}

size_t bench_server_drain(struct bench_server *s)
{
	static char buf[65536];
	size_t n = 0;

	while (recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

long bench_server_assoc_count(struct bench_server *s)
{
	uint32_t n = 0;
	socklen_t len = sizeof(n);

	if (getsockopt(s->fd, IPPROTO_SCTP, SCTP_GET_ASSOC_NUMBER, &n, &len))
		return -errno;
	return n;
}

void bench_server_close(struct bench_server *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* The server's id for the association whose peer is the client's bound
 * address: SCTP_GET_PEER_ADDR_INFO with assoc id 0 looks the transport up
 * by address (sctp_addr_id2transport) and reports its association. */
static int lookup_id(struct bench_server *s, int family, struct bench_assoc *a)
{
	struct sctp_paddrinfo pi;
	socklen_t len = sizeof(pi);
	struct sockaddr_storage ss;
	socklen_t alen = client_addr(family, a->addr, a->port, &ss);

	memset(&pi, 0, sizeof(pi));
	memcpy(&pi.spinfo_address, &ss, alen);
	if (getsockopt(s->fd, IPPROTO_SCTP, SCTP_GET_PEER_ADDR_INFO, &pi, &len))
		return -errno;
	a->id = pi.spinfo_assoc_id;
	return 0;
}

/* Create and bind client i's socket on the next free slot (address,port).
 * Returns the fd or -errno. */
static int client_socket(const struct bench_config *c, struct bench_assoc *a,
			 unsigned long long *slot, bool nonblock)
{
	unsigned long long k = bench_config_src_addrs(c), slots = k * BENCH_PORTS_PER_ADDR;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, tries, one = 1;

	fd = socket(family_af(c->family),
		    SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
		    IPPROTO_SCTP);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof(one));
	/* A port still held by an association of an earlier round (shutting
	 * down) or by someone else: take the next slot. */
	for (tries = 0; tries < 1000; tries++) {
		unsigned long long sl = (*slot)++ % slots;

		a->addr = (uint8_t)(sl / BENCH_PORTS_PER_ADDR);
		a->port = (uint16_t)(BENCH_PORT_BASE + sl % BENCH_PORTS_PER_ADDR);
		len = client_addr(c->family, a->addr, a->port, &ss);
		if (!bind(fd, (struct sockaddr *)&ss, len))
			return fd;
		if (errno != EADDRINUSE)
			break;
	}
	tries = -errno;
	close(fd);
	return tries;
}

static void fail_assoc(struct bench_assoc *a, struct bench_errors *errs, int err)
{
	if (a->client_fd >= 0)
		close(a->client_fd);
	a->client_fd = -1;
	atomic_store(&a->state, BENCH_ASSOC_FAILED);
	bench_errors_add_errno(errs, err);
	pb_debug("association setup failed: %s", strerror(err));
}

/* Start client i's connect; 0 when it is in flight or done, else -errno. */
static int start_connect(const struct bench_config *c, struct bench_server *s,
			 struct bench_assoc *a, unsigned long long *slot, bool nonblock)
{
	int fd = client_socket(c, a, slot, nonblock);

	if (fd < 0)
		return fd;
	a->client_fd = fd;
	if (!connect(fd, (struct sockaddr *)&s->addr, s->addrlen)) {
		atomic_store(&a->state, BENCH_ASSOC_UP);
		return 0;
	}
	if (errno != EINPROGRESS)
		return -errno;
	atomic_store(&a->state, BENCH_ASSOC_CONNECTING);
	return 0;
}

static int finish_connect(struct bench_assoc *a)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (getsockopt(a->client_fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		return -errno;
	if (soerr)
		return -soerr;
	atomic_store(&a->state, BENCH_ASSOC_UP);
	return 0;
}

static int setup_blocking(const struct bench_config *c, struct bench_server *s,
			  struct bench_assoc_set *set, unsigned long long *slot,
			  struct bench_errors *errs, bench_tick_fn tick, void *ctx)
{
	double last = bench_now_s();
	size_t i;
	int err;

	for (i = 0; i < set->n; i++) {
		if (bench_stop_requested())
			return -EINTR;
		err = start_connect(c, s, &set->a[i], slot, false);
		if (err)
			fail_assoc(&set->a[i], errs, -err);
		if (tick && bench_now_s() - last > 0.1) {
			tick(ctx, "setup", i + 1, set->n);
			last = bench_now_s();
		}
	}
	return 0;
}

static int setup_epoll(const struct bench_config *c, struct bench_server *s,
		       struct bench_assoc_set *set, unsigned long long *slot,
		       struct bench_errors *errs, bench_tick_fn tick, void *ctx)
{
	struct epoll_event evs[256];
	size_t next = 0, done = 0, inflight = 0;
	int ep, n, j, err;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		pb_err("cannot create an epoll instance: %s", strerror(errno));
		return PB_EXIT_RUNTIME;
	}
	while (done < set->n) {
		/* Keep the window full: connects beyond it would only wait
		 * in the kernel for the server's softirq anyway. */
		while (inflight < c->connect_window && next < set->n) {
			struct bench_assoc *a = &set->a[next];
			struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = next };

			next++;
			err = start_connect(c, s, a, slot, true);
			if (!err && atomic_load(&a->state) == BENCH_ASSOC_CONNECTING &&
			    epoll_ctl(ep, EPOLL_CTL_ADD, a->client_fd, &ev))
				err = -errno;
			if (err) {
				fail_assoc(a, errs, -err);
				done++;
			} else if (atomic_load(&a->state) == BENCH_ASSOC_UP) {
				done++;
			} else {
				inflight++;
			}
		}
		if (bench_stop_requested()) {
			close(ep);
			return -EINTR;
		}
		n = epoll_wait(ep, evs, 256, 100);
		if (n < 0 && errno != EINTR) {
			pb_err("epoll_wait failed during setup: %s", strerror(errno));
			close(ep);
			return PB_EXIT_RUNTIME;
		}
		for (j = 0; j < n; j++) {
			struct bench_assoc *a = &set->a[evs[j].data.u64];

			epoll_ctl(ep, EPOLL_CTL_DEL, a->client_fd, NULL);
			err = finish_connect(a);
			if (err)
				fail_assoc(a, errs, -err);
			inflight--;
			done++;
		}
		if (tick)
			tick(ctx, "setup", done, set->n);
	}
	close(ep);
	return 0;
}

int bench_assocs_setup(const struct bench_config *c, struct bench_server *s,
		       struct bench_assoc_set *set, size_t n,
		       unsigned long long *slot, struct bench_errors *errs,
		       bench_tick_fn tick, void *ctx)
{
	double t0 = bench_now_s();
	size_t i;
	int err;

	memset(set, 0, sizeof(*set));
	set->a = calloc(n ? n : 1, sizeof(*set->a));
	if (!set->a) {
		pb_err("out of memory for %zu associations", n);
		return PB_EXIT_RUNTIME;
	}
	set->n = n;
	for (i = 0; i < n; i++) {
		set->a[i].client_fd = -1;
		atomic_init(&set->a[i].state, BENCH_ASSOC_NEW);
	}
	if (c->connect == BENCH_CONNECT_BLOCKING)
		err = setup_blocking(c, s, set, slot, errs, tick, ctx);
	else
		err = setup_epoll(c, s, set, slot, errs, tick, ctx);
	set->setup_s = bench_now_s() - t0;
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		struct bench_assoc *a = &set->a[i];

		if (atomic_load(&a->state) != BENCH_ASSOC_UP)
			continue;
		err = lookup_id(s, c->family, a);
		if (err) {
			fail_assoc(a, errs, -err);
			continue;
		}
		set->up++;
	}
	return 0;
}

void bench_assoc_abort(struct bench_assoc *a)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	if (a->client_fd < 0)
		return;
	/* close() with a zero linger sends ABORT (sctp_close). */
	setsockopt(a->client_fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(a->client_fd);
	a->client_fd = -1;
	atomic_store(&a->state, BENCH_ASSOC_ABORTED);
}

void bench_assocs_free(struct bench_assoc_set *set)
{
	size_t i;

	for (i = 0; set->a && i < set->n; i++)
		if (set->a[i].client_fd >= 0)
			close(set->a[i].client_fd);
	free(set->a);
	memset(set, 0, sizeof(*set));
}
