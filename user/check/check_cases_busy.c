// SPDX-License-Identifier: GPL-2.0
/* `peelbench check` case "busy-assoc-peel": a thread of the process is
 * asleep in sendmsg() on the association (the peer does not read, so the
 * send buffer is full) while another peels it off.  dfcb9f4f99f1 "sctp:
 * deny peeloff operation on asocs with threads sleeping on it" (4.11,
 * CVE-2017-6353) refused with EBUSY; since a0ff660058b8 "sctp: return
 * error if the asoc has been peeled off in sctp_wait_for_sndbuf" (4.15)
 * the peeloff goes through and the sleeper, once woken, fails with EPIPE
 * (sctp/sctp-tests PR #10 changed its peeloffbusy test to that).  Either
 * way the association must then carry data on the peeled socket. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check_cases.h"
#include "check_fixture.h"
#include "peelbench.h"

#define BUSY_MSG	1000
#define BUSY_LIMIT_MS	20000

struct busy_sender {
	int fd;
	sctp_assoc_t id;
	atomic_uint sent;	/* messages through */
	atomic_bool stop, done;
	atomic_int tid;
	int last_err;		/* errno of the send that ended it, 0: none */
};

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *busy_send(void *arg)
{
	struct busy_sender *s = arg;
	struct sctp_sndrcvinfo sinfo = { .sinfo_assoc_id = s->id };
	char msg[BUSY_MSG];

	memset(msg, 'b', sizeof(msg));
	atomic_store(&s->tid, (int)syscall(SYS_gettid));
	while (!atomic_load(&s->stop)) {
		if (sctp_send(s->fd, msg, sizeof(msg), &sinfo, MSG_NOSIGNAL) < 0) {
			s->last_err = errno;
			break;
		}
		atomic_fetch_add(&s->sent, 1);
	}
	atomic_store(&s->done, true);
	return NULL;
}

/* The sender's thread state letter from /proc ('S': asleep). */
static char thread_state(int tid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "re");
	if (!f)
		return '?';
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Wait until the sender made no progress for 500 ms and sleeps. */
static int wait_blocked(struct fixture *fx, struct busy_sender *s)
{
	unsigned last = ~0u;
	int still = 0, waited;

	for (waited = 0; waited < BUSY_LIMIT_MS; waited += 50) {
		unsigned now = atomic_load(&s->sent);

		if (atomic_load(&s->done))
			return fx_setup_fail(fx, "sender never blocked", s->last_err);
		still = now == last ? still + 50 : 0;
		last = now;
		if (still >= 500 && thread_state(atomic_load(&s->tid)) == 'S')
			return 0;
		sleep_ms(50);
	}
	return fx_setup_fail(fx, "sender still sending after 20 s", ETIMEDOUT);
}

/* Read on the client until the sender is done (it returns once there is
 * room again), then until "ping" arrives if want_ping. */
static int drain_client(struct fixture *fx, struct busy_sender *s,
			bool want_ping)
{
	char buf[BUSY_MSG + 1];
	int waited;

	for (waited = 0; waited < BUSY_LIMIT_MS; ) {
		struct iovec iov = { buf, sizeof(buf) - 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(fx->client[0], &m, MSG_DONTWAIT);

		if (n > 0 && want_ping && !(m.msg_flags & MSG_NOTIFICATION) &&
		    n == 4 && !memcmp(buf, "ping", 4))
			return 0;
		if (n < 0 && !want_ping && atomic_load(&s->done))
			return 0;
		if (n < 0) {
			sleep_ms(1);
			waited++;
		}
	}
	return -1;
}

static const char *sender_result(const struct busy_sender *s)
{
	return s->last_err ? pb_errno_name(s->last_err) : "sent";
}

void case_busy_assoc(char *obs, size_t len)
{
	struct busy_sender s = { 0 };
	struct timeval tv = { BUSY_LIMIT_MS / 1000, 0 };
	int small = 4096, fd, peel_err;
	struct fixture fx;
	pthread_t th;

	if (fx_open(&fx, 1, obs, len))
		goto out;
	/* A small window: the client's receive buffer fills at once. */
	setsockopt(fx.client[0], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	setsockopt(fx.server, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(fx.server, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	s.fd = fx.server;
	s.id = fx.id[0];
	if (pthread_create(&th, NULL, busy_send, &s)) {
		fx_setup_fail(&fx, "pthread_create", EAGAIN);
		goto out;
	}
	if (wait_blocked(&fx, &s)) {
		atomic_store(&s.stop, true);
		drain_client(&fx, &s, false);
		pthread_join(th, NULL);
		goto out;
	}
	atomic_store(&s.stop, true);
	fd = fx_track(&fx, sctp_peeloff(fx.server, fx.id[0]));
	peel_err = fd < 0 ? errno : 0;
	if (drain_client(&fx, &s, false)) {
		/* The sender is stuck: leave it to the case's alarm. */
		fx_observe(&fx, "peeloff %s, sender still blocked after 20 s",
			   peel_err ? pb_errno_name(peel_err) : "returned fd");
		goto out;
	}
	pthread_join(th, NULL);
	if (fd < 0)
		fd = fx_track(&fx, sctp_peeloff(fx.server, fx.id[0]));
	if (fd < 0) {
		fx_observe(&fx, "peeloff %s, sender %s, then peeloff %s",
			   peel_err ? pb_errno_name(peel_err) : "returned fd",
			   sender_result(&s), pb_errno_name(errno));
		goto out;
	}
	fx_observe(&fx, "peeloff %s, sender %s, then %s",
		   peel_err ? pb_errno_name(peel_err) : "returned fd",
		   sender_result(&s),
		   send(fd, "ping", 4, MSG_NOSIGNAL) == 4 &&
		   !drain_client(&fx, &s, true) ? "delivered" : "not delivered");
out:
	fx_close(&fx);
}
