// SPDX-License-Identifier: GPL-2.0
/* `peelbench bisect`: the search (bisect.h).  Like `git bisect`, with a
 * measurement for a test: the bad end is confirmed first, then the range
 * is halved; a version whose metric is missing (a phase its probe plan
 * cannot see) or whose runs failed is skipped, and when skipped versions
 * are all that is left between the last good and the first bad version,
 * the answer names them. */
#include <stdio.h>
#include <string.h>

#include "bisect.h"
#include "peelbench.h"

const char *const bs_verdict_names[] = {
	[BS_GOOD] = "good", [BS_BAD] = "bad", [BS_MISSING] = "missing",
	[BS_FAILED] = "failed",
};

static int find_version(const struct bisect *b, const char *v, size_t *out)
{
	size_t i;

	for (i = 0; i < b->nversions; i++)
		if (!strcmp(b->versions[i], v)) {
			*out = i;
			return 0;
		}
	pb_err("bisect: unknown kernel version '%s' (scripts/vm-run --list names them)", v);
	return PB_EXIT_USAGE;
}

int bs_set_ends(struct bisect *b, const char *good, const char *bad)
{
	if (find_version(b, good, &b->good) || find_version(b, bad, &b->bad))
		return PB_EXIT_USAGE;
	if (b->good >= b->bad) {
		pb_err("bisect: --good %s is not older than --bad %s", good, bad);
		return PB_EXIT_USAGE;
	}
	return 0;
}

static bool is_skipped(const bool *skip, size_t i)
{
	return skip[i];
}

/* The untried version of (lo, hi) nearest the middle, or 0 when none. */
static size_t pick(size_t lo, size_t hi, const bool *skip)
{
	size_t mid = lo + (hi - lo) / 2, d;

	for (d = 0; d < hi - lo; d++) {
		if (mid + d < hi && mid + d > lo && !is_skipped(skip, mid + d))
			return mid + d;
		if (mid >= d && mid - d > lo && mid - d < hi && !is_skipped(skip, mid - d))
			return mid - d;
	}
	return 0;
}

static int step(struct bisect *b, size_t v, bs_measure_fn measure, void *ctx,
		void (*on_step)(const struct bisect *, const struct bs_step *, void *))
{
	struct bs_step *s = &b->steps[b->nsteps++];
	int ret;

	memset(s, 0, sizeof(*s));
	s->version = b->versions[v];
	s->m.name = "";
	ret = measure(ctx, b->versions[b->good], s->version, s);
	if (!ret && on_step)
		on_step(b, s, ctx);
	return ret;
}

int bs_search(struct bisect *b, bs_measure_fn measure, void *ctx,
	      void (*on_step)(const struct bisect *, const struct bs_step *, void *))
{
	bool skip[BS_MAX_VERSIONS] = { false };
	size_t lo = b->good, hi = b->bad, v, i;
	int ret;

	b->nsteps = 0;
	b->found = false;
	if ((ret = step(b, b->bad, measure, ctx, on_step)))
		return ret;
	if (b->steps[0].verdict != BS_BAD)
		return PB_EXIT_FOUND;
	b->bad_step = &b->steps[0];
	while (b->nsteps < BS_MAX_STEPS && (v = pick(lo, hi, skip))) {
		struct bs_step *s;

		if ((ret = step(b, v, measure, ctx, on_step)))
			return ret;
		s = &b->steps[b->nsteps - 1];
		if (s->verdict == BS_BAD) {
			hi = v;
			b->bad_step = s;
		} else if (s->verdict == BS_GOOD) {
			lo = v;
		} else {
			skip[v] = true;
		}
	}
	b->found = true;
	b->first_bad = hi;
	b->last_good = lo;
	b->nskipped = 0;
	for (i = lo + 1; i < hi; i++)
		if (skip[i])
			b->skipped[b->nskipped++] = i;
	return 0;
}

bool bs_is_check_metric(const char *metric)
{
	return !strncmp(metric, BS_CHECK_PREFIX, strlen(BS_CHECK_PREFIX));
}

/* Fails and present repeats of one side, its most frequent verdict into
 * top; returns how many repeats have the case. */
static unsigned tally(const char *const *v, size_t n, unsigned *fails, char *top, size_t size)
{
	unsigned present = 0, best = 0, c;
	size_t i, j;

	*fails = 0;
	top[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!v[i])
			continue;
		present++;
		*fails += !strcmp(v[i], "fail");
		for (j = 0, c = 0; j < n; j++)
			c += v[j] && !strcmp(v[j], v[i]);
		if (c > best) {
			best = c;
			snprintf(top, size, "%s", v[i]);
		}
	}
	return present;
}

void bs_judge_check(const char *const *good, size_t ng, const char *const *cand,
		    size_t nc, const char *good_version, struct bs_step *s)
{
	struct bs_check *c = &s->check;

	c->good_runs = tally(good, ng, &c->good_fails, c->good_verdict, sizeof(c->good_verdict));
	c->runs = tally(cand, nc, &c->fails, c->verdict, sizeof(c->verdict));
	s->why[0] = '\0';
	if (!ng || !nc) {
		s->verdict = BS_FAILED;
		snprintf(s->why, sizeof(s->why), "no check result of %s",
			 ng ? s->version : good_version);
	} else if (!c->good_runs || !c->runs) {
		s->verdict = BS_MISSING;
		snprintf(s->why, sizeof(s->why), "the case is missing in %s's check results",
			 c->good_runs ? s->version : good_version);
	} else if (2 * c->good_fails > c->good_runs) {
		s->verdict = BS_FAILED;
		snprintf(s->why, sizeof(s->why),
			 "the good end %s fails the case too (%u of %u runs)", good_version,
			 c->good_fails, c->good_runs);
	} else {
		s->verdict = 2 * c->fails > c->runs ? BS_BAD : BS_GOOD;
	}
}

size_t bs_parse_list(char *text, const char **out, size_t max)
{
	char *line, *save = NULL;
	size_t n = 0;

	for (line = strtok_r(text, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, " \t")] = '\0';
		if (*line)
			out[n++] = line;
	}
	return n;
}
