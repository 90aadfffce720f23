// SPDX-License-Identifier: GPL-2.0
/* Error printing and strict number parsing. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peelbench.h"

struct pb_globals pb;

/* The first error of this process, for the JSON error object (where
 * json-c escapes it). */
static char first_err[2048];

static char escape_letter(unsigned char c)
{
	switch (c) {
	case '\n': return 'n';
	case '\r': return 'r';
	case '\t': return 't';
	default:    return 0;
	}
}

size_t pb_escape(const char *s, char *out, size_t size)
{
	size_t n = 0;

	if (!size)
		return 0;
	for (; *s && n + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != 0x7f)
			out[n++] = (char)c;
		else if (escape_letter(c))
			n += (size_t)snprintf(out + n, size - n, "\\%c", escape_letter(c));
		else
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
	}
	out[n] = '\0';
	return n;
}

/* One line whatever the arguments hold: a file name, an argument or a
 * JSON string with a newline or another control character is escaped
 * ("\n", "\x01"), so that every error stays one line. */
static void vprint(const char *fmt, va_list ap, bool record)
{
	char raw[sizeof(first_err)], line[sizeof(raw) * 4];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	pb_escape(raw, line, sizeof(line));
	if (record && !first_err[0])
		memcpy(first_err, raw, sizeof(raw));
	fprintf(stderr, "peelbench: %s\n", line);
}

void pb_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap, true);
	va_end(ap);
}

void pb_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap, false);
	va_end(ap);
}

const char *pb_first_error(void)
{
	return first_err[0] ? first_err : NULL;
}

void pb_debug(const char *fmt, ...)
{
	va_list ap;

	if (!pb.verbose)
		return;
	va_start(ap, fmt);
	vprint(fmt, ap, false);
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

unsigned long long pb_guest_mem_mib(unsigned long long assocs)
{
	unsigned long long mem = 2048 + assocs / 10;

	return mem < PB_VM_MEM_MAX ? mem : PB_VM_MEM_MAX;
}

bool pb_parse_count_opt(const char *cmd, const char *opt, const char *val,
			unsigned long long min, unsigned long long max,
			unsigned long long *out)
{
	if (pb_parse_u64(val, min, max, out))
		return true;
	pb_err("%s%s%s: '%s' is not a whole number from %llu to %llu", cmd,
	       *cmd ? ": " : "", opt, val, min, max);
	return false;
}

static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
#define N_STOP_SIGS (sizeof(stop_sigs) / sizeof(stop_sigs[0]))
static struct sigaction stop_old[N_STOP_SIGS];
static volatile sig_atomic_t stop_signal;
static void (*volatile stop_hook)(int sig);

static void on_stop_signal(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
	if (stop_hook)
		stop_hook(sig);
}

void pb_catch_stop_signals(void (*on_stop)(int sig))
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	size_t i;

	stop_hook = on_stop;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < N_STOP_SIGS; i++)
		sigaction(stop_sigs[i], &sa, &stop_old[i]);
	signal(SIGPIPE, SIG_IGN);
}

void pb_release_stop_signals(void)
{
	size_t i;

	for (i = 0; i < N_STOP_SIGS; i++)
		sigaction(stop_sigs[i], &stop_old[i], NULL);
}

int pb_exit_stopped(int ret)
{
	if (ret == PB_EXIT_INTR && stop_signal)
		return 128 + stop_signal;
	return ret;
}
