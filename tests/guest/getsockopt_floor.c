// SPDX-License-Identifier: GPL-2.0
/* The floor under a timed getsockopt, for the driver's user-space share
 * (docs/README-run.md): N calls of getsockopt(SOL_SOCKET, SO_TYPE) on an
 * SCTP one-to-many socket, each timed with CLOCK_MONOTONIC exactly as
 * bench/peeler.c times a peeloff.  What it prints is syscall entry/exit
 * plus two clock reads, with no peeloff work; run under `peelbench trace`
 * it also shows what a non-peeloff getsockopt pays for the tracer.
 * Usage: getsockopt_floor [N]   (default 20000); prints
 * "floor_p50_ns <p50> floor_mean_ns <mean>". */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

static long long ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000, fd, i, v;
	socklen_t len;
	long long *d, t0, sum = 0;

	if (n < 1 || n > 10000000) {
		fprintf(stderr, "usage: getsockopt_floor [N]\n");
		return 2;
	}
	d = calloc(n, sizeof(*d));
	fd = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
	if (!d || fd < 0) {
		perror("getsockopt_floor: socket");
		return 2;
	}
	for (i = 0; i < n; i++) {
		len = sizeof(v);
		t0 = ns_now();
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len)) {
			perror("getsockopt_floor: getsockopt");
			return 2;
		}
		d[i] = ns_now() - t0;
		sum += d[i];
	}
	qsort(d, n, sizeof(*d), cmp_ll);
	printf("floor_p50_ns %lld floor_mean_ns %.0f\n", d[n / 2], (double)sum / n);
	return 0;
}
