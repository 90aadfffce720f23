// SPDX-License-Identifier: GPL-2.0
/* Does a ratio between two kernel paths survive TCG?  (issue 11, section 6;
 * docs/results.md, "Does a TCG ratio carry over?")
 *
 * Three paths that exist on any Linux kernel, SCTP or not:
 *   clone   a TCP loopback connect + accept + close of both ends (SO_LINGER
 *           0, so no TIME_WAIT piles up): the accept clones the listener's
 *           socket, as sctp's peeloff does on 7.x (sk_clone);
 *   socket  socket(AF_INET, SOCK_STREAM) + close: allocates a socket;
 *   cheap   getsockopt(SOL_SOCKET, SO_TYPE): a syscall that does almost
 *           nothing.
 * Each path runs in blocks sized (by doubling) to last at least --block-ms;
 * every round runs one block of each path, in an order that rotates from
 * round to round, so slow drift hits every path alike.  Per round, the
 * ratios clone/cheap and clone/socket of ns per operation; the medians of
 * the rounds with percentile-bootstrap 95 % CIs.  One JSON line on stdout.
 *
 * Usage: path_ratio [--rounds N] [--block-ms MS]   (15, 500)
 * Exit: 0, 2 bad option, 4 a socket call failed. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"

enum { P_CLONE, P_SOCKET, P_CHEAP, NPATHS };
static const char *const path_name[NPATHS] = { "clone", "socket", "cheap" };

struct rig {
	int listener, probe;
	struct sockaddr_in addr;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int fail(const char *what)
{
	fprintf(stderr, "path_ratio: %s: %s\n", what, strerror(errno));
	return -1;
}

static int one_clone(struct rig *r)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int c, a;

	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0)
		return fail("socket");
	if (connect(c, (struct sockaddr *)&r->addr, sizeof(r->addr)) < 0) {
		close(c);
		return fail("connect");
	}
	a = accept(r->listener, NULL, NULL);
	if (a < 0) {
		close(c);
		return fail("accept");
	}
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(a);
	close(c);
	return 0;
}

static int one_op(struct rig *r, int path)
{
	int fd, v;
	socklen_t len = sizeof(v);

	switch (path) {
	case P_CLONE:
		return one_clone(r);
	case P_SOCKET:
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return fail("socket");
		close(fd);
		return 0;
	default:
		if (getsockopt(r->probe, SOL_SOCKET, SO_TYPE, &v, &len) < 0)
			return fail("getsockopt");
		return 0;
	}
}

/* ns per operation over a block of n operations, or < 0 on failure. */
static double block_ns(struct rig *r, int path, long n)
{
	double t0 = now_ns();

	for (long i = 0; i < n; i++)
		if (one_op(r, path))
			return -1;
	return (now_ns() - t0) / n;
}

static int rig_open(struct rig *r)
{
	socklen_t len = sizeof(r->addr);

	memset(&r->addr, 0, sizeof(r->addr));
	r->addr.sin_family = AF_INET;
	r->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->listener = socket(AF_INET, SOCK_STREAM, 0);
	r->probe = socket(AF_INET, SOCK_STREAM, 0);
	if (r->listener < 0 || r->probe < 0)
		return fail("socket");
	if (bind(r->listener, (struct sockaddr *)&r->addr, sizeof(r->addr)) ||
	    listen(r->listener, 128) ||
	    getsockname(r->listener, (struct sockaddr *)&r->addr, &len))
		return fail("listen");
	return 0;
}

/* Double n until a block lasts block_ms (the first, cold blocks count as
 * warm-up and are discarded). */
static long size_block(struct rig *r, int path, double block_ms)
{
	long n = 1;

	for (;;) {
		double ns = block_ns(r, path, n);

		if (ns < 0)
			return -1;
		if (ns * n >= block_ms * 1e6 || n >= (1L << 30))
			return n;
		n *= 2;
	}
}

static int parse_opt(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, long *rounds, long *block_ms)
{
	for (int i = 1; i < argc; i += 2) {
		long *dst = !strcmp(argv[i], "--rounds")   ? rounds :
			    !strcmp(argv[i], "--block-ms") ? block_ms : NULL;
		long hi = dst == rounds ? 1000 : 60000;

		if (!dst || i + 1 >= argc ||
		    parse_opt(argv[i + 1], dst == rounds ? 3 : 1, hi, dst)) {
			fprintf(stderr, "usage: path_ratio [--rounds 3..1000] "
					"[--block-ms 1..60000]\n");
			return -1;
		}
	}
	return 0;
}

static void print_ratio(const char *name, double *v, size_t n, int last)
{
	struct pb_ci ci = { 0, 0 };

	pb_bootstrap_stat(v, n, PB_STAT_MEDIAN, 10000, 0.95, 42, &ci);
	printf("\"%s\":{\"median\":%.3f,\"ci95\":[%.3f,%.3f]}%s", name,
	       pb_median(v, n), ci.lo, ci.hi, last ? "" : ",");
}

int main(int argc, char **argv)
{
	long rounds = 15, block_ms = 500, n[NPATHS];
	double *ns[NPATHS], *r_cheap, *r_sock;
	struct utsname uts;
	struct rig rig;

	if (parse_args(argc, argv, &rounds, &block_ms))
		return 2;
	if (rig_open(&rig))
		return 4;
	for (int p = 0; p < NPATHS; p++) {
		n[p] = size_block(&rig, p, block_ms);
		ns[p] = calloc(rounds, sizeof(double));
		if (n[p] < 0 || !ns[p])
			return 4;
	}
	r_cheap = calloc(rounds, sizeof(double));
	r_sock = calloc(rounds, sizeof(double));
	if (!r_cheap || !r_sock)
		return 4;
	for (long k = 0; k < rounds; k++) {
		for (int j = 0; j < NPATHS; j++) {
			int p = (j + k) % NPATHS;

			ns[p][k] = block_ns(&rig, p, n[p]);
			if (ns[p][k] < 0)
				return 4;
		}
		r_cheap[k] = ns[P_CLONE][k] / ns[P_CHEAP][k];
		r_sock[k] = ns[P_CLONE][k] / ns[P_SOCKET][k];
	}
	uname(&uts);
	printf("{\"release\":\"%s\",\"rounds\":%ld,\"block_ms\":%ld,", uts.release,
	       rounds, block_ms);
	for (int p = 0; p < NPATHS; p++)
		printf("\"%s\":{\"ops_per_block\":%ld,\"ns_p50\":%.1f},",
		       path_name[p], n[p], pb_median(ns[p], rounds));
	print_ratio("clone_over_cheap", r_cheap, rounds, 0);
	print_ratio("clone_over_socket", r_sock, rounds, 1);
	printf("}\n");
	return 0;
}
