/* SPDX-License-Identifier: GPL-2.0 */
/* The raw samples of a result, read without json-c.  A result with a
 * million samples a key is 12 million JSON numbers; as json-c objects
 * they cost seconds and a gigabyte.  pb_samples_extract() reads the
 * top-level "samples" object's arrays straight into doubles and hands
 * back the text with those arrays emptied, for json-c to read the rest.
 *
 * It is all or nothing and only ever takes what the strict path accepts
 * with the same values: plain JSON numbers (integers of at most 18
 * digits, read as json-c reads them, as an int64; other numbers through
 * strtod, as json-c does), a key without escapes, no key twice, one
 * "samples" at the top.  Anything else (a bad number, a string, a
 * nested array, a second "samples") leaves the text as it was, so the
 * strict path reads it and refuses it with the message it always gave. */
#ifndef PEELBENCH_SAMPLES_FAST_H
#define PEELBENCH_SAMPLES_FAST_H

#include <stdbool.h>
#include <stddef.h>

struct pb_sample_key {
	char *key;
	double *v;		/* as in the file */
	size_t n;
	double *sorted;		/* pb_samples_sorted's copy, or NULL */
};

struct pb_sample_set {
	struct pb_sample_key *keys;
	size_t nkeys;
	/* where text was cut: at (an offset in the cut text) lost len bytes */
	struct pb_sample_cut {
		size_t at, len;
	} *cuts;
	size_t ncuts;
};

/* buf[0..len) is a candidate result.  Returns a set, with *text (malloc'd,
 * NUL-terminated) and *text_len the text without the arrays' contents;
 * NULL when the fast path does not apply (or without memory), and then
 * the caller reads buf as before. */
struct pb_sample_set *pb_samples_extract(const char *buf, size_t len, char **text,
					 size_t *text_len);
/* An offset in the cut text as an offset in the original. */
size_t pb_samples_orig_offset(const struct pb_sample_set *s, size_t off);
/* The key's samples, or NULL. */
struct pb_sample_key *pb_samples_find(const struct pb_sample_set *s, const char *key);
void pb_samples_free(struct pb_sample_set *s);

#endif
