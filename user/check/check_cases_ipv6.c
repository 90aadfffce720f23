// SPDX-License-Identifier: GPL-2.0
/* `peelbench check` cases "ipv6-options-close-*": an AF_INET6 one-to-many
 * parent on ::1 carrying IPv6 options (IPV6_HOPOPTS: np->opt) and IPv4
 * options (IP_OPTIONS: inet_opt), an association peeled off it, data
 * both ways, then both sockets closed, parent first or peeled socket
 * first.  The socket calls cannot see a double free: the kernel log watch
 * of `check` (check_kmsg.c) does.  The bugs these cases are for:
 * d7ff61e6f3ef "sctp: Clear inet_opt in sctp_v6_copy_ip_options()" and
 * b98f06f9a5d3 "sctp: Fetch inet6_sk() after setting ->pinet6 in
 * sctp_clone_sock()" (6.19-rc, fixes to the sk_clone() rewrite). */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/sctp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check_cases.h"
#include "check_fixture.h"
#include "peelbench.h"

/* A hop-by-hop header: next header, length 0 (8 bytes), PadN of 4. */
static const unsigned char hbh[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };
/* IPv4 options: three NOPs and an END. */
static const unsigned char ipopt[4] = { IPOPT_NOP, IPOPT_NOP, IPOPT_NOP, IPOPT_END };

struct v6 {
	int server, client, peeled;
	struct sockaddr_in6 addr;
};

static int v6_socket(struct fixture *fx, const char *what)
{
	struct timeval tv = { WAIT_MS / 1000, 0 };
	int fd = fx_track(fx, socket(AF_INET6, SOCK_SEQPACKET | SOCK_CLOEXEC,
				     IPPROTO_SCTP));

	if (fd < 0)
		return fx_setup_fail(fx, what, errno);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static int v6_server(struct fixture *fx, struct v6 *v)
{
	socklen_t alen = sizeof(v->addr);

	v->server = v6_socket(fx, "socket AF_INET6");
	if (v->server < 0)
		return -1;
	memset(&v->addr, 0, sizeof(v->addr));
	v->addr.sin6_family = AF_INET6;
	v->addr.sin6_addr = in6addr_loopback;
	if (bind(v->server, (struct sockaddr *)&v->addr, sizeof(v->addr)))
		return fx_setup_fail(fx, "bind ::1", errno);
	if (getsockname(v->server, (struct sockaddr *)&v->addr, &alen) ||
	    listen(v->server, 16))
		return fx_setup_fail(fx, "listen", errno);
	if (setsockopt(v->server, IPPROTO_IPV6, IPV6_HOPOPTS, hbh, sizeof(hbh)))
		return fx_setup_fail(fx, "IPV6_HOPOPTS", errno);
	if (setsockopt(v->server, IPPROTO_IP, IP_OPTIONS, ipopt, sizeof(ipopt)))
		return fx_setup_fail(fx, "IP_OPTIONS", errno);
	return 0;
}

/* Server with options, a client, the association peeled, data both ways. */
static int v6_setup(struct fixture *fx, struct v6 *v)
{
	char buf[16];
	sctp_assoc_t id;

	if (v6_server(fx, v))
		return -1;
	v->client = v6_socket(fx, "client socket AF_INET6");
	if (v->client < 0)
		return -1;
	if (connect(v->client, (struct sockaddr *)&v->addr, sizeof(v->addr)))
		return fx_setup_fail(fx, "connect to ::1", errno);
	id = check_first_assoc(v->server);
	if (!id)
		return fx_setup_fail(fx, "server association id", ENOENT);
	v->peeled = fx_track(fx, sctp_peeloff(v->server, id));
	if (v->peeled < 0)
		return fx_setup_fail(fx, "peeloff", errno);
	if (send(v->peeled, "down", 4, MSG_NOSIGNAL) != 4 ||
	    check_recv_data(v->client, buf, sizeof(buf), false) ||
	    check_send_on(v->client, check_first_assoc(v->client), "up", 0) < 0 ||
	    check_recv_data(v->peeled, buf, sizeof(buf), false))
		return fx_setup_fail(fx, "data both ways", errno);
	return 0;
}

static void v6_case(char *obs, size_t len, bool parent_first)
{
	struct timespec rcu = { 0, 300 * 1000000L };
	struct fixture fx;
	struct v6 v;

	memset(&fx, 0, sizeof(fx));
	fx.obs = obs;
	fx.len = len;
	fx.server = -1;
	if (v6_setup(&fx, &v))
		goto out;
	fx_close_now(&fx, parent_first ? v.server : v.peeled);
	fx_close_now(&fx, parent_first ? v.peeled : v.server);
	fx_close_now(&fx, v.client);
	/* Socket memory goes back through RCU: give it time to show. */
	nanosleep(&rcu, NULL);
	fx_observe(&fx, "closed");
out:
	fx_close(&fx);
}

void case_ipv6_close_parent_first(char *obs, size_t len)
{
	v6_case(obs, len, true);
}

void case_ipv6_close_peeled_first(char *obs, size_t len)
{
	v6_case(obs, len, false);
}
