// SPDX-License-Identifier: GPL-2.0
/* peel50: the guest's smoke test of SCTP peeloff.  A one-to-many server on
 * 127.0.0.1 gets one message from each of 50 one-to-many clients (50
 * associations), peels every association off with sctp_peeloff(3), then
 * each client sends a ping that must arrive on its peeled socket, which
 * answers with a pong the client must receive.
 *
 * Prints one summary line; exit 0 only if all 50 round trips worked,
 * 1 if some failed, 3 if SCTP is missing, 4 if a call failed. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define NASSOC		50
#define TIMEOUT_S	30	/* per receive: TCG guests are slow */

struct peer {
	int client;		/* the client's one-to-many socket */
	sctp_assoc_t assoc;	/* the association's id on the server */
	int peeled;		/* the server's peeled-off socket */
	int ok;			/* the round trip worked */
};

static void set_timeout(int fd)
{
	struct timeval tv = { .tv_sec = TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* A one-to-many server on 127.0.0.1 with an ephemeral port, reporting each
 * message's association id (sctp_data_io_event). */
static int server_open(struct sockaddr_in *addr)
{
	struct sctp_event_subscribe ev = { .sctp_data_io_event = 1 };
	socklen_t len = sizeof(*addr);
	int fd;

	fd = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
	if (fd < 0)
		return -1;
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) ||
	    getsockname(fd, (struct sockaddr *)addr, &len) ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &ev, sizeof(ev)) ||
	    listen(fd, NASSOC)) {
		close(fd);
		return -1;
	}
	set_timeout(fd);
	return fd;
}

/* Receive one data message (skipping notifications) into buf. */
static ssize_t recv_data(int fd, char *buf, size_t size, sctp_assoc_t *assoc)
{
	struct sctp_sndrcvinfo sinfo;
	int flags;
	ssize_t n;

	for (;;) {
		memset(&sinfo, 0, sizeof(sinfo));
		flags = 0;
		n = sctp_recvmsg(fd, buf, size - 1, NULL, NULL, &sinfo, &flags);
		if (n < 0)
			return -1;
		if (flags & MSG_NOTIFICATION)
			continue;
		buf[n] = '\0';
		if (assoc)
			*assoc = sinfo.sinfo_assoc_id;
		return n;
	}
}

static int send_to(int fd, const struct sockaddr_in *to, const char *msg)
{
	ssize_t n = sctp_sendmsg(fd, msg, strlen(msg), (struct sockaddr *)to,
				 to ? sizeof(*to) : 0, 0, 0, 0, 0, 0);

	return n == (ssize_t)strlen(msg) ? 0 : -1;
}

/* 50 clients, each sets up its association with a first message "hello I";
 * the server learns which association is which from the text. */
static int associate(int srv, const struct sockaddr_in *addr, struct peer *p)
{
	char buf[64], msg[32];
	sctp_assoc_t assoc;
	int i, idx;

	for (i = 0; i < NASSOC; i++) {
		p[i].client = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
		if (p[i].client < 0)
			return -1;
		set_timeout(p[i].client);
		snprintf(msg, sizeof(msg), "hello %d", i);
		if (send_to(p[i].client, addr, msg))
			return -1;
	}
	for (i = 0; i < NASSOC; i++) {
		if (recv_data(srv, buf, sizeof(buf), &assoc) < 0)
			return -1;
		if (sscanf(buf, "hello %d", &idx) != 1 || idx < 0 || idx >= NASSOC) {
			fprintf(stderr, "peel50: unexpected message '%s'\n", buf);
			errno = EPROTO;
			return -1;
		}
		p[idx].assoc = assoc;
	}
	return 0;
}

static int peel_all(int srv, struct peer *p)
{
	int i;

	for (i = 0; i < NASSOC; i++) {
		p[i].peeled = sctp_peeloff(srv, p[i].assoc);
		if (p[i].peeled < 0) {
			fprintf(stderr, "peel50: sctp_peeloff(assoc %d): %s\n",
				(int)p[i].assoc, strerror(errno));
			continue;
		}
		set_timeout(p[i].peeled);
	}
	return 0;
}

/* ping on the client → peeled socket, pong on the peeled socket → client. */
static void round_trip(const struct sockaddr_in *addr, struct peer *p, int i)
{
	char buf[64], want[32];

	if (p->peeled < 0)
		return;
	snprintf(want, sizeof(want), "ping %d", i);
	if (send_to(p->client, addr, want) ||
	    recv_data(p->peeled, buf, sizeof(buf), NULL) < 0 || strcmp(buf, want)) {
		fprintf(stderr, "peel50: association %d: ping not received on the peeled socket: %s\n",
			i, errno ? strerror(errno) : buf);
		return;
	}
	snprintf(want, sizeof(want), "pong %d", i);
	if (send_to(p->peeled, NULL, want) ||
	    recv_data(p->client, buf, sizeof(buf), NULL) < 0 || strcmp(buf, want)) {
		fprintf(stderr, "peel50: association %d: pong not received by the client: %s\n",
			i, errno ? strerror(errno) : buf);
		return;
	}
	p->ok = 1;
}

int main(void)
{
	struct peer peers[NASSOC];
	struct sockaddr_in addr;
	int srv, i, peeled = 0, ok = 0, ret = 4;

	for (i = 0; i < NASSOC; i++)
		peers[i] = (struct peer){ .client = -1, .peeled = -1 };
	srv = server_open(&addr);
	if (srv < 0) {
		fprintf(stderr, "peel50: cannot open an SCTP server socket: %s\n", strerror(errno));
		return errno == ESOCKTNOSUPPORT || errno == EPROTONOSUPPORT ? 3 : 4;
	}
	if (associate(srv, &addr, peers)) {
		fprintf(stderr, "peel50: cannot set up %d associations: %s\n", NASSOC, strerror(errno));
		goto cleanup;
	}
	peel_all(srv, peers);
	for (i = 0; i < NASSOC; i++) {
		errno = 0;
		round_trip(&addr, &peers[i], i);
		peeled += peers[i].peeled >= 0;
		ok += peers[i].ok;
	}
	printf("peel50: %d/%d associations peeled off, %d/%d round trips ok\n",
	       peeled, NASSOC, ok, NASSOC);
	ret = ok == NASSOC ? 0 : 1;
cleanup:
	for (i = 0; i < NASSOC; i++) {
		if (peers[i].peeled >= 0)
			close(peers[i].peeled);
		if (peers[i].client >= 0)
			close(peers[i].client);
	}
	close(srv);
	return ret;
}
