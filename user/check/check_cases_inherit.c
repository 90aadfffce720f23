// SPDX-License-Identifier: GPL-2.0
/* `peelbench check` cases "inherit-OPTION": one socket option set to a
 * value other than its default on the one-to-many parent before the
 * association exists, then read on the peeled socket.  The grade is
 * "inherited" (the peeled socket reads what the parent reads), "reset"
 * (it reads the parent's default), or "other (...)" with both values;
 * an option this kernel does not know (ENOPROTOOPT) is "not applicable".
 * The table of options and what each kernel promises is check_cases.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "check_cases.h"
#include "check_fixture.h"
#include "peelbench.h"

#define OPT_BUF 512

static unsigned long long field_get(const unsigned char *buf, unsigned off,
				    unsigned width)
{
	union { uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64; } v;

	memcpy(&v, buf + off, width);
	switch (width) {
	case 1: return v.u8;
	case 2: return v.u16;
	case 4: return v.u32;
	default: return v.u64;
	}
}

static void field_set(unsigned char *buf, unsigned off, unsigned width,
		      unsigned long long val)
{
	uint8_t u8 = (uint8_t)val;
	uint16_t u16 = (uint16_t)val;
	uint32_t u32 = (uint32_t)val;
	uint64_t u64 = val;
	const void *src = width == 1 ? (const void *)&u8 : width == 2 ?
		(const void *)&u16 : width == 4 ? (const void *)&u32 : (const void *)&u64;

	memcpy(buf + off, src, width);
}

/* getsockopt of the option into buf (its input fields filled in first);
 * the field's value in *v.  0, or the errno. */
static int opt_read(int fd, const struct check_opt *o, unsigned char *buf,
		    unsigned long long *v)
{
	socklen_t len = o->size;

	memset(buf, 0, OPT_BUF);
	if (o->key_off >= 0)
		field_set(buf, (unsigned)o->key_off, 2, o->key);
	if (getsockopt(fd, o->level, o->optname, buf, &len))
		return errno;
	*v = field_get(buf, o->off, o->width);
	if (o->mask)
		*v &= o->mask;
	return 0;
}

static int opt_write(int fd, const struct check_opt *o, unsigned char *buf)
{
	field_set(buf, o->off, o->width, o->val);
	if (o->also_off >= 0)
		field_set(buf, (unsigned)o->also_off, 4, o->also_val);
	if (o->id_off >= 0)
		field_set(buf, (unsigned)o->id_off, 4, 0);	/* SCTP_FUTURE_ASSOC */
	return setsockopt(fd, o->level, o->optname, buf, o->size) ? errno : 0;
}

/* "not applicable" when the kernel lacks the option, else the step. */
static void opt_failed(struct fixture *fx, const char *step, int err)
{
	if (err == ENOPROTOOPT)
		fx_observe(fx, CHECK_NOT_APPLICABLE_OBS);
	else
		fx_observe(fx, "%s: %s", step, pb_errno_name(err));
}

/* Parent default, then the parent's value once set: d and p. */
static int opt_set_parent(struct fixture *fx, const struct check_opt *o,
			  unsigned long long *d, unsigned long long *p)
{
	unsigned char buf[OPT_BUF];
	int err;

	if ((err = opt_read(fx->server, o, buf, d))) {
		opt_failed(fx, "get on parent", err);
		return -1;
	}
	err = o->set ? o->set(fx->server, o) : opt_write(fx->server, o, buf);
	if (err) {
		opt_failed(fx, "set on parent", err);
		return -1;
	}
	if ((err = opt_read(fx->server, o, buf, p))) {
		opt_failed(fx, "get on parent after set", err);
		return -1;
	}
	if (*p == *d) {
		fx_observe(fx, "setup: parent still reads its default %llu", *d);
		return -1;
	}
	return 0;
}

void check_inherit_grade(unsigned long long d, unsigned long long p,
			 unsigned long long q, char *out, size_t len)
{
	if (q == p)
		snprintf(out, len, "inherited");
	else if (q == d)
		snprintf(out, len, "reset");
	else
		snprintf(out, len, "other (parent %llu, default %llu, peeled %llu)",
			 p, d, q);
}

/* The parent the option asks for, prepared (SCTP-AUTH on). */
static int open_parent(struct fixture *fx, const struct check_opt *o,
		       char *obs, size_t len)
{
	int err;

	if (o->v6 ? fx_open_any6(fx, obs, len) :
	    o->any ? fx_open_any(fx, obs, len) : fx_open(fx, 0, obs, len))
		return -1;
	if (o->prep && (err = o->prep(fx->server))) {
		opt_failed(fx, "prepare parent", err);
		return -1;
	}
	fx->client_prep = o->client_prep;
	return 0;
}

void case_inherit(const void *arg, char *obs, size_t len)
{
	const struct check_opt *o = arg;
	unsigned long long d, p, q;
	unsigned char buf[OPT_BUF];
	struct fixture fx;
	int fd, err;

	if (open_parent(&fx, o, obs, len) || opt_set_parent(&fx, o, &d, &p) ||
	    fx_add_client(&fx))
		goto out;
	fd = fx_peel_first(&fx, 0);
	if (fd < 0)
		goto out;
	if ((err = opt_read(fd, o, buf, &q))) {
		opt_failed(&fx, "get on peeled", err);
		goto out;
	}
	check_inherit_grade(d, p, q, obs, len);
out:
	fx_close(&fx);
}
