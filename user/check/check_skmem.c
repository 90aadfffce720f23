// SPDX-License-Identifier: GPL-2.0
/* Per-socket SCTP memory through sock_diag (check_skmem.h).  The request
 * is what iproute2's `ss -m --sctp -l` sends: inet_diag_req_v2 with
 * IPPROTO_SCTP and the INET_DIAG_SKMEMINFO extension; net/sctp/diag.c
 * inet_sctp_diag_fill() answers a socket line (no association) with
 * sk_rmem_alloc_get(), sk_wmem_alloc_get() and sk_forward_alloc. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_skmem.h"

/* The SK_MEMINFO_* values of one socket line, added to m. */
static int add_line(const struct nlmsghdr *h, unsigned long ino,
		    struct check_skmem *m)
{
	const struct inet_diag_msg *r = NLMSG_DATA(h);
	const struct rtattr *a;
	int alen;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*r)))
		return -EBADMSG;
	if (ino && r->idiag_inode != ino)
		return 0;
	alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*r)));
	for (a = (const struct rtattr *)(r + 1); RTA_OK(a, alen);
	     a = RTA_NEXT(a, alen)) {
		uint32_t mem[SK_MEMINFO_FWD_ALLOC + 1];

		if (a->rta_type != INET_DIAG_SKMEMINFO)
			continue;
		if (RTA_PAYLOAD(a) < (int)sizeof(mem))
			return -EBADMSG;
		memcpy(mem, RTA_DATA(a), sizeof(mem));
		m->rmem += mem[SK_MEMINFO_RMEM_ALLOC];
		m->wmem += mem[SK_MEMINFO_WMEM_ALLOC];
		m->fwd += (int32_t)mem[SK_MEMINFO_FWD_ALLOC];
		m->sockets++;
		return 0;
	}
	return -EBADMSG;	/* asked for, so always there */
}

/* NLMSG_OK compares the header's __u32 length with the int count it
 * walks down (netlink(3)'s own loop): clang's -Wsign-compare (the fuzz
 * build) flags the macro, not this code. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
int check_skmem_parse(const void *buf, size_t len, unsigned long ino,
		      struct check_skmem *m)
{
	const struct nlmsghdr *h = buf;
	int n = (int)len, err;

	for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			return e->error ? e->error : -EBADMSG;
		}
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;
		err = add_line(h, ino, m);
		if (err)
			return err;
	}
	return n ? -EBADMSG : 0;
}
#pragma GCC diagnostic pop

static int dump_family(int fd, int family, unsigned long ino,
		       struct check_skmem *m)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = (uint8_t)family,
		       .sdiag_protocol = IPPROTO_SCTP,
		       .idiag_ext = 1 << (INET_DIAG_SKMEMINFO - 1),
		       .idiag_states = 1 << TCP_LISTEN },
	};
	static char buf[32768];
	ssize_t got;
	int ret = 0;

	if (send(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		return -errno;
	while (!ret) {
		got = recv(fd, buf, sizeof(buf), 0);
		if (got < 0)
			return -errno;
		if (!got)
			return -EBADMSG;
		ret = check_skmem_parse(buf, (size_t)got, ino, m);
	}
	return ret < 0 ? ret : 0;
}

int check_skmem_read(unsigned long ino, struct check_skmem *m)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	int err;

	memset(m, 0, sizeof(*m));
	if (fd < 0)
		return -errno;
	err = dump_family(fd, AF_INET, ino, m);
	if (!err)
		err = dump_family(fd, AF_INET6, ino, m);
	close(fd);
	return err;
}

int check_skmem_drift(const struct check_skmem *start,
		      const struct check_skmem *end, unsigned n, char *out,
		      size_t len)
{
	static const char *const name[] = {
		"sk_rmem_alloc", "sk_wmem_alloc", "sk_forward_alloc",
	};
	const long a[] = { start->rmem, start->wmem, start->fwd };
	const long b[] = { end->rmem, end->wmem, end->fwd };

	for (int k = 0; k < 3; k++)
		if (a[k] != b[k]) {
			snprintf(out, len, "parent %s start %ld end %ld (N=%u peeled)",
				 name[k], a[k], b[k], n);
			return k;
		}
	return -1;
}
