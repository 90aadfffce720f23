// SPDX-License-Identifier: GPL-2.0
/* One round of the tracer-overhead benchmark (tests/vm/trace-overhead.sh):
 * set up N associations to a one-to-many socket (not timed), then peel
 * them all off, timed (the closes come after the clock stops), and print
 * "peel_per_s <rate>".
 * Usage: trace_overhead [N]   (default 300) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 300, srv, i, got = 0, peeled = 0, fd;
	struct rlimit rl = { 4096, 4096 };
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	struct sctp_assoc_ids *ids;
	int *cl, *pf;
	double t0, t1;

	if (n < 1 || n > 2000) {
		fprintf(stderr, "usage: trace_overhead [N <= 2000]\n");
		return 2;
	}
	setrlimit(RLIMIT_NOFILE, &rl);
	cl = calloc(n, sizeof(*cl));
	pf = calloc(n + 8, sizeof(*pf));
	ids = calloc(1, sizeof(*ids) + (n + 8) * sizeof(sctp_assoc_t));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
	if (!cl || !pf || !ids || srv < 0 || bind(srv, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(srv, (struct sockaddr *)&a, &len) || listen(srv, 4096)) {
		perror("trace_overhead: setup");
		return 2;
	}
	for (i = 0; i < n; i++) {
		cl[i] = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
		if (cl[i] < 0 || connect(cl[i], (struct sockaddr *)&a, sizeof(a))) {
			perror("trace_overhead: connect");
			return 2;
		}
	}
	for (i = 0; i < 100 && got < n; i++) {
		len = sizeof(*ids) + (n + 8) * sizeof(sctp_assoc_t);
		if (getsockopt(srv, IPPROTO_SCTP, SCTP_GET_ASSOC_ID_LIST, ids, &len)) {
			perror("trace_overhead: SCTP_GET_ASSOC_ID_LIST");
			return 2;
		}
		got = (int)ids->gaids_number_of_ids;
		if (got < n)
			usleep(50000);
	}
	qsort(ids->gaids_assoc_id, got, sizeof(sctp_assoc_t), cmp_int);
	t0 = now();
	for (i = 0; i < got; i++) {
		fd = sctp_peeloff(srv, ids->gaids_assoc_id[i]);
		if (fd >= 0)
			pf[peeled++] = fd;
	}
	t1 = now();	/* closing (shutdown of each association) is not timed */
	for (i = 0; i < peeled; i++)
		close(pf[i]);
	printf("peel_per_s %.1f peeled %d\n", peeled / (t1 - t0), peeled);
	for (i = 0; i < n; i++)
		close(cl[i]);
	close(srv);
	return peeled == n ? 0 : 1;
}
