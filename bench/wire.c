// SPDX-License-Identifier: GPL-2.0
/* Sending and receiving the driver's messages on SCTP sockets. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/sctp.h>

#include "driver.h"
#include "wire.h"

/* Padding after the header: the payload's contents do not matter. */
static const char zeros[BENCH_MSG_MAX];
static __thread char scratch[BENCH_MSG_MAX];

int bench_wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int left = timeout_ms, n;

	for (;;) {
		int slice = left < 100 ? left : 100;

		if (bench_stop_requested())
			return -EINTR;
		n = poll(&p, 1, slice);
		if (n > 0)
			return 0;	/* ready, or an error the call will see */
		if (n < 0 && errno != EINTR)
			return -errno;
		left -= slice;
		if (left <= 0)
			return -ETIMEDOUT;
	}
}

int bench_msg_send(int fd, enum bench_msg_kind kind, uint64_t seq,
		   size_t size, int timeout_ms)
{
	struct bench_msg m = { .magic = BENCH_MSG_MAGIC, .kind = kind, .seq = seq };
	struct iovec iov[2] = {
		{ .iov_base = &m, .iov_len = sizeof(m) },
		{ .iov_base = (void *)zeros, .iov_len = size - sizeof(m) },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	int err;

	for (;;) {
		if (sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if ((errno != EAGAIN && errno != EWOULDBLOCK) || !timeout_ms)
			return -errno;
		err = bench_wait_fd(fd, POLLOUT, timeout_ms);
		if (err)
			return err;
	}
}

int bench_msg_recv(int fd, struct bench_msg *m, int timeout_ms)
{
	struct iovec iov[2] = {
		{ .iov_base = m, .iov_len = sizeof(*m) },
		{ .iov_base = scratch, .iov_len = sizeof(scratch) },
	};
	struct msghdr mh;
	ssize_t n;
	int err;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = 2;
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			err = bench_wait_fd(fd, POLLIN, timeout_ms);
			if (err)
				return err;
			continue;
		}
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;	/* the peer shut down */
		if (mh.msg_flags & MSG_NOTIFICATION)
			continue;
		if ((size_t)n < sizeof(*m) || m->magic != BENCH_MSG_MAGIC)
			return -EBADMSG;
		return 0;
	}
}
