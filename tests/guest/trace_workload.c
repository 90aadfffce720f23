// SPDX-License-Identifier: GPL-2.0
/* The workload behind tests/vm/trace-*.t: a known number of peeloffs, so
 * the tracer's counts can be checked exactly.
 *
 *   - NPEEL (200) associations to a one-to-many socket on 127.0.0.1;
 *     K (20) of them send one message each that nobody reads; then the
 *     first (silent) association is peeled with sctp_peeloff_flags(...,
 *     SOCK_CLOEXEC): its event must show >= K messages on the parent;
 *   - every association peeled off: NPEEL successful peeloffs;
 *   - 3 failing peeloffs: an already-peeled id, a made-up id, a peeloff on
 *     a one-to-one socket;
 *   - NACCEPT (5) accept()s on a one-to-one listener.
 *
 * Usage: trace_workload REPORT_FILE.  The report (one JSON object) says
 * what user space saw: successes, the errno names of the failures, the
 * special association's id and K.  Exit 0 when everything happened as
 * planned, 1 otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NPEEL	200
#define K	20
#define NACCEPT	5

static const char *ename(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case ENOTSOCK: return "ENOTSOCK";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case ENOENT: return "ENOENT";
	case EBUSY: return "EBUSY";
	default: return "EOTHER";
	}
}

/* sctp_peeloff_flags(3) by hand: bookworm's libsctp 1.0.19 lacks it. */
static int peeloff_flags(int sd, sctp_assoc_t id, unsigned int flags)
{
	struct { sctp_peeloff_arg_t p_arg; unsigned int flags; } a = { { id, 0 }, flags };
	socklen_t len = sizeof(a);

	/* the kernel returns the new fd from getsockopt() itself, too */
	if (getsockopt(sd, IPPROTO_SCTP, 122 /* SCTP_SOCKOPT_PEELOFF_FLAGS */, &a, &len) < 0)
		return -1;
	return a.p_arg.sd;
}

static int listener(int type, struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, type, IPPROTO_SCTP);

	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) ||
	    getsockname(fd, (struct sockaddr *)addr, &len) || listen(fd, 1024)) {
		perror("trace_workload: listener");
		exit(2);
	}
	return fd;
}

static int client(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);

	if (fd < 0 || connect(fd, (const struct sockaddr *)addr, sizeof(*addr))) {
		perror("trace_workload: connect");
		exit(2);
	}
	return fd;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The server's association ids, in creation order. */
static int assoc_ids(int srv, sctp_assoc_t *ids, int max)
{
	size_t sz = sizeof(struct sctp_assoc_ids) + max * sizeof(sctp_assoc_t);
	struct sctp_assoc_ids *l = calloc(1, sz);
	socklen_t len = sz;
	int n;

	if (!l || getsockopt(srv, IPPROTO_SCTP, SCTP_GET_ASSOC_ID_LIST, l, &len)) {
		perror("trace_workload: SCTP_GET_ASSOC_ID_LIST");
		exit(2);
	}
	n = (int)l->gaids_number_of_ids;
	memcpy(ids, l->gaids_assoc_id, n * sizeof(*ids));
	free(l);
	qsort(ids, n, sizeof(*ids), cmp_int);
	return n;
}

int main(int argc, char **argv)
{
	static int clients[NPEEL + NACCEPT];
	sctp_assoc_t ids[NPEEL + 8];
	struct sockaddr_in a1, a2;
	const char *err[3];
	int srv, lst, i, n, fd, ok = 0, accepted = 0, special;
	FILE *rep;

	if (argc != 2) {
		fprintf(stderr, "usage: trace_workload REPORT_FILE\n");
		return 2;
	}
	srv = listener(SOCK_SEQPACKET, &a1);
	for (i = 0; i < NPEEL; i++)
		clients[i] = client(&a1);
	/* the server learns of an association a moment after connect() */
	for (i = 0; i < 200 && (n = assoc_ids(srv, ids, NPEEL + 8)) < NPEEL; i++)
		usleep(50000);
	if (n != NPEEL) {
		fprintf(stderr, "trace_workload: %d associations, want %d\n", n, NPEEL);
		return 1;
	}

	/* K messages from other associations, left unread on the parent */
	for (i = 1; i <= K; i++)
		if (send(clients[i], "x", 1, 0) != 1) {
			perror("trace_workload: send");
			return 2;
		}
	usleep(500000);
	special = ids[0];
	fd = peeloff_flags(srv, ids[0], SOCK_CLOEXEC);
	if (fd >= 0) {
		ok++;
		close(fd);
	} else {
		fprintf(stderr, "trace_workload: peeloff_flags(%d): %s\n", ids[0], strerror(errno));
	}
	for (i = 1; i < NPEEL; i++) {
		fd = sctp_peeloff(srv, ids[i]);
		if (fd >= 0) {
			ok++;
			close(fd);
		} else {
			fprintf(stderr, "trace_workload: peeloff(%d): %s\n", ids[i], strerror(errno));
		}
	}

	/* three failures */
	errno = 0;
	err[0] = sctp_peeloff(srv, ids[0]) < 0 ? ename(errno) : "none";
	errno = 0;
	err[1] = sctp_peeloff(srv, 0x7ffffff0) < 0 ? ename(errno) : "none";
	errno = 0;
	err[2] = sctp_peeloff(clients[0], 1) < 0 ? ename(errno) : "none";

	/* accept() on a one-to-one listener migrates too: not a peeloff */
	lst = listener(SOCK_STREAM, &a2);
	for (i = 0; i < NACCEPT; i++) {
		clients[NPEEL + i] = client(&a2);
		fd = accept(lst, NULL, NULL);
		if (fd >= 0) {
			accepted++;
			close(fd);
		}
	}

	rep = fopen(argv[1], "w");
	if (!rep) {
		perror("trace_workload: report");
		return 2;
	}
	fprintf(rep, "{\"ok\": %d, \"errors\": [\"%s\", \"%s\", \"%s\"], \"accepts\": %d, "
		"\"special_assoc_id\": %d, \"k\": %d}\n",
		ok, err[0], err[1], err[2], accepted, special, K);
	fclose(rep);
	for (i = 0; i < NPEEL + NACCEPT; i++)
		close(clients[i]);
	close(lst);
	close(srv);
	return ok == NPEEL && accepted == NACCEPT && strcmp(err[0], "none") &&
	       strcmp(err[1], "none") && strcmp(err[2], "none") ? 0 : 1;
}
