// SPDX-License-Identifier: GPL-2.0
/* user/util.c: strict number parsing and errno names, as a user meets them
 * in option values and error tables. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64_accepts_counts_and_suffixes),
		cmocka_unit_test(test_parse_u64_rejects_bad_numbers),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_parse_name_mask),
		cmocka_unit_test(test_fmt_ns),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
