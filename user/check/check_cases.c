// SPDX-License-Identifier: GPL-2.0
/* `peelbench check`: one case per promise of sctp_peeloff(3) (lksctp-tools
 * man/sctp_peeloff.3) and RFC 6458 section 9.2, each with its own sockets
 * on 127.0.0.1 (ephemeral ports), torn down before the next case.  The
 * cases call libsctp's sctp_peeloff()/sctp_peeloff_flags() as a user
 * would.  Each writes what it observed as a short string; check.c turns
 * that into a verdict. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "peelbench.h"

#define MAX_CLIENTS	2
#define MAX_FDS		8
/* Generous: a TCG guest is 20-100x slower than native. */
#define WAIT_MS		5000
/* A flag bit sctp_peeloff_flags(3) does not name (not SOCK_NONBLOCK,
 * not SOCK_CLOEXEC). */
#define UNKNOWN_FLAG	0x1u

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
};

/* "setup: WHAT: ERRNO", the observed value of a case that could not get
 * as far as its question. */
static int setup_fail(struct fixture *fx, const char *what, int err)
{
	snprintf(fx->obs, fx->len, "setup: %s: %s", what, pb_errno_name(err));
	return -1;
}

static void observe(struct fixture *fx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void observe(struct fixture *fx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fx->obs, fx->len, fmt, ap);
	va_end(ap);
}

/* The errno a failed call left, or what it returned instead. */
static void observe_call(struct fixture *fx, int ret)
{
	if (ret < 0)
		observe(fx, "%s", pb_errno_name(errno));
	else
		observe(fx, "returned fd");
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int track(struct fixture *fx, int fd)
{
	if (fd >= 0 && fx->nfds < MAX_FDS)
		fx->fds[fx->nfds++] = fd;
	return fd;
}

/* Close a tracked descriptor now rather than with the fixture. */
static void close_now(struct fixture *fx, int fd)
{
	int i;

	for (i = 0; i < fx->nfds; i++)
		if (fx->fds[i] == fd)
			fx->fds[i] = -1;
	close(fd);
}

static int sctp_socket(int type)
{
	struct timeval tv = { WAIT_MS / 1000, 0 };
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, IPPROTO_SCTP);

	if (fd < 0)
		return -1;
	/* No case may hang on a kernel that misbehaves. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* A listening SCTP socket of type on 127.0.0.1, port chosen by the
 * kernel; its address in addr. */
static int listener(struct fixture *fx, int type, struct sockaddr_in *addr)
{
	socklen_t alen = sizeof(*addr);
	int fd = track(fx, sctp_socket(type));

	if (fd < 0)
		return setup_fail(fx, "socket", errno);
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)))
		return setup_fail(fx, "bind 127.0.0.1", errno);
	if (getsockname(fd, (struct sockaddr *)addr, &alen))
		return setup_fail(fx, "getsockname", errno);
	if (listen(fd, 16))
		return setup_fail(fx, "listen", errno);
	return fd;
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

static bool has_assoc(int fd, sctp_assoc_t id)
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
static int fixture_open(struct fixture *fx, int n, char *obs, size_t len)
{
	int i;

	memset(fx, 0, sizeof(*fx));
	fx->server = -1;
	for (i = 0; i < MAX_CLIENTS; i++)
		fx->client[i] = -1;
	fx->obs = obs;
	fx->len = len;
	fx->server = listener(fx, SOCK_SEQPACKET, &fx->saddr);
	if (fx->server < 0)
		return -1;
	for (i = 0; i < n; i++) {
		int c = track(fx, sctp_socket(SOCK_SEQPACKET));

		if (c < 0)
			return setup_fail(fx, "client socket", errno);
		fx->client[i] = c;
		fx->nclients++;
		if (connect(c, (struct sockaddr *)&fx->saddr, sizeof(fx->saddr)))
			return setup_fail(fx, "connect to 127.0.0.1", errno);
		fx->id[i] = new_assoc(fx->server, fx->id, i);
		if (!fx->id[i])
			return setup_fail(fx, "server association id", ENOENT);
		fx->cid[i] = new_assoc(c, NULL, 0);
		if (!fx->cid[i])
			return setup_fail(fx, "client association id", ENOENT);
	}
	return 0;
}

