/* SPDX-License-Identifier: GPL-2.0 */
/* What json-c accepts even with JSON_TOKENER_STRICT, and a result file
 * must not hold. */
#ifndef PEELBENCH_JSON_STRICT_H
#define PEELBENCH_JSON_STRICT_H

#include <stddef.h>

/* Scan JSON text that json-c has parsed (strictly) for single-quoted
 * strings, NaN and Infinity, integers beyond an int64 and numbers beyond
 * a double, which json-c would clamp without a word.  Returns 0, or -1
 * with the reason in msg (msg_len bytes). */
int pb_json_strict_scan(const char *buf, size_t len, char *msg, size_t msg_len);
/* The same: the reason (NULL when none) and its byte offset in *where. */
const char *pb_json_strict_check(const char *buf, size_t len, size_t *where);

#endif
