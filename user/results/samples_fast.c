// SPDX-License-Identifier: GPL-2.0
/* The raw samples of a result, read without json-c; see samples_fast.h. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "samples_fast.h"

#define MAX_TOKEN 64

struct scan {
	const char *b;
	size_t len, i;
};

static void skip_ws(struct scan *s)
{
	while (s->i < s->len && (s->b[s->i] == ' ' || s->b[s->i] == '\t' ||
				 s->b[s->i] == '\n' || s->b[s->i] == '\r'))
		s->i++;
}

static bool at(const struct scan *s, char c)
{
	return s->i < s->len && s->b[s->i] == c;
}

static bool digit(const struct scan *s)
{
	return s->i < s->len && s->b[s->i] >= '0' && s->b[s->i] <= '9';
}

/* Past the string that opens at s->i, as JSON reads it; false if it
 * does not end.  *plain: it has no escape and no control character. */
static bool skip_string(struct scan *s, bool *plain)
{
	*plain = true;
	for (s->i++; s->i < s->len && s->b[s->i] != '"'; s->i++) {
		if ((unsigned char)s->b[s->i] < 0x20)
			*plain = false;
		if (s->b[s->i] == '\\') {
			*plain = false;
			s->i++;
		}
	}
	if (s->i >= s->len)
		return false;
	s->i++;
	return true;
}

static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* One JSON number at s->i, by the grammar exactly, with json-c's value:
 * an integer as an int64, anything else as strtod reads it (directly
 * when mantissa and power of ten are both exact doubles: one correctly
 * rounded operation, strtod's answer).  false for anything else. */
static bool read_number(struct scan *s, double *out)
{
	size_t start = s->i, digits = 0;
	uint64_t m = 0;
	int exp10 = 0, e = 0, esign = 1;
	bool neg = at(s, '-'), integer = true;
	char tok[MAX_TOKEN + 1];

	if (neg)
		s->i++;
	if (at(s, '0')) {
		s->i++;
	} else if (digit(s)) {
		for (; digit(s); s->i++, digits++)
			m = digits < 19 ? m * 10 + (s->b[s->i] - '0') : m;
	} else {
		return false;
	}
	if (at(s, '.')) {
		integer = false;
		s->i++;
		if (!digit(s))
			return false;
		for (; digit(s); s->i++) {
			if (digits < 19) {
				m = m * 10 + (s->b[s->i] - '0');
				exp10--;
			}
			if (m)
				digits++;
		}
	}
	if (at(s, 'e') || at(s, 'E')) {
		integer = false;
		s->i++;
		if (at(s, '+') || at(s, '-'))
			esign = s->b[s->i++] == '-' ? -1 : 1;
		if (!digit(s))
			return false;
		for (; digit(s); s->i++)
			e = e < 10000 ? e * 10 + (s->b[s->i] - '0') : e;
	}
	if (s->i - start > MAX_TOKEN)
		return false;
	if (integer) {
		if (digits > 18)
			return false;
		*out = (double)(neg ? -(int64_t)m : (int64_t)m);
		return true;
	}
	exp10 += esign * e;
	if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
		*out = exp10 < 0 ? (double)m / pow10_exact[-exp10] :
				   (double)m * pow10_exact[exp10];
		*out = neg ? -*out : *out;
		return true;
	}
	memcpy(tok, s->b + start, s->i - start);
	tok[s->i - start] = '\0';
	*out = strtod(tok, NULL);
	return isfinite(*out);
}

static bool add_cut(struct pb_sample_set *set, size_t from, size_t to)
{
	struct pb_sample_cut *c;

	c = realloc(set->cuts, (set->ncuts + 1) * sizeof(*c));
	if (!c)
		return false;
	set->cuts = c;
	c[set->ncuts++] = (struct pb_sample_cut){ from, to - from };
	return true;
}

/* The array at s->i ('['), of numbers only, into k. */
static bool read_array(struct scan *s, struct pb_sample_key *k)
{
	size_t cap = 0;
	double v, *grown;

	s->i++;
	skip_ws(s);
	if (at(s, ']'))
		return true;
	for (;;) {
		if (!read_number(s, &v))
			return false;
		if (k->n == cap) {
			cap = cap ? 2 * cap : 1024;
			grown = realloc(k->v, cap * sizeof(*grown));
			if (!grown)
				return false;
			k->v = grown;
		}
		k->v[k->n++] = v;
		skip_ws(s);
		if (at(s, ']'))
			return true;
		if (!at(s, ','))
			return false;
		s->i++;
		skip_ws(s);
	}
}