static void fixture_close(struct fixture *fx)
{
	int i;

	for (i = fx->nfds - 1; i >= 0; i--)
		if (fx->fds[i] >= 0)
			close(fx->fds[i]);
	fx->nfds = 0;
}

/* Send on an association of a one-to-many socket (or a one-to-one one
 * with id 0); flags SCTP_EOF/SCTP_ABORT with an empty message. */
static int send_on(int fd, sctp_assoc_t id, const char *msg, uint16_t flags)
{
	struct sctp_sndrcvinfo sinfo = { .sinfo_assoc_id = id,
					 .sinfo_flags = flags };

	return sctp_send(fd, msg, msg ? strlen(msg) : 0, &sinfo, MSG_NOSIGNAL);
}

/* The next data message on fd (notifications skipped), NUL-terminated
 * into buf.  0, or -1 with errno.  Plain recvmsg(): libsctp's
 * sctp_recvmsg() takes no flags (no MSG_DONTWAIT). */
static int recv_data(int fd, char *buf, size_t len, bool dontwait)
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
static int wait_received(struct fixture *fx, sctp_assoc_t id, unsigned k)
{
	int waited;

	for (waited = 0; waited < WAIT_MS; waited++) {
		struct sctp_assoc_stats st = { .sas_assoc_id = id };
		socklen_t len = sizeof(st);

		if (getsockopt(fx->server, IPPROTO_SCTP, SCTP_GET_ASSOC_STATS,
			       &st, &len))
			return setup_fail(fx, "SCTP_GET_ASSOC_STATS", errno);
		if (st.sas_iodchunks >= k)
			return 0;
		sleep_ms(1);
	}
	return setup_fail(fx, "data not received within 5 s", ETIMEDOUT);
}

/* Wait until the server no longer lists id (after an ABORT or a
 * completed SHUTDOWN the association is freed). */
static int wait_gone(struct fixture *fx, sctp_assoc_t id, const char *after)
{
	char what[64];
	int waited;

	for (waited = 0; waited < WAIT_MS; waited++) {
		if (!has_assoc(fx->server, id))
			return 0;
		sleep_ms(1);
	}
	snprintf(what, sizeof(what), "association still listed 5 s after %s",
		 after);
	return setup_fail(fx, what, ETIMEDOUT);
}

/* Debian's libsctp 1.0.19 declares sctp_peeloff_flags() in its header but
 * does not export it (built against headers without
 * SCTP_SOCKOPT_PEELOFF_FLAGS): use the library's when it has one, else
 * the same getsockopt the library would make. */
#pragma weak sctp_peeloff_flags
static int peeloff_flags(int sd, sctp_assoc_t id, unsigned flags)
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
static int peel_first(struct fixture *fx, unsigned flags)
{
	int fd = flags ? peeloff_flags(fx->server, fx->id[0], flags)
		       : sctp_peeloff(fx->server, fx->id[0]);

	if (fd < 0)
		return setup_fail(fx, "peeloff", errno);
	return track(fx, fd);
}

/* ---- the cases --------------------------------------------------- */

static void case_returns_new_fd(char *obs, size_t len)
{
	struct sockaddr_in local, *peer;
	struct sockaddr *addrs = NULL;
	socklen_t alen = sizeof(local);
	struct fixture fx;
	int fd, n;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	if (getsockname(fx.client[0], (struct sockaddr *)&local, &alen)) {
		setup_fail(&fx, "client getsockname", errno);
		goto out;
	}
	fd = sctp_peeloff(fx.server, fx.id[0]);
	if (fd < 0) {
		observe(&fx, "%s", pb_errno_name(errno));
		goto out;
	}
	track(&fx, fd);
	if (fd == fx.server) {
		observe(&fx, "returned the parent's fd");
		goto out;
	}
	/* The new socket carries that association: its peer is the client. */
	n = sctp_getpaddrs(fd, 0, &addrs);
	if (n <= 0) {
		observe(&fx, "new fd without peer addresses: %s",
			n < 0 ? pb_errno_name(errno) : "none");
		goto out;
	}
	peer = (struct sockaddr_in *)addrs;
	if (peer->sin_family == AF_INET && peer->sin_port == local.sin_port)
		observe(&fx, "new fd, peer is the client");
	else
		observe(&fx, "new fd, another peer");
	sctp_freepaddrs(addrs);
out:
	fixture_close(&fx);
}

