// SPDX-License-Identifier: GPL-2.0
/* user/util.c: strict number parsing and errno names, as a user meets them
 * in option values and error tables. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "commands.h"
#include "helpers.h"
#include "peelbench.h"

static void test_parse_u64_accepts_counts_and_suffixes(void **state)
{
	unsigned long long v;

	assert_true(pb_parse_u64("10000", 1, 1000000, &v));
	assert_int_equal(v, 10000);
	assert_true(pb_parse_u64("10k", 1, 1000000, &v));
	assert_int_equal(v, 10000);
	assert_true(pb_parse_u64("2M", 1, 10000000, &v));
	assert_int_equal(v, 2000000);
}

static void test_parse_u64_rejects_bad_numbers(void **state)
{
	unsigned long long v = 7;

	assert_false(pb_parse_u64("", 0, 10, &v));
	assert_false(pb_parse_u64("-1", 0, 10, &v));
	assert_false(pb_parse_u64("0", 1, 10, &v));
	assert_false(pb_parse_u64("11", 1, 10, &v));
	assert_false(pb_parse_u64("5x", 1, 10, &v));
	assert_false(pb_parse_u64("99999999999999999999", 0, ~0ULL, &v));
	assert_false(pb_parse_u64("20000000000000000g", 0, ~0ULL, &v));
	assert_int_equal(v, 7);
}

static void test_parse_duration(void **state)
{
	unsigned long long ns;

	assert_true(pb_parse_duration_ns("2s", &ns));
	assert_int_equal(ns, 2000000000ULL);
	assert_true(pb_parse_duration_ns("250ms", &ns));
	assert_int_equal(ns, 250000000ULL);
	assert_true(pb_parse_duration_ns("3", &ns));
	assert_int_equal(ns, 3000000000ULL);
	assert_false(pb_parse_duration_ns("-1s", &ns));
	assert_false(pb_parse_duration_ns("1fortnight", &ns));
}

static void test_errno_names(void **state)
{
	assert_string_equal(pb_errno_name(EINVAL), "EINVAL");
	assert_string_equal(pb_errno_name(-EBADF), "EBADF");
	assert_string_equal(pb_errno_name(ENOTSOCK), "ENOTSOCK");
	assert_string_equal(pb_errno_name(4095), "E4095");
}

static void test_parse_name_mask(void **state)
{
	static const char *const names[] = { NULL, "hist", "events", "floor" };
	unsigned int m = 42;

	assert_int_equal(pb_parse_name_mask("events", names, 4, &m), 0);
	assert_int_equal(m, 1u << 2);
	assert_int_equal(pb_parse_name_mask("floor,hist,floor", names, 4, &m), 0);
	assert_int_equal(m, 1u << 3 | 1u << 1);
	/* a NULL entry is never a name; failures leave the mask alone */
	m = 42;
	assert_int_equal(pb_parse_name_mask("hist,nosuch", names, 4, &m), -1);
	assert_int_equal(pb_parse_name_mask("", names, 4, &m), -1);
	assert_int_equal(pb_parse_name_mask(",", names, 4, &m), -1);
	assert_int_equal(pb_parse_name_mask("(null)", names, 4, &m), -1);
	assert_int_equal(m, 42);
}

/* Each printer keeps its style; the unit follows the size. */
static void test_fmt_ns(void **state)
{
	static const char *const spaced[4] = { "%.0f ns", "%.1f us", "%.2f ms", NULL };
	static const char *const tight[4] = { "%.0fns", "%.1fus", "%.2fms", "%.3fs" };
	char b[32];

	assert_string_equal(pb_fmt_ns(812, spaced, b, sizeof(b)), "812 ns");
	assert_string_equal(pb_fmt_ns(12345, spaced, b, sizeof(b)), "12.3 us");
	assert_string_equal(pb_fmt_ns(4.561e6, spaced, b, sizeof(b)), "4.56 ms");
	assert_string_equal(pb_fmt_ns(2.5e9, spaced, b, sizeof(b)), "2500.00 ms");
	assert_string_equal(pb_fmt_ns(2.5e9, tight, b, sizeof(b)), "2.500s");
	assert_string_equal(pb_fmt_ns(999, tight, b, sizeof(b)), "999ns");
}

/* One rule for the guest of a run, whichever path boots it: 2048 MiB
 * plus a tenth of a MiB per association, never past --vm-mem's top. */
static void test_guest_mem_rule(void **state)
{
	char *dflt[] = { "--repeat", "1" };
	char *big[] = { "--backlog", "5", "--assocs", "100k" };
	char *eq[] = { "--assocs=30000", "--", "--assocs", "5" };
	char *bad[] = { "--assocs", "-5" };

	assert_int_equal(pb_guest_mem_mib(0), 2048);
	assert_int_equal(pb_guest_mem_mib(10000), 3048);
	assert_int_equal(pb_guest_mem_mib(100000), 12048);
	assert_int_equal(pb_guest_mem_mib(~0ULL), PB_VM_MEM_MAX);
	/* --vm's path reads run's --assocs as run would */
	assert_int_equal(run_args_guest_mem(2, dflt), 3048);	/* default 10,000 */
	assert_int_equal(run_args_guest_mem(4, big), 12048);
	assert_int_equal(run_args_guest_mem(4, eq), 5048);	/* not after "--" */
	assert_int_equal(run_args_guest_mem(2, bad), 3048);	/* the guest says why */
}

/* Errors stay one line: control characters are escaped, the rest kept. */
static void test_escape_and_one_line_errors(void **state)
{
	struct capture c;
	char out[64], err[256];

	pb_escape("a\nb\tc\rd\x1b[0m\x7f\xc3\xa9", out, sizeof(out));
	assert_string_equal(out, "a\\nb\\tc\\rd\\x1b[0m\\x7f\xc3\xa9");
	pb_escape("\x01\x01\x01\x01", out, 8);	/* cut to fit, terminated */
	assert_string_equal(out, "\\x01");
	capture_begin(&c);
	pb_err("cannot open %s", "x\ny");
	capture_end_err(&c, err, sizeof(err));
	assert_string_equal(err, "peelbench: cannot open x\\ny\n");
	/* the first error, as formatted, for the JSON error object */
	assert_string_equal(pb_first_error(), "cannot open x\ny");
}

/* --vm-mem's and --vm-timeout's one parser: whole numbers in range. */
static void test_count_opt(void **state)
{
	unsigned long long n;
	struct capture c;
	char err[256];

	assert_true(pb_parse_count_opt("", "--vm-mem", "4096", 256, 1 << 20, &n));
	assert_int_equal(n, 4096);
	capture_begin(&c);
	assert_false(pb_parse_count_opt("matrix", "--vm-timeout", "18446744073709551617",
					1, 604800, &n));
	assert_false(pb_parse_count_opt("", "--vm-mem", "-5", 256, 1 << 20, &n));
	capture_end_err(&c, err, sizeof(err));
	assert_string_equal(err,
		"peelbench: matrix: --vm-timeout: '18446744073709551617' is not a whole number from 1 to 604800\n"
		"peelbench: --vm-mem: '-5' is not a whole number from 256 to 1048576\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64_accepts_counts_and_suffixes),
		cmocka_unit_test(test_parse_u64_rejects_bad_numbers),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_parse_name_mask),
		cmocka_unit_test(test_fmt_ns),
		cmocka_unit_test(test_guest_mem_rule),
		cmocka_unit_test(test_escape_and_one_line_errors),
		cmocka_unit_test(test_count_opt),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
