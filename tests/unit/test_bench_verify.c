// SPDX-License-Identifier: GPL-2.0
/* bench/verify.c and bench/wire.c on the host (no SCTP needed): the flag
 * check every peeled socket goes through, and the messages of the round
 * trip, over AF_UNIX SOCK_SEQPACKET (message boundaries like SCTP's). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "driver.h"
#include "verify.h"
#include "wire.h"

static void test_fd_flags_see_exactly_what_is_set(void **state)
{
	int a = socket(AF_UNIX, SOCK_STREAM, 0);
	int b = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int d = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_int_equal(bench_fd_flags(a), 0);
	assert_int_equal(bench_fd_flags(b), BENCH_FLAG_NONBLOCK);
	assert_int_equal(bench_fd_flags(c), BENCH_FLAG_CLOEXEC);
	assert_int_equal(bench_fd_flags(d), BENCH_FLAG_NONBLOCK | BENCH_FLAG_CLOEXEC);
	assert_int_equal(bench_fd_flags(-1), -EBADF);
	close(a);
	close(b);
	close(c);
	close(d);
}

static void test_expected_flags_follow_the_call(void **state)
{
	struct bench_config c;

	bench_config_defaults(&c);
	c.flags = BENCH_FLAG_NONBLOCK;	/* ignored by sctp_peeloff */
	assert_int_equal(bench_expected_flags(&c), 0);
	c.call = BENCH_CALL_PEELOFF_FLAGS;
	assert_int_equal(bench_expected_flags(&c), BENCH_FLAG_NONBLOCK);
}

static void test_flag_mismatch_is_reported_before_any_io(void **state)
{
	struct bench_config c;
	struct bench_assoc a = { .client_fd = -1 };
	int sv[2];

	bench_config_defaults(&c);
	c.call = BENCH_CALL_PEELOFF_FLAGS;
	c.flags = BENCH_FLAG_NONBLOCK | BENCH_FLAG_CLOEXEC;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_string_equal(bench_verify_peeled(&c, sv[0], &a, 1, NULL), "flags_mismatch");
	close(sv[0]);
	close(sv[1]);
}

/* A round trip over a socket pair (the peeled socket sv[0], the client
 * sv[1]) with one QUEUE message where two were queued: the verdict, and
 * how far the check got for the result's failure record. */
static void test_round_trip_reports_how_far_it_got(void **state)
{
	struct bench_config c;
	struct bench_assoc a;
	struct bench_verify_info in;
	int sv[2];

	bench_config_defaults(&c);
	c.assoc_queue = 2;
	c.verify_timeout_ms = 200;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	a.client_fd = sv[1];
	assert_int_equal(bench_msg_send(sv[1], BENCH_MSG_QUEUE, 7, 64, 0), 0);
	assert_int_equal(bench_msg_send(sv[1], BENCH_MSG_LOAD, 7, 64, 0), 0);
	assert_string_equal(bench_verify_peeled(&c, sv[0], &a, 7, &in), "queue_mismatch");
	assert_string_equal(in.stage, "queue");
	assert_true(in.ping_seen);
	assert_int_equal(in.queued, 1);
	assert_int_equal(in.load, 1);
	/* Both queued: passes. */
	assert_int_equal(bench_msg_send(sv[1], BENCH_MSG_QUEUE, 8, 64, 0), 0);
	assert_int_equal(bench_msg_send(sv[1], BENCH_MSG_QUEUE, 8, 64, 0), 0);
	assert_null(bench_verify_peeled(&c, sv[0], &a, 8, &in));
	/* The client gone: stops before the PING. */
	a.client_fd = -1;
	assert_string_equal(bench_verify_peeled(&c, sv[0], &a, 9, &in), "ECONNRESET");
	assert_string_equal(in.stage, "ping_send");
	assert_false(in.ping_seen);
	close(sv[0]);
	close(sv[1]);
}

static void test_messages_carry_kind_and_seq(void **state)
{
	struct bench_msg m;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(bench_msg_send(sv[0], BENCH_MSG_QUEUE, 42, 64, 0), 0);
	assert_int_equal(bench_msg_send(sv[0], BENCH_MSG_PONG, 43, 1000, 0), 0);
	assert_int_equal(bench_msg_recv(sv[1], &m, 100), 0);
	assert_int_equal(m.kind, BENCH_MSG_QUEUE);
	assert_int_equal(m.seq, 42);
	assert_int_equal(bench_msg_recv(sv[1], &m, 100), 0);
	assert_int_equal(m.kind, BENCH_MSG_PONG);
	assert_int_equal(m.seq, 43);
	/* Nothing more: the wait ends at the timeout. */
	assert_int_equal(bench_msg_recv(sv[1], &m, 50), -ETIMEDOUT);
	/* A message that is not ours. */
	assert_int_equal(write(sv[0], "hello, world, not ours", 22), 22);
	assert_int_equal(bench_msg_recv(sv[1], &m, 100), -EBADMSG);
	close(sv[0]);
	assert_int_equal(bench_msg_recv(sv[1], &m, 100), -ECONNRESET);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_flags_see_exactly_what_is_set),
		cmocka_unit_test(test_expected_flags_follow_the_call),
		cmocka_unit_test(test_flag_mismatch_is_reported_before_any_io),
		cmocka_unit_test(test_round_trip_reports_how_far_it_got),
		cmocka_unit_test(test_messages_carry_kind_and_seq),
	};

	return cmocka_run_group_tests_name("bench_verify", tests, NULL, NULL);
}