/* The samples object at s->i ('{'): every value an array of numbers. */
static bool read_samples(struct scan *s, struct pb_sample_set *set)
{
	struct pb_sample_key *k;
	size_t key_at, open;
	bool plain;

	s->i++;
	skip_ws(s);
	if (at(s, '}')) {
		s->i++;
		return true;
	}
	for (;;) {
		if (!at(s, '"'))
			return false;
		key_at = s->i + 1;
		if (!skip_string(s, &plain) || !plain)
			return false;
		k = realloc(set->keys, (set->nkeys + 1) * sizeof(*k));
		if (!k)
			return false;
		set->keys = k;
		k += set->nkeys++;
		*k = (struct pb_sample_key){ strndup(s->b + key_at, s->i - 1 - key_at) };
		if (!k->key || pb_samples_find(set, k->key) != k)
			return false;	/* no memory, or a key twice */
		skip_ws(s);
		if (!at(s, ':'))
			return false;
		s->i++;
		skip_ws(s);
		if (!at(s, '['))
			return false;
		open = s->i;
		if (!read_array(s, k) || !add_cut(set, open + 1, s->i))
			return false;
		s->i++;
		skip_ws(s);
		if (at(s, '}')) {
			s->i++;
			return true;
		}
		if (!at(s, ','))
			return false;
		s->i++;
		skip_ws(s);
	}
}

/* The root object's one "samples" value, read into set. */
static bool find_samples(struct scan *s, struct pb_sample_set *set)
{
	size_t key_at, depth = 0;
	bool found = false, plain;

	skip_ws(s);
	if (!at(s, '{'))
		return false;
	while (s->i < s->len) {
		char c = s->b[s->i];

		if (c == '"') {
			key_at = s->i + 1;
			if (!skip_string(s, &plain))
				return false;
			if (depth != 1 || s->i - 1 - key_at != 7 ||
			    memcmp(s->b + key_at, "samples", 7))
				continue;
			skip_ws(s);
			if (!at(s, ':'))
				continue;	/* a value, not a key */
			s->i++;
			skip_ws(s);
			if (found || !at(s, '{') || !read_samples(s, set))
				return false;
			found = true;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			break;
		s->i++;
	}
	return found;
}

struct pb_sample_set *pb_samples_extract(const char *buf, size_t len, char **text,
					 size_t *text_len)
{
	struct pb_sample_set *set = calloc(1, sizeof(*set));
	struct scan s = { buf, len, 0 };
	size_t i, from = 0, to = 0;
	char *t;

	*text = NULL;
	if (!set || !find_samples(&s, set))
		goto fail;
	for (i = 0; i < set->ncuts; i++)
		to += set->cuts[i].len;
	t = malloc(len - to + 1);
	if (!t)
		goto fail;
	/* copy around the cuts; each cut's offset becomes the cut text's */
	to = 0;
	for (i = 0; i < set->ncuts; i++) {
		struct pb_sample_cut *c = &set->cuts[i];

		memcpy(t + to, buf + from, c->at - from);
		to += c->at - from;
		from = c->at + c->len;
		c->at = to;
	}
	memcpy(t + to, buf + from, len - from);
	to += len - from;
	t[to] = '\0';
	*text = t;
	*text_len = to;
	return set;
fail:
	pb_samples_free(set);
	return NULL;
}

size_t pb_samples_orig_offset(const struct pb_sample_set *s, size_t off)
{
	size_t i, add = 0;

	for (i = 0; i < s->ncuts && s->cuts[i].at <= off; i++)
		add += s->cuts[i].len;
	return off + add;
}

struct pb_sample_key *pb_samples_find(const struct pb_sample_set *s, const char *key)
{
	for (size_t i = 0; s && i < s->nkeys; i++)
		if (s->keys[i].key && !strcmp(s->keys[i].key, key))
			return &s->keys[i];
	return NULL;
}

void pb_samples_free(struct pb_sample_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nkeys; i++) {
		free(s->keys[i].key);
		free(s->keys[i].v);
		free(s->keys[i].sorted);
	}
	free(s->keys);
	free(s->cuts);
	free(s);
}