static void case_ebadf(char *obs, size_t len)
{
	struct fixture fx = { .obs = obs, .len = len };
	/* A descriptor number that was valid a moment ago. */
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		setup_fail(&fx, "open /dev/null", errno);
		return;
	}
	close(fd);
	observe_call(&fx, sctp_peeloff(fd, 1));
}

static void case_enotsock(char *obs, size_t len)
{
	struct fixture fx = { .obs = obs, .len = len };
	int fd = memfd_create("peelbench-check", MFD_CLOEXEC);

	if (fd < 0) {
		setup_fail(&fx, "memfd_create", errno);
		return;
	}
	observe_call(&fx, sctp_peeloff(fd, 1));
	close(fd);
}

static void case_einval_unknown_id(char *obs, size_t len)
{
	struct fixture fx;
	int ret;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	/* Ids are handed out cyclically from 1 (idr): far above ours is
	 * unused. */
	ret = track(&fx, sctp_peeloff(fx.server, fx.id[0] + 100000));
	observe_call(&fx, ret);
out:
	fixture_close(&fx);
}

static void case_einval_one_to_one(char *obs, size_t len)
{
	struct sockaddr_in addr;
	struct sctp_status st = { 0 };
	socklen_t slen = sizeof(st);
	struct fixture fx;
	int srv, c, ret;

	memset(&fx, 0, sizeof(fx));
	fx.obs = obs;
	fx.len = len;
	/* A connected one-to-one socket: it has an association, so EINVAL
	 * can only come from its style. */
	srv = listener(&fx, SOCK_STREAM, &addr);
	if (srv < 0)
		goto out;
	c = track(&fx, sctp_socket(SOCK_STREAM));
	if (c < 0) {
		setup_fail(&fx, "socket", errno);
		goto out;
	}
	if (connect(c, (struct sockaddr *)&addr, sizeof(addr))) {
		setup_fail(&fx, "connect to 127.0.0.1", errno);
		goto out;
	}
	if (getsockopt(c, IPPROTO_SCTP, SCTP_STATUS, &st, &slen)) {
		setup_fail(&fx, "SCTP_STATUS", errno);
		goto out;
	}
	ret = track(&fx, sctp_peeloff(c, st.sstat_assoc_id));
	observe_call(&fx, ret);
out:
	fixture_close(&fx);
}

static void case_einval_from_peeled(char *obs, size_t len)
{
	struct fixture fx;
	int fd, ret;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	fd = peel_first(&fx, 0);
	if (fd < 0)
		goto out;
	/* The peeled-off socket is one-to-one style (RFC 6458 9.2). */
	ret = track(&fx, sctp_peeloff(fd, fx.id[0]));
	observe_call(&fx, ret);
out:
	fixture_close(&fx);
}

static void case_einval_already_peeled(char *obs, size_t len)
{
	struct fixture fx;
	int ret;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	if (peel_first(&fx, 0) < 0)
		goto out;
	ret = track(&fx, sctp_peeloff(fx.server, fx.id[0]));
	observe_call(&fx, ret);
out:
	fixture_close(&fx);
}

static void case_einval_aborted_by_peer(char *obs, size_t len)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct fixture fx;
	int ret;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	/* close() with a zero linger sends ABORT. */
	if (setsockopt(fx.client[0], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))) {
		setup_fail(&fx, "SO_LINGER", errno);
		goto out;
	}
	close_now(&fx, fx.client[0]);
	if (wait_gone(&fx, fx.id[0], "the peer's SO_LINGER 0 close"))
		goto out;
	ret = track(&fx, sctp_peeloff(fx.server, fx.id[0]));
	observe_call(&fx, ret);
out:
	fixture_close(&fx);
}

