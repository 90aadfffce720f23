// SPDX-License-Identifier: GPL-2.0
/* user/check/check_skmem.c: SCTP sock_diag answers built by hand as
 * net/sctp/diag.c writes them (inet_diag_msg + INET_DIAG_SKMEMINFO),
 * summed or picked by inode; errors; a planted drift of one on the
 * parent's memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "check_skmem.h"

static _Alignas(4) unsigned char buf[4096];
static size_t used;

/* One socket line: inode, and rmem, wmem, fwd (nmem values: 8 before
 * SK_MEMINFO_DROPS, 9 after; 0: no attribute). */
static void line(unsigned ino, uint32_t rmem, uint32_t wmem, int32_t fwd, int nmem)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(buf + used);
	struct inet_diag_msg *r = NLMSG_DATA(h);
	struct rtattr *a = (struct rtattr *)(r + 1);
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };

	memset(h, 0, NLMSG_SPACE(sizeof(*r)) + RTA_SPACE(sizeof(mem)));
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h->nlmsg_flags = NLM_F_MULTI;
	r->idiag_family = 2;
	r->idiag_inode = ino;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*r));
	if (nmem) {
		mem[SK_MEMINFO_RMEM_ALLOC] = rmem;
		mem[SK_MEMINFO_WMEM_ALLOC] = wmem;
		mem[SK_MEMINFO_FWD_ALLOC] = (uint32_t)fwd;
		mem[SK_MEMINFO_RCVBUF] = 212992;
		a->rta_type = INET_DIAG_SKMEMINFO;
		a->rta_len = RTA_LENGTH(nmem * sizeof(uint32_t));
		memcpy(RTA_DATA(a), mem, nmem * sizeof(uint32_t));
		h->nlmsg_len = NLMSG_SPACE(sizeof(*r)) + RTA_ALIGN(a->rta_len);
	}
	used += NLMSG_ALIGN(h->nlmsg_len);
}

static void done(int type, int error)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(buf + used);

	memset(h, 0, NLMSG_SPACE(sizeof(struct nlmsgerr)));
	h->nlmsg_type = (uint16_t)type;
	h->nlmsg_len = NLMSG_LENGTH(type == NLMSG_ERROR ? sizeof(struct nlmsgerr) : sizeof(int));
	if (type == NLMSG_ERROR)
		((struct nlmsgerr *)NLMSG_DATA(h))->error = error;
	used += NLMSG_ALIGN(h->nlmsg_len);
}

static void test_sum_and_pick(void **state)
{
	struct check_skmem m = { 0 };

	used = 0;
	line(101, 768, 0, 3328, SK_MEMINFO_VARS);
	line(102, 0, 1, 0, SK_MEMINFO_BACKLOG + 1);	/* 8 values: older kernels */
	assert_int_equal(check_skmem_parse(buf, used, 0, &m), 0);
	assert_int_equal(m.sockets, 2);
	assert_int_equal(m.rmem, 768);
	assert_int_equal(m.wmem, 1);
	assert_int_equal(m.fwd, 3328);
	done(NLMSG_DONE, 0);
	memset(&m, 0, sizeof(m));
	assert_int_equal(check_skmem_parse(buf, used, 102, &m), 1);
	assert_int_equal(m.sockets, 1);
	assert_int_equal(m.rmem, 0);
	assert_int_equal(m.wmem, 1);
	memset(&m, 0, sizeof(m));
	assert_int_equal(check_skmem_parse(buf, used, 999, &m), 1);
	assert_int_equal(m.sockets, 0);
}

static void test_errors(void **state)
{
	struct check_skmem m = { 0 };

	used = 0;
	done(NLMSG_ERROR, -ENOENT);	/* no SCTP handler: sctp_diag not loaded */
	assert_int_equal(check_skmem_parse(buf, used, 0, &m), -ENOENT);
	used = 0;
	line(101, 1, 1, 1, 0);		/* SKMEMINFO asked for, missing */
	assert_int_equal(check_skmem_parse(buf, used, 0, &m), -EBADMSG);
	used = 0;
	line(101, 1, 1, 1, SK_MEMINFO_FWD_ALLOC);	/* too short for fwd */
	assert_int_equal(check_skmem_parse(buf, used, 0, &m), -EBADMSG);
	used = 0;
	line(101, 1, 1, 1, SK_MEMINFO_VARS);
	assert_int_equal(check_skmem_parse(buf, used - 8, 0, &m), -EBADMSG);	/* cut */
}

/* The parent back at its start; one byte or one unit left: named. */
static void test_planted_parent_drift(void **state)
{
	struct check_skmem a = { 0, 0, 0, 1 }, b = a;
	char out[120];

	assert_int_equal(check_skmem_drift(&a, &b, 1000, out, sizeof(out)), -1);
	b.rmem = 1;
	assert_int_equal(check_skmem_drift(&a, &b, 1000, out, sizeof(out)), 0);
	assert_string_equal(out, "parent sk_rmem_alloc start 0 end 1 (N=1000 peeled)");
	b = a;
	b.wmem = 1;
	assert_int_equal(check_skmem_drift(&a, &b, 1000, out, sizeof(out)), 1);
	assert_string_equal(out, "parent sk_wmem_alloc start 0 end 1 (N=1000 peeled)");
	b = a;
	b.fwd = -1;
	assert_int_equal(check_skmem_drift(&a, &b, 1000, out, sizeof(out)), 2);
	assert_string_equal(out, "parent sk_forward_alloc start 0 end -1 (N=1000 peeled)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum_and_pick),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_planted_parent_drift),
	};

	return cmocka_run_group_tests_name("check_skmem", tests, NULL, NULL);
}
