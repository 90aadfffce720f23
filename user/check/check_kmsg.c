// SPDX-License-Identifier: GPL-2.0
/* The kernel log around each `peelbench check` case: a WARNING, BUG or
 * refcount_t line logged while a case ran fails that case, whatever it
 * observed (a double free or a refcount underflow on close leaves the
 * socket calls themselves looking fine).  /dev/kmsg is read
 * non-blocking: one record per read(), EAGAIN when nothing is left. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static const char *const klog_marks[] = { "WARNING", "BUG", "refcount_t" };

static bool klog_marked(const char *text, size_t n)
{
	size_t i, m;

	for (m = 0; m < sizeof(klog_marks) / sizeof(klog_marks[0]); m++) {
		size_t l = strlen(klog_marks[m]);

		for (i = 0; i + l <= n; i++)
			if (!memcmp(text + i, klog_marks[m], l))
				return true;
	}
	return false;
}

/* The text of one line: after "PRI,SEQ,USEC,FLAGS;" for a /dev/kmsg
 * record, the line itself otherwise (a continuation " KEY=VALUE" line
 * carries only metadata and is skipped). */
static bool klog_text(const char *l, size_t n, const char **text, size_t *tn)
{
	const char *semi = memchr(l, ';', n);
	size_t i;

	if (n && l[0] == ' ')
		return false;
	*text = l;
	*tn = n;
	if (!semi)
		return true;
	for (i = 0; l + i < semi; i++)
		if (!strchr("0123456789,-+cC", l[i]))
			return true;	/* not a record header: plain text */
	*text = semi + 1;
	*tn = n - (size_t)(semi + 1 - l);
	return true;
}

int check_klog_scan(const char *buf, size_t n, char *line, size_t len)
{
	size_t off = 0;

	while (off < n) {
		const char *l = buf + off, *nl = memchr(l, '\n', n - off);
		size_t ln = nl ? (size_t)(nl - l) : n - off;
		const char *text;
		size_t tn;

		off += ln + 1;
		if (!klog_text(l, ln, &text, &tn) || !klog_marked(text, tn))
			continue;
		if (len) {
			if (tn >= len)
				tn = len - 1;
			memcpy(line, text, tn);
			line[tn] = '\0';
		}
		return 1;
	}
	return 0;
}

int check_klog_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	/* /dev/kmsg: SEEK_END skips what was logged before; on a regular
	 * file (a fake log in a test) only what is appended is read. */
	lseek(fd, 0, SEEK_END);
	return fd;
}

int check_klog_read(int fd, char *line, size_t len)
{
	char rec[8192];
	int found = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	for (;;) {
		n = read(fd, rec, sizeof(rec));
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (!found)
			found = check_klog_scan(rec, (size_t)n, line, len);
	}
	return found;
}