/* The server ends the association itself with sendmsg(flag), waits until
 * the association is gone (what), then peels it off. */
static void peel_after_own_end(char *obs, size_t len, int flag, const char *call,
			       const char *what)
{
	struct fixture fx;
	int ret;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	if (send_on(fx.server, fx.id[0], NULL, flag) < 0) {
		setup_fail(&fx, call, errno);
		goto out;
	}
	if (wait_gone(&fx, fx.id[0], what))
		goto out;
	ret = track(&fx, sctp_peeloff(fx.server, fx.id[0]));
	observe_call(&fx, ret);
out:
	fixture_close(&fx);
}

static void case_einval_aborted_locally(char *obs, size_t len)
{
	peel_after_own_end(obs, len, SCTP_ABORT, "sendmsg SCTP_ABORT", "SCTP_ABORT");
}

/* Until SHUTDOWN COMPLETE the association exists and can be peeled off;
 * the promise is about one that is gone. */
static void case_einval_shut_down(char *obs, size_t len)
{
	peel_after_own_end(obs, len, SCTP_EOF, "sendmsg SCTP_EOF", "SCTP_EOF");
}

/* "O_NONBLOCK|FD_CLOEXEC", "O_NONBLOCK", "FD_CLOEXEC" or "neither". */
static void observe_fd_flags(struct fixture *fx, int fd)
{
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);

	if (fl < 0 || fdfl < 0) {
		observe(fx, "fcntl: %s", pb_errno_name(errno));
		return;
	}
	if ((fl & O_NONBLOCK) && (fdfl & FD_CLOEXEC))
		observe(fx, "O_NONBLOCK|FD_CLOEXEC");
	else if (fl & O_NONBLOCK)
		observe(fx, "O_NONBLOCK");
	else if (fdfl & FD_CLOEXEC)
		observe(fx, "FD_CLOEXEC");
	else
		observe(fx, "neither");
}

static void run_flags(char *obs, size_t len, unsigned flags)
{
	struct fixture fx;
	int fd;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	fd = track(&fx, peeloff_flags(fx.server, fx.id[0], flags));
	if (fd < 0) {
		observe(&fx, "%s", pb_errno_name(errno));
		goto out;
	}
	observe_fd_flags(&fx, fd);
out:
	fixture_close(&fx);
}

static void case_flags_none(char *obs, size_t len)
{
	run_flags(obs, len, 0);
}

static void case_flags_nonblock(char *obs, size_t len)
{
	run_flags(obs, len, SOCK_NONBLOCK);
}

static void case_flags_cloexec(char *obs, size_t len)
{
	run_flags(obs, len, SOCK_CLOEXEC);
}

static void case_flags_both(char *obs, size_t len)
{
	run_flags(obs, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static void case_flags_unknown(char *obs, size_t len)
{
	struct fixture fx;
	int fd;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	fd = track(&fx, peeloff_flags(fx.server, fx.id[0], UNKNOWN_FLAG));
	if (fd < 0)
		observe(&fx, "%s", pb_errno_name(errno));
	else
		observe(&fx, "accepted");
out:
	fixture_close(&fx);
}

static void run_sockopt(char *obs, size_t len, int opt)
{
	struct fixture fx;
	socklen_t vlen;
	int fd, v = -1;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	fd = peel_first(&fx, 0);
	if (fd < 0)
		goto out;
	vlen = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, opt, &v, &vlen)) {
		observe(&fx, "getsockopt: %s", pb_errno_name(errno));
		goto out;
	}
	if (opt == SO_TYPE && v == SOCK_STREAM)
		observe(&fx, "SOCK_STREAM");
	else if (opt == SO_TYPE && v == SOCK_SEQPACKET)
		observe(&fx, "SOCK_SEQPACKET");
	else if (opt == SO_PROTOCOL && v == IPPROTO_SCTP)
		observe(&fx, "IPPROTO_SCTP");
	else
		observe(&fx, "%d", v);
out:
	fixture_close(&fx);
}

static void case_so_type(char *obs, size_t len)
{
	run_sockopt(obs, len, SO_TYPE);
}

