// SPDX-License-Identifier: GPL-2.0
/* Where does SCTP association setup time go?  (issue 11, section 4;
 * docs/trace.md, "Peers side by side")
 *
 * Sets up N loopback associations the way bench/assoc.c does (a one-to-one
 * client socket per association bound to its own 127.0.0.x:port, a
 * one-to-many server), with WINDOW non-blocking connects in flight under
 * epoll in each of THREADS threads, then closes the clients, with an ABORT
 * (SO_LINGER 0) or a graceful shutdown.  Prints one line: per association
 * the socket+bind time, the connect wall time and the process's CPU time
 * in it (user + system: the handshake runs in softirq on the sending
 * task's CPU over loopback), the whole guest's busy and idle seconds, and
 * the teardown time.  CPU close to wall: setup is CPU in the handshake,
 * not waiting.
 *
 * Usage: setup_rate N WINDOW THREADS abort|graceful
 * Exit: 0, 2 bad usage, 4 a socket call failed. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SRV_PORT 9999
#define PORTS 20000

struct range {
	int from, to;
};

static int *fds, window;
static struct sockaddr_in srv_addr;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 +
	       u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

/* The guest's busy and idle seconds (all CPUs, USER_HZ 100). */
static void guest_s(double *busy, double *idle)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	if (f) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
			memset(v, 0, sizeof(v));
		fclose(f);
	}
	*idle = (v[3] + v[4]) / 100.0;
	*busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / 100.0;
}

static void die(const char *what)
{
	fprintf(stderr, "setup_rate: %s: %s\n", what, strerror(errno));
	exit(4);
}

static int client(unsigned int i)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(0x7f000002u + i / PORTS),
		.sin_port = htons(20000 + i % PORTS),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_SCTP);

	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die("bind");
	return fd;
}

static void *connect_range(void *arg)
{
	struct range *r = arg;
	struct epoll_event evs[256];
	int ep = epoll_create1(0), inflight = 0, next = r->from, done = r->from, n, j;

	if (ep < 0)
		die("epoll_create1");
	while (done < r->to) {
		while (inflight < window && next < r->to) {
			struct epoll_event e = { .events = EPOLLOUT, .data.u32 = next };

			if (!connect(fds[next], (struct sockaddr *)&srv_addr, sizeof(srv_addr))) {
				next++;
				done++;
				continue;
			}
			if (errno != EINPROGRESS || epoll_ctl(ep, EPOLL_CTL_ADD, fds[next], &e))
				die("connect");
			next++;
			inflight++;
		}
		n = epoll_wait(ep, evs, 256, 100);
		for (j = 0; j < n; j++) {
			epoll_ctl(ep, EPOLL_CTL_DEL, fds[evs[j].data.u32], NULL);
			inflight--;
			done++;
		}
	}
	close(ep);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sctp_event_subscribe ev = { 0 };
	double t0, t1, t2, t3, t4, c1, c2, b0, i0, b1, i1;
	int n, nthreads, abort_close, srv, one = 1, i;
	struct range rg[8];
	pthread_t th[8];
	struct rlimit rl;
	char hmac[32] = "?";
	FILE *f;

	if (argc != 5 || (n = atoi(argv[1])) < 1 || n > 1000000 || (window = atoi(argv[2])) < 1 ||
	    (nthreads = atoi(argv[3])) < 1 || nthreads > 8 ||
	    (strcmp(argv[4], "abort") && strcmp(argv[4], "graceful"))) {
		fprintf(stderr, "usage: setup_rate N WINDOW THREADS(1-8) abort|graceful\n");
		return 2;
	}
	abort_close = !strcmp(argv[4], "abort");
	rl.rlim_cur = rl.rlim_max = 2 * (rlim_t)n + 64;
	setrlimit(RLIMIT_NOFILE, &rl);
	f = fopen("/proc/sys/net/sctp/cookie_hmac_alg", "r");
	if (f) {
		if (fscanf(f, "%31s", hmac) != 1)
			strcpy(hmac, "?");
		fclose(f);
	}
	srv = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
	if (srv < 0)
		die("server socket");
	/* no notifications queued on the server */
	setsockopt(srv, IPPROTO_SCTP, SCTP_EVENTS, &ev, sizeof(ev));
	setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	srv_addr = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(SRV_PORT),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (bind(srv, (struct sockaddr *)&srv_addr, sizeof(srv_addr)) || listen(srv, 4096))
		die("server bind/listen");
	fds = calloc(n, sizeof(*fds));
	if (!fds)
		die("calloc");

	guest_s(&b0, &i0);
	t0 = now();
	for (i = 0; i < n; i++)
		fds[i] = client(i);
	t1 = now();
	c1 = cpu_s();
	for (i = 0; i < nthreads; i++) {
		rg[i] = (struct range){ n * i / nthreads, n * (i + 1) / nthreads };
		pthread_create(&th[i], NULL, connect_range, &rg[i]);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	t2 = now();
	c2 = cpu_s();
	guest_s(&b1, &i1);
	t3 = now();
	for (i = 0; i < n; i++) {
		struct linger lg = { 1, 0 };

		if (abort_close)
			setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fds[i]);
	}
	t4 = now();
	printf("{\"hmac\":\"%s\",\"n\":%d,\"window\":%d,\"threads\":%d,\"close\":\"%s\","
	       "\"sock_bind_us\":%.1f,\"connect_us\":%.1f,\"connect_cpu_us\":%.1f,"
	       "\"guest_busy_s\":%.2f,\"guest_idle_s\":%.2f,\"wall_s\":%.2f,\"close_us\":%.1f}\n",
	       hmac, n, window, nthreads, argv[4], (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6,
	       (c2 - c1) / n * 1e6, b1 - b0, i1 - i0, t2 - t0, (t4 - t3) / n * 1e6);
	close(srv);
	return 0;
}
