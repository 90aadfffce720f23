// SPDX-License-Identifier: GPL-2.0
/* user/check/check_kmsg.c: the kernel log watch of `check`, on /dev/kmsg
 * records and on a fake log with a planted warning. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "check.h"
#include "helpers.h"

static void test_scan_records(void **state)
{
	const char *recs =
		"6,1201,5512345,-;sctp: Hash tables configured (bind 256/256)\n"
		"4,1202,5512399,-;------------[ cut here ]------------\n"
		"4,1203,5512400,-;WARNING: CPU: 1 PID: 733 at lib/refcount.c:28 refcount_warn_saturate+0xba/0x110\n"
		" SUBSYSTEM=net\n";
	char line[CHECK_KLOG_MAX];

	assert_int_equal(check_klog_scan(recs, strlen(recs), line, sizeof(line)), 1);
	assert_string_equal(line,
		"WARNING: CPU: 1 PID: 733 at lib/refcount.c:28 refcount_warn_saturate+0xba/0x110");
	/* Nothing that looks like a bug: nothing found. */
	assert_int_equal(check_klog_scan(recs, 57, line, sizeof(line)), 0);
	/* Metadata continuation lines are not text. */
	assert_int_equal(check_klog_scan(" X=BUG\n", 7, line, sizeof(line)), 0);
}

static void test_scan_marks_and_cut(void **state)
{
	char line[16];

	assert_int_equal(check_klog_scan("3,9,1,-;BUG: KASAN: double-free in kfree\n",
					 41, line, sizeof(line)), 1);
	assert_string_equal(line, "BUG: KASAN: dou");	/* cut to the buffer */
	assert_int_equal(check_klog_scan("refcount_t: underflow; use-after-free.\n",
					 39, line, sizeof(line)), 1);
	assert_string_equal(line, "refcount_t: und");
}

/* A fake dmesg: what was there before open is not charged, a warning
 * planted afterwards is found once. */
static void test_fake_log_planted_warning(void **state)
{
	char *dir = scratch_dir(), path[256], line[CHECK_KLOG_MAX];
	FILE *f;
	int fd;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/kmsg", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("4,1,1,-;WARNING: an old one, before the case\n", f);
	fflush(f);
	fd = check_klog_open(path);
	assert_true(fd >= 0);
	assert_int_equal(check_klog_read(fd, line, sizeof(line)), 0);
	fputs("6,2,2,-;sctp: something harmless\n"
	      "4,3,3,-;WARNING: CPU: 0 PID: 1 at net/core/sock.c:2200 sk_destruct\n", f);
	fflush(f);
	assert_int_equal(check_klog_read(fd, line, sizeof(line)), 1);
	assert_string_equal(line, "WARNING: CPU: 0 PID: 1 at net/core/sock.c:2200 sk_destruct");
	assert_int_equal(check_klog_read(fd, line, sizeof(line)), 0);
	fclose(f);
	close(fd);
	/* No log at all: no watch, nothing found. */
	assert_int_equal(check_klog_open("/nonexistent/kmsg"), -1);
	assert_int_equal(check_klog_read(-1, line, sizeof(line)), 0);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_records),
		cmocka_unit_test(test_scan_marks_and_cut),
		cmocka_unit_test(test_fake_log_planted_warning),
	};

	return cmocka_run_group_tests_name("check_kmsg", tests, NULL, NULL);
}
