// SPDX-License-Identifier: GPL-2.0
/* bench/config.c: what `peelbench run` accepts and refuses, and the
 * quantities derived from the options. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "driver.h"
#include "fdlimit.h"
#include "peelbench.h"

static bool set(struct bench_config *c, const char *name, const char *val, char *err)
{
	const struct bench_option *o = bench_option_find(name);

	assert_non_null(o);
	return bench_config_set(c, o, val, err, 256);
}

static void test_defaults_are_the_documented_ones(void **state)
{
	struct bench_config c;
	char err[256];

	bench_config_defaults(&c);
	assert_int_equal(c.assocs, 10000);
	assert_int_equal(c.threads, 1);
	assert_int_equal(c.call, BENCH_CALL_PEELOFF);
	assert_int_equal(c.msg_size, 64);
	assert_int_equal(c.repeat, 3);
	assert_int_equal(c.port, 0);
	assert_true(bench_config_check(&c, err, sizeof(err)));
}

static void test_refuses_zero_negative_absurd_counts(void **state)
{
	struct bench_config c;
	char err[256];

	bench_config_defaults(&c);
	assert_false(set(&c, "assocs", "0", err));
	assert_string_equal(err, "--assocs: '0' is not a number between 1 and 1000000");
	assert_false(set(&c, "assocs", "-5", err));
	assert_false(set(&c, "assocs", "2000001", err));
	assert_false(set(&c, "assocs", "10x", err));
	assert_false(set(&c, "threads", "0", err));
	assert_false(set(&c, "msg-size", "15", err));	/* below the header */
	assert_false(set(&c, "msg-size", "65537", err));
	assert_false(set(&c, "load-share", "1.5", err));
	assert_false(set(&c, "load-share", "-0.1", err));
	assert_false(set(&c, "rate", "nan", err));
	assert_false(set(&c, "port", "65536", err));
	assert_false(set(&c, "verify-timeout", "0", err));
	assert_int_equal(c.assocs, 10000);	/* untouched by refusals */
}

static void test_accepts_suffixes_and_durations(void **state)
{
	struct bench_config c;
	char err[256];

	bench_config_defaults(&c);
	assert_true(set(&c, "assocs", "20k", err));
	assert_int_equal(c.assocs, 20000);
	assert_true(set(&c, "verify-timeout", "250ms", err));
	assert_int_equal(c.verify_timeout_ms, 250);
	assert_true(set(&c, "load-share", "0.25", err));
	assert_true(set(&c, "family", "inet6", err));
	assert_int_equal(c.family, BENCH_INET6);
	assert_false(set(&c, "family", "unix", err));
	assert_string_equal(err, "--family: unknown value 'unix' (expected inet|inet6)");
}

static void test_flags_pick_peeloff_flags(void **state)
{
	struct bench_config c;
	char err[256];

	bench_config_defaults(&c);
	assert_true(set(&c, "flags", "nonblock,cloexec", err));
	assert_int_equal(c.flags, BENCH_FLAG_NONBLOCK | BENCH_FLAG_CLOEXEC);
	assert_int_equal(c.call, BENCH_CALL_PEELOFF_FLAGS);
	assert_true(bench_config_check(&c, err, sizeof(err)));

	bench_config_defaults(&c);
	assert_true(set(&c, "flags", "none", err));
	assert_int_equal(c.flags, 0);
	assert_int_equal(c.call, BENCH_CALL_PEELOFF_FLAGS);

	bench_config_defaults(&c);
	assert_true(set(&c, "flags", "cloexec", err));
	assert_int_equal(c.flags, BENCH_FLAG_CLOEXEC);
	assert_string_equal(bench_flags_name(c.flags), "cloexec");
}

static void test_flags_refuse_unknown_names(void **state)
{
	struct bench_config c;
	char err[256];

	bench_config_defaults(&c);
	assert_false(set(&c, "flags", "nonblock,bogus", err));
	assert_string_equal(err, "--flags: unknown flag in 'nonblock,bogus' (expected none, or nonblock and/or cloexec)");
	assert_false(set(&c, "flags", "nonblock,", err));
	assert_false(set(&c, "flags", ",cloexec", err));
	assert_false(set(&c, "flags", "", err));
	assert_false(c.flags_given);
}