static void case_so_protocol(char *obs, size_t len)
{
	run_sockopt(obs, len, SO_PROTOCOL);
}

static void case_send_without_address(char *obs, size_t len)
{
	struct fixture fx;
	char buf[64];
	int fd;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	fd = peel_first(&fx, 0);
	if (fd < 0)
		goto out;
	if (send(fd, "ping", 4, MSG_NOSIGNAL) != 4) {
		observe(&fx, "send: %s", pb_errno_name(errno));
		goto out;
	}
	if (recv_data(fx.client[0], buf, sizeof(buf), false)) {
		observe(&fx, "not received: %s", pb_errno_name(errno));
		goto out;
	}
	observe(&fx, strcmp(buf, "ping") ? "received other data" : "delivered");
out:
	fixture_close(&fx);
}

static void case_connect_other_peer(char *obs, size_t len)
{
	struct sockaddr_in other;
	struct fixture fx;
	int fd;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	if (listener(&fx, SOCK_SEQPACKET, &other) < 0)
		goto out;
	fd = peel_first(&fx, 0);
	if (fd < 0)
		goto out;
	if (connect(fd, (struct sockaddr *)&other, sizeof(other)))
		observe(&fx, "%s", pb_errno_name(errno));
	else
		observe(&fx, "connected");
out:
	fixture_close(&fx);
}

static void case_parent_forgets(char *obs, size_t len)
{
	struct fixture fx;
	bool gone, other;

	if (fixture_open(&fx, 2, obs, len))
		goto out;
	if (peel_first(&fx, 0) < 0)
		goto out;
	gone = !has_assoc(fx.server, fx.id[0]);
	other = has_assoc(fx.server, fx.id[1]);
	observe(&fx, "%s, %s", gone ? "gone from parent" : "still on parent",
		other ? "other listed" : "other missing");
out:
	fixture_close(&fx);
}

static void case_parent_others_carry_data(char *obs, size_t len)
{
	struct fixture fx;
	char buf[64];

	if (fixture_open(&fx, 2, obs, len))
		goto out;
	if (peel_first(&fx, 0) < 0)
		goto out;
	if (send_on(fx.client[1], fx.cid[1], "up", 0) < 0) {
		setup_fail(&fx, "client send", errno);
		goto out;
	}
	if (recv_data(fx.server, buf, sizeof(buf), false)) {
		observe(&fx, "up: not received: %s", pb_errno_name(errno));
		goto out;
	}
	/* Only client 1 sent "up". */
	if (strcmp(buf, "up")) {
		observe(&fx, "up: other data");
		goto out;
	}
	if (send_on(fx.server, fx.id[1], "down", 0) < 0) {
		observe(&fx, "down: send: %s", pb_errno_name(errno));
		goto out;
	}
	if (recv_data(fx.client[1], buf, sizeof(buf), false)) {
		observe(&fx, "down: not received: %s", pb_errno_name(errno));
		goto out;
	}
	observe(&fx, strcmp(buf, "down") ? "down: other data" : "both ways");
out:
	fixture_close(&fx);
}

/* Every data message readable now on fd, "m1,m2" or "-". */
static void drain(int fd, char *out, size_t len)
{
	char buf[64];
	size_t off = 0;

	out[0] = '\0';
	while (!recv_data(fd, buf, sizeof(buf), true) && off < len)
		off += snprintf(out + off, len - off, "%s%s", off ? "," : "", buf);
	if (!off)
		snprintf(out, len, "-");
}

static void case_queued_data_moves(char *obs, size_t len)
{
	char on_new[48], on_parent[48];
	struct fixture fx;
	int fd;

	if (fixture_open(&fx, 2, obs, len))
		goto out;
	if (send_on(fx.client[0], fx.cid[0], "m1", 0) < 0 ||
	    send_on(fx.client[1], fx.cid[1], "m2", 0) < 0) {
		setup_fail(&fx, "client send", errno);
		goto out;
	}
	/* Both on the parent's receive queue before the peeloff. */
	if (wait_received(&fx, fx.id[0], 1) || wait_received(&fx, fx.id[1], 1))
		goto out;
	fd = peel_first(&fx, 0);
	if (fd < 0)
		goto out;
	drain(fd, on_new, sizeof(on_new));
	drain(fx.server, on_parent, sizeof(on_parent));
	observe(&fx, "new=%s parent=%s", on_new, on_parent);
out:
	fixture_close(&fx);
}

