// SPDX-License-Identifier: GPL-2.0
/* The strict JSON check json-c does not make; see json_strict.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"

#define MAX_NUMBER 256

/* Index just past the string that opens at buf[i] (a '"'). */
static size_t skip_string(const char *buf, size_t len, size_t i)
{
	for (i++; i < len && buf[i] != '"'; i++)
		if (buf[i] == '\\')
			i++;
	return i + 1;
}

/* The number at buf[*i]: an integer must fit an int64, anything else a
 * double.  Moves *i past it; returns the reason it is refused, or NULL. */
static const char *check_number(const char *buf, size_t len, size_t *i)
{
	char tok[MAX_NUMBER + 1];
	size_t n = 0;
	bool integer;

	while (*i + n < len && buf[*i + n] && strchr("+-.0123456789eE", buf[*i + n]))
		n++;
	if (n > MAX_NUMBER)
		return "number too long";
	memcpy(tok, buf + *i, n);
	tok[n] = '\0';
	*i += n;
	integer = !strpbrk(tok, ".eE");
	errno = 0;
	if (integer)
		(void)strtoll(tok, NULL, 10);
	if (integer && errno == ERANGE)
		return "integer out of the int64 range";
	if (!integer && isinf(strtod(tok, NULL)))
		return "number out of the double range";
	return NULL;
}

const char *pb_json_strict_check(const char *buf, size_t len, size_t *where)
{
	const char *why = NULL;
	size_t i = 0, at = 0, n;

	while (i < len && !why) {
		at = i;
		if (buf[i] == '"') {
			i = skip_string(buf, len, i);
		} else if (buf[i] == '\'') {
			why = "single-quoted string";
		} else if (buf[i] == '-' || isdigit((unsigned char)buf[i])) {
			why = check_number(buf, len, &i);
		} else if (isalpha((unsigned char)buf[i])) {
			for (n = 0; i + n < len && isalpha((unsigned char)buf[i + n]); n++)
				;
			if (!(n == 4 && (!memcmp(buf + i, "true", 4) || !memcmp(buf + i, "null", 4))) &&
			    !(n == 5 && !memcmp(buf + i, "false", 5)))
				why = "not a JSON value (NaN, Infinity, ...)";
			i += n;
		} else {
			i++;
		}
	}
	*where = at;
	return why;
}

int pb_json_strict_scan(const char *buf, size_t len, char *msg, size_t msg_len)
{
	size_t at;
	const char *why = pb_json_strict_check(buf, len, &at);

	if (!why)
		return 0;
	snprintf(msg, msg_len, "invalid JSON at byte %zu: %s", at, why);
	return -1;
}
