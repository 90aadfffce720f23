// SPDX-License-Identifier: GPL-2.0
/* peel_loop N [BATCH]: N successful peeloffs with bounded memory, for the
 * events benchmark (scripts/bench-events.sh): in batches of BATCH (256)
 * associations, each client sends one message to a one-to-many server on
 * 127.0.0.1, the server peels every association off, then the batch's
 * sockets are closed.  Prints "peeled N"; exit 0 when all N worked, 1
 * otherwise, 4 when a call failed. */
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

#define MAXBATCH 4096

static int server_open(struct sockaddr_in *addr)
{
	struct sctp_event_subscribe ev = { .sctp_data_io_event = 1 };
	struct timeval tv = { .tv_sec = 30 };
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);

	if (fd < 0)
		return -1;
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) ||
	    getsockname(fd, (struct sockaddr *)addr, &len) ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &ev, sizeof(ev)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    listen(fd, MAXBATCH)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One batch: n clients, one message each, every association peeled. */
static long batch(int srv, const struct sockaddr_in *addr, int n)
{
	static int cl[MAXBATCH], pe[MAXBATCH];
	struct sctp_sndrcvinfo si;
	char buf[64];
	long ok = 0;
	int i, flags;

	for (i = 0; i < n; i++) {
		cl[i] = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
		if (cl[i] < 0 || sctp_sendmsg(cl[i], "x", 1, (struct sockaddr *)addr,
					      sizeof(*addr), 0, 0, 0, 0, 0) != 1)
			return -1;
	}
	for (i = 0; i < n; i++) {
		do {
			flags = 0;
			memset(&si, 0, sizeof(si));
			if (sctp_recvmsg(srv, buf, sizeof(buf), NULL, NULL, &si, &flags) < 0)
				return -1;
		} while (flags & MSG_NOTIFICATION);
		pe[i] = sctp_peeloff(srv, si.sinfo_assoc_id);
		ok += pe[i] >= 0;
	}
	for (i = 0; i < n; i++) {
		if (pe[i] >= 0)
			close(pe[i]);
		close(cl[i]);
	}
	return ok;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, done = 0, ok = 0, b;
	int bs = argc > 2 ? atoi(argv[2]) : 256, srv;
	struct sockaddr_in addr;

	if (n < 1 || bs < 1 || bs > MAXBATCH) {
		fprintf(stderr, "usage: peel_loop N [BATCH (1..%d)]\n", MAXBATCH);
		return 2;
	}
	srv = server_open(&addr);
	if (srv < 0) {
		fprintf(stderr, "peel_loop: server: %s\n", strerror(errno));
		return 4;
	}
	while (done < n) {
		int k = n - done < bs ? (int)(n - done) : bs;

		b = batch(srv, &addr, k);
		if (b < 0) {
			fprintf(stderr, "peel_loop: batch at %ld: %s\n", done, strerror(errno));
			return 4;
		}
		ok += b;
		done += k;
	}
	printf("peeled %ld\n", ok);
	return ok == n ? 0 : 1;
}