/* A new network namespace for this process: CLONE_NEWNET as root, else
 * with a user namespace (unprivileged users on most distributions). */
static int enter_new_netns(void)
{
	if (!unshare(CLONE_NEWNET))
		return 0;
	if (errno == EPERM && !unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return 0;
	return -1;
}

static void case_netns_refused(char *obs, size_t len)
{
	/* stage 0: the peeloff ran (err its errno, 0 if it worked);
	 * stage 1: unshare failed with err. */
	struct { int stage, err; } r = { 1, EIO };
	struct fixture fx;
	int p[2] = { -1, -1 }, status, fd;
	pid_t pid;

	if (fixture_open(&fx, 1, obs, len))
		goto out;
	if (pipe2(p, O_CLOEXEC)) {
		setup_fail(&fx, "pipe", errno);
		goto out;
	}
	track(&fx, p[0]);
	track(&fx, p[1]);
	/* sctp_do_peeloff() refuses when the caller's netns is not the
	 * socket's (df80cd9b28b9, CVE-2017-15115, Linux 4.15): the child
	 * moves to a new netns and tries with the inherited descriptor. */
	pid = fork();
	if (pid < 0) {
		setup_fail(&fx, "fork", errno);
		goto out;
	}
	if (pid == 0) {
		alarm(WAIT_MS / 1000);
		if (enter_new_netns()) {
			r.err = errno;
		} else {
			r.stage = 0;
			fd = sctp_peeloff(fx.server, fx.id[0]);
			r.err = fd < 0 ? errno : 0;
		}
		if (write(p[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close_now(&fx, p[1]);
	if (read(p[0], &r, sizeof(r)) != sizeof(r)) {
		waitpid(pid, &status, 0);
		setup_fail(&fx, "netns child died", ECHILD);
		goto out;
	}
	waitpid(pid, &status, 0);
	if (r.stage == 1) {
		setup_fail(&fx, "unshare(CLONE_NEWNET)", r.err);
		goto out;
	}
	if (!r.err) {
		observe(&fx, "peeled across netns");
		goto out;
	}
	/* EINVAL alone would also come from a bad id: the same id must
	 * still peel off from the socket's own netns. */
	fd = sctp_peeloff(fx.server, fx.id[0]);
	if (fd < 0) {
		setup_fail(&fx, "peeloff from its own netns", errno);
		goto out;
	}
	track(&fx, fd);
	observe(&fx, "%s", pb_errno_name(r.err));
out:
	fixture_close(&fx);
}

/* ---- the table --------------------------------------------------- */

#define FLAGS_REF "lksctp-tools sctp_peeloff(3); Linux 4.13 (2cb5c8e378d1)"
/* sctp_getsockopt_peeloff_common() masks the flags (SOCK_CLOEXEC to the
 * fd, SOCK_NONBLOCK to f_flags) and never validates the rest, from the
 * option's introduction to today's sctp_clone_sock() rewrite. */
#define UNKNOWN_FLAGS_REF \
	"net/sctp/socket.c sctp_getsockopt_peeloff_common() ignores other bits (option added by 2cb5c8e378d1, 4.13)"

const struct check_case check_cases[] = {
	{ "returns-new-fd",
	  "on success, the new socket descriptor representing the branched-off association is returned",
	  "sctp_peeloff(3) RETURN VALUE", "new fd, peer is the client",
	  NULL, NULL, case_returns_new_fd },
	{ "ebadf-bad-descriptor", "EBADF: sd is not a valid descriptor",
	  "sctp_peeloff(3) ERRORS", "EBADF", NULL, NULL, case_ebadf },
	{ "enotsock-file", "ENOTSOCK: sd is a descriptor for a file, not a socket",
	  "sctp_peeloff(3) ERRORS", "ENOTSOCK", NULL, NULL, case_enotsock },
	{ "einval-unknown-id", "EINVAL: the association id is invalid",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_unknown_id },
	{ "einval-one-to-one", "EINVAL: sd is a one-to-one style socket",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_one_to_one },
	{ "einval-from-peeled", "a peeled-off socket is one-to-one style, so it cannot be peeled from (EINVAL)",
	  "RFC 6458 9.2; sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL,
	  case_einval_from_peeled },
	{ "einval-already-peeled", "an id already peeled off is no longer the parent's: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_already_peeled },
	{ "einval-aborted-by-peer", "an association the peer aborted (SO_LINGER 0 close) is gone: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_aborted_by_peer },
	{ "einval-aborted-locally", "an association aborted with SCTP_ABORT is gone: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_aborted_locally },
	{ "einval-shut-down", "an association shut down with SCTP_EOF is gone: invalid association id (EINVAL)",
	  "sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, case_einval_shut_down },
	{ "flags-none", "sctp_peeloff_flags with no flags: neither O_NONBLOCK nor FD_CLOEXEC on the new fd",
	  FLAGS_REF, "neither", NULL, NULL, case_flags_none },
	{ "flags-nonblock", "SOCK_NONBLOCK: the new socket does not block (O_NONBLOCK only)",
	  FLAGS_REF, "O_NONBLOCK", NULL, NULL, case_flags_nonblock },
	{ "flags-cloexec", "SOCK_CLOEXEC: the new socket is closed on exec (FD_CLOEXEC only)",
	  FLAGS_REF, "FD_CLOEXEC", NULL, NULL, case_flags_cloexec },
	{ "flags-both", "SOCK_NONBLOCK|SOCK_CLOEXEC: both",
	  FLAGS_REF, "O_NONBLOCK|FD_CLOEXEC", NULL, NULL, case_flags_both },
	{ "flags-unknown-rejected", "only SOCK_NONBLOCK and SOCK_CLOEXEC are supported: other bits are rejected (EINVAL, as accept4(2))",
	  FLAGS_REF, "EINVAL", "accepted", UNKNOWN_FLAGS_REF, case_flags_unknown },
	{ "so-type-one-to-one", "the new socket is a one-to-one style socket (SO_TYPE SOCK_STREAM)",
	  "RFC 6458 9.2; sctp_peeloff(3) DESCRIPTION", "SOCK_STREAM",
	  "SOCK_SEQPACKET", "lksctp-tools issue #70", case_so_type },
	{ "so-protocol", "the new socket is an SCTP socket (SO_PROTOCOL IPPROTO_SCTP)",
	  "RFC 6458 9.2", "IPPROTO_SCTP", NULL, NULL, case_so_protocol },
	{ "send-without-address", "the new socket is one association: send() without an address reaches the peer",
	  "RFC 6458 9.2", "delivered", NULL, NULL, case_send_without_address },
	{ "connect-other-peer", "the new socket is one connected association: connect() to another peer fails (EISCONN)",
	  "RFC 6458 9.2; net/sctp/socket.c __sctp_connect()", "EISCONN",
	  NULL, NULL, case_connect_other_peer },
	{ "parent-forgets-assoc", "after the peeloff the association is gone from the parent (SCTP_GET_ASSOC_ID_LIST), the others stay",
	  "RFC 6458 9.2", "gone from parent, other listed", NULL, NULL,
	  case_parent_forgets },
	{ "parent-others-carry-data", "the parent's other associations still carry data both ways",
	  "RFC 6458 9.2", "both ways", NULL, NULL, case_parent_others_carry_data },
	{ "queued-data-moves", "data queued for the association before the peeloff is read on the new socket, not the parent",
	  "RFC 6458 9.2", "new=m1 parent=m2", NULL, NULL, case_queued_data_moves },
	{ "netns-refused", "an association cannot be peeled off into another network namespace (EINVAL)",
	  "CVE-2017-15115; df80cd9b28b9 (4.15)", "EINVAL", NULL, NULL,
	  case_netns_refused },
};

const size_t check_ncases = sizeof(check_cases) / sizeof(check_cases[0]);
