// SPDX-License-Identifier: GPL-2.0
/* Error printing and strict number parsing. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peelbench.h"

struct pb_globals pb;

static void vprint(const char *fmt, va_list ap)
{
	fputs("peelbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pb_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void pb_debug(const char *fmt, ...)
{
	va_list ap;

	if (!pb.verbose)
		return;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

static const struct { int err; const char *name; } errno_names[] = {
#define E(x) { x, #x }
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY),
	E(EEXIST), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE),
	E(EMFILE), E(ENOSPC), E(EPIPE), E(ERANGE), E(ENOSYS), E(ENOTSUP),
	E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE),
	E(ENOPROTOOPT), E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP),
	E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN),
	E(ENETUNREACH), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS),
	E(EISCONN), E(ENOTCONN), E(ESHUTDOWN), E(ETIMEDOUT), E(ECONNREFUSED),
	E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS), E(ENOTBLK), E(ENOKEY),
#undef E
};

const char *pb_errno_name(int err)
{
	static __thread char buf[16];
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

bool pb_parse_u64(const char *s, unsigned long long min,
		  unsigned long long max, unsigned long long *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	if (*end == 'k' || *end == 'K')
		mul = 1000ULL, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1000000ULL, end++;
	else if (*end == 'g' || *end == 'G')
		mul = 1000000000ULL, end++;
	if (*end)
		return false;
	if (v && mul > ~0ULL / v)
		return false;
	v *= mul;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool pb_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool pb_parse_duration_ns(const char *s, unsigned long long *ns)
{
	static const struct { const char *sfx; double mul; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "h", 3600e9 }, { "", 1e9 },
	};
	char *end;
	double v;
	size_t i;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return false;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].sfx))
			continue;
		if (v * units[i].mul > 1e18)
			return false;
		*ns = (unsigned long long)(v * units[i].mul);
		return true;
	}
	return false;
}

int pb_opt_error(const char *cmd, int opt, const char *arg)
{
	if (opt == ':')
		pb_err("%s: option '%s' needs a value", cmd, arg);
	else
		pb_err("%s: unknown option '%s'; see 'peelbench %s --help'", cmd, arg, cmd);
	return PB_EXIT_USAGE;
}

int pb_parse_name_mask(const char *list, const char *const *names, unsigned int n,
		       unsigned int *mask)
{
	char buf[256], *tok, *save = NULL;
	unsigned int m = 0, i;
	bool any = false;

	if (strlen(list) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n && (!names[i] || strcmp(tok, names[i])); i++)
			;
		if (i == n)
			return -1;
		m |= 1u << i;
		any = true;
	}
	if (!any)
		return -1;
	*mask = m;
	return 0;
}

const char *pb_fmt_ns(double ns, const char *const fmt[4], char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, fmt[0], ns);
	else if (ns < 1e6)
		snprintf(buf, len, fmt[1], ns / 1e3);
	else if (ns < 1e9 || !fmt[3])
		snprintf(buf, len, fmt[2], ns / 1e6);
	else
		snprintf(buf, len, fmt[3], ns / 1e9);
	return buf;
}