static void test_peeloff_with_flags_is_refused(void **state)
{
	struct bench_config c;
	char err[256];

	/* Either order: sctp_peeloff(3) takes no flags. */
	bench_config_defaults(&c);
	assert_true(set(&c, "call", "peeloff", err));
	assert_true(set(&c, "flags", "nonblock", err));
	assert_false(bench_config_check(&c, err, sizeof(err)));
	assert_string_equal(err, "--flags needs --call peeloff_flags (sctp_peeloff takes no flags)");

	bench_config_defaults(&c);
	assert_true(set(&c, "flags", "nonblock", err));
	assert_true(set(&c, "call", "peeloff", err));
	assert_false(bench_config_check(&c, err, sizeof(err)));
}

static void test_cross_option_checks(void **state)
{
	struct bench_config c;
	char err[256];

	bench_config_defaults(&c);
	c.abort_peers = c.assocs + 1;
	assert_false(bench_config_check(&c, err, sizeof(err)));
	assert_string_equal(err, "--abort-peers 10001 is more than --assocs 10000");

	/* inet6 has one loopback address: its ports are the limit. */
	bench_config_defaults(&c);
	c.family = BENCH_INET6;
	c.assocs = BENCH_PORTS_PER_ADDR + 1;
	assert_false(bench_config_check(&c, err, sizeof(err)));
	c.assocs = BENCH_PORTS_PER_ADDR;
	assert_true(bench_config_check(&c, err, sizeof(err)));
	c.src_addrs = 2;
	assert_false(bench_config_check(&c, err, sizeof(err)));

	bench_config_defaults(&c);
	c.assocs = 100000;
	c.src_addrs = 1;
	assert_false(bench_config_check(&c, err, sizeof(err)));
	assert_string_equal(err, "100000 associations need 3 source addresses (40000 ports each); 1 given");
}

static void test_source_addresses_follow_assocs(void **state)
{
	struct bench_config c;

	bench_config_defaults(&c);
	assert_int_equal(bench_config_src_addrs(&c), 1);
	c.assocs = BENCH_PORTS_PER_ADDR + 1;
	assert_int_equal(bench_config_src_addrs(&c), 2);
	c.assocs = 1000000;
	assert_int_equal(bench_config_src_addrs(&c), 25);
}

static void test_load_share_picks_exactly_floor_nf_spread(void **state)
{
	struct bench_config c;
	unsigned long long i, n = 0, first = ~0ULL, last = 0;

	bench_config_defaults(&c);
	c.assocs = 1000;
	c.load_share = 0.1;
	for (i = 0; i < c.assocs; i++) {
		if (!bench_config_is_loaded(&c, i))
			continue;
		n++;
		if (first == ~0ULL)
			first = i;
		last = i;
	}
	assert_int_equal(n, 100);
	assert_int_equal(bench_config_load_assocs(&c), 100);
	assert_true(first < 10);
	assert_true(last >= 990);	/* spread, not the first 100 */
	c.load_share = 0;
	assert_false(bench_config_is_loaded(&c, 5));
}

static void test_fillers_and_fd_needs(void **state)
{
	struct bench_config c;

	bench_config_defaults(&c);
	assert_int_equal(bench_config_fillers(&c), 0);
	c.backlog = 5;
	assert_int_equal(bench_config_fillers(&c), 5);
	c.backlog = 1024;
	assert_int_equal(bench_config_fillers(&c), 16);
	c.threads = 4;
	/* clients + fillers + workers + slack */
	assert_int_equal(bench_config_fds_needed(&c), 10000 + 16 + 4 + 64);
}

static void test_fd_limit_beyond_nr_open_is_bad_input(void **state)
{
	/* No process may hold 2^40 descriptors: a usage error, not a crash. */
	assert_int_equal(bench_fdlimit_ensure(1ULL << 40, 1ULL << 40), PB_EXIT_USAGE);
	assert_int_equal(bench_fdlimit_ensure(16, 1), 0);
	assert_true(bench_fd_count() >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_the_documented_ones),
		cmocka_unit_test(test_refuses_zero_negative_absurd_counts),
		cmocka_unit_test(test_accepts_suffixes_and_durations),
		cmocka_unit_test(test_flags_pick_peeloff_flags),
		cmocka_unit_test(test_flags_refuse_unknown_names),
		cmocka_unit_test(test_peeloff_with_flags_is_refused),
		cmocka_unit_test(test_cross_option_checks),
		cmocka_unit_test(test_source_addresses_follow_assocs),
		cmocka_unit_test(test_load_share_picks_exactly_floor_nf_spread),
		cmocka_unit_test(test_fillers_and_fd_needs),
		cmocka_unit_test(test_fd_limit_beyond_nr_open_is_bad_input),
	};

	return cmocka_run_group_tests_name("bench_config", tests, NULL, NULL);
}
