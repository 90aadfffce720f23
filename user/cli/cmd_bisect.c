// SPDX-License-Identifier: GPL-2.0
/* `peelbench bisect METRIC --good V1 --bad V2 [matrix run options]`: the
 * first kernel release, among those scripts/vm-run knows, where METRIC
 * steps (user/matrix/bisect.h).  Prints each step, then the answer;
 * writes a JSON report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bisect_run.h"
#include "check.h"
#include "commands.h"
#include "jsonfile.h"
#include "matrix_run.h"
#include "peelbench.h"

struct bisect_opts {
	const char *metric, *good, *bad, *report, *db;
	unsigned repeat;		/* check.CASE */
	bool no_history;
	double threshold, alpha;
	const char **args;		/* for each step's matrix */
	size_t nargs;
};

static void usage(FILE *f)
{
	fputs("usage: peelbench bisect METRIC --good V1 --bad V2 [--threshold PCT] [--alpha A]\n"
	      "                        [-o REPORT.json] [--repeat N] [--sweep K=V,...]... [RUN OPTIONS...]\n\n"
	      "Finds the first kernel version, among those `scripts/vm-run --list` shows\n"
	      "between V1 and V2, where METRIC (peel_per_s, phase.do_peeloff.p50_ns, ...)\n"
	      "steps.  Each step is a two-kernel `peelbench matrix` (interleaved rounds,\n"
	      "every run in the history) of a version against V1; it is bad when\n"
	      "compare's verdict on METRIC over the repeats is a regression.  Runs go to\n"
	      "results/bisect-TIME/, the report to its bisect.json (or -o).\n\n"
	      "METRIC check.CASE is the verdict of `peelbench check`'s case CASE: each\n"
	      "step runs check --repeat N times (default 3) a side, interleaved; a side\n"
	      "fails the case when more than half of its runs do, and the step is bad\n"
	      "when the version fails it and the good end does not.  Options then:\n"
	      "--repeat, --vm-mem, --vm-timeout, --db, --no-history.\n\n"
	      "  --good V1, --bad V2  the ends: V1 older than V2\n"
	      "  --threshold PCT      smallest change that counts (default 5)\n"
	      "  --alpha A            significance level (default 0.05)\n"
	      "  -o FILE              the JSON report\n"
	      "  other options        matrix's: --repeat N (default 5, at least 4), --sweep,\n"
	      "                       run options\n\n"
	      "exit: 0 found, 1 no step between the ends, 2 bad input\n", f);
}

static const char *value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		pb_err("bisect: option %s needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static int check_repeat(struct bisect_opts *o, const char *repeat);
static int check_case_opts(struct bisect_opts *o, const char *repeat);

static int parse(int argc, char **argv, struct bisect_opts *o)
{
	const char *v, *repeat = NULL;
	int i;

	*o = (struct bisect_opts){ .threshold = 5, .alpha = 0.05 };
	o->args = calloc(argc + 2, sizeof(*o->args));
	if (!o->args)
		return PB_EXIT_RUNTIME;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return -1;
		}
		if (!strcmp(a, "--good") || !strcmp(a, "--bad") || !strcmp(a, "-o") ||
		    !strcmp(a, "--threshold") || !strcmp(a, "--alpha")) {
			if (!(v = value(argc, argv, &i)))
				return PB_EXIT_USAGE;
			if (a[2] == 'g')
				o->good = v;
			else if (a[2] == 'b')
				o->bad = v;
			else if (a[1] == 'o')
				o->report = v;
			else if (!pb_parse_double(v, a[2] == 't' ? 0 : 1e-300, a[2] == 't' ? 1e6 : 1,
						  a[2] == 't' ? &o->threshold : &o->alpha)) {
				pb_err("bisect: bad %s '%s'", a, v);
				return PB_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--kernels") || !strcmp(a, "--no-plot")) {
			pb_err("bisect: %s is the bisect's to set", a);
			return PB_EXIT_USAGE;
		} else if (i == 1 && a[0] != '-') {
			o->metric = a;
		} else {
			if ((!strcmp(a, "--repeat") && i + 1 < argc) || !strncmp(a, "--repeat=", 9))
				repeat = a[8] ? a + 9 : argv[i + 1];
			o->args[o->nargs++] = a;
		}
	}
	if (!o->metric || !o->good || !o->bad) {
		pb_err("bisect: need METRIC, --good V1 and --bad V2; see 'peelbench bisect --help'");
		return PB_EXIT_USAGE;
	}
	if (bs_is_check_metric(o->metric))
		return check_case_opts(o, repeat);
	return check_repeat(o, repeat);
}

static bool known_case(const char *name)
{
	size_t i;

	for (i = 0; i < check_ncases; i++)
		if (!strcmp(check_cases[i].name, name))
			return true;
	return false;
}

/* check.CASE: a case `check` has; of the matrix options only --repeat
 * (at least 1, default 3), the guest's and the history's. */
static int check_case_opts(struct bisect_opts *o, const char *repeat)
{
	const char *name = o->metric + strlen(BS_CHECK_PREFIX);
	unsigned long long n = 3;
	size_t i, keep = 0;

	if (!known_case(name)) {
		pb_err("bisect: unknown check case '%s' (docs/check.md lists them)", name);
		return PB_EXIT_USAGE;
	}
	if (repeat && (!pb_parse_u64(repeat, 1, BS_MAX_REPEAT, &n))) {
		pb_err("bisect: bad --repeat '%s': want 1 to %d", repeat, BS_MAX_REPEAT);
		return PB_EXIT_USAGE;
	}
	o->repeat = (unsigned)n;
	for (i = 0; i < o->nargs; i++) {
		const char *a = o->args[i];
		bool has_value = i + 1 < o->nargs;

		if (!strcmp(a, "--repeat") && has_value) {
			i++;
		} else if (!strncmp(a, "--repeat=", 9)) {
			continue;
		} else if (!strcmp(a, "--no-history")) {
			o->no_history = true;
		} else if (!strcmp(a, "--db") && has_value) {
			o->db = o->args[++i];
		} else if ((!strcmp(a, "--vm-mem") || !strcmp(a, "--vm-timeout")) && has_value) {
			o->args[keep++] = a;
			o->args[keep++] = o->args[++i];
		} else {
			pb_err("bisect: %s: %s is not an option of a check bisect (--repeat, --vm-mem, --vm-timeout, --db, --no-history)",
			       o->metric, a);
			return PB_EXIT_USAGE;
		}
	}
	o->nargs = keep;
	return 0;
}

/* Mann-Whitney over 3 repeats a side cannot reach p < 0.05 (its smallest
 * two-sided p is 0.1): at least 4, 5 unless told. */
static int check_repeat(struct bisect_opts *o, const char *repeat)
{
	unsigned long long n;

	if (!repeat) {
		o->args[o->nargs++] = "--repeat";
		o->args[o->nargs++] = "5";
	} else if (pb_parse_u64(repeat, 0, 1000, &n) && n < 4) {
		pb_err("bisect: --repeat %llu: compare's test needs at least 4 repeats a side", n);
		return PB_EXIT_USAGE;
	}
	return 0;
}

/* The runner's versions, oldest first; their strings live in *buf. */
static size_t known_versions(const char **out, size_t max, char **buf)
{
	const char *hook = getenv("PEELBENCH_MATRIX_VMRUN");	/* tests' fake runner */
	char cmd[PATH_MAX + 32];
	size_t len = 0, n;
	FILE *p;

	if (hook)
		mx_strf(cmd, sizeof(cmd), "'%s' --list", hook);
	else
		mx_strf(cmd, sizeof(cmd), "'%s/scripts/vm-run' --list", pb.root);
	p = popen(cmd, "r");
	*buf = NULL;
	if (!p)
		return 0;
	n = getdelim(buf, &len, '\0', p) > 0 ? 1 : 0;
	pclose(p);
	return n ? bs_parse_list(*buf, out, max) : 0;
}

static void print_step(const struct bisect *b, const struct bs_step *s, void *ctx)
{
	const struct bs_runner *br = ctx;

	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	printf("step %zu: %s against %s: %s", b->nsteps, s->version, b->versions[b->good],
	       bs_verdict_names[s->verdict]);
	if (bs_is_check_metric(br->metric) && (s->verdict == BS_GOOD || s->verdict == BS_BAD))
		printf(" (%s: %s fails %u of %u runs (mostly %s), %s %u of %u (mostly %s))",
		       br->metric, s->version, s->check.fails, s->check.runs, s->check.verdict,
		       b->versions[b->good], s->check.good_fails, s->check.good_runs,
		       s->check.good_verdict);
	else if (s->verdict == BS_GOOD || s->verdict == BS_BAD)
		printf(" (%s %s: ratio %.3f, 95%% CI [%.3f, %.3f], p %.3g, n %zu+%zu)",
		       br->metric, s->cell, 1 + s->m.change / 100, 1 + s->m.ci.lo / 100,
		       1 + s->m.ci.hi / 100, s->m.mwu.p, s->m.nb, s->m.nn);
	else
		printf(" (%s)", s->why);
	printf("\n");
	fflush(stdout);
}

static void bs_print_answer(const struct bisect *b, const struct bs_runner *br, FILE *f)
{
	const struct bs_step *s = b->bad_step, *e = &b->steps[0];
	size_t i;

	if (!b->found) {
		if (e->verdict == BS_GOOD && bs_is_check_metric(br->metric))
			fprintf(f, "no step: %s does not fail %s\n", e->version, br->metric);
		else if (e->verdict == BS_GOOD)
			fprintf(f, "no step: %s is not worse than %s in %s\n",
				e->version, b->versions[b->good], br->metric);
		else
			fprintf(f, "no answer: %s at the bad end %s: %s\n",
				bs_verdict_names[e->verdict], e->version, e->why);
		return;
	}
	if (bs_is_check_metric(br->metric))
		fprintf(f, "first bad version: %s (last good: %s): %s fails in %u of %u runs (%s fails it in %u of %u)\n",
			b->versions[b->first_bad], b->versions[b->last_good], br->metric,
			s->check.fails, s->check.runs, b->versions[b->good], s->check.good_fails,
			s->check.good_runs);
	else
		fprintf(f, "first bad version: %s (last good: %s): %s %s, ratio %.3f to %s, 95%% CI [%.3f, %.3f]\n",
			b->versions[b->first_bad], b->versions[b->last_good], br->metric, s->cell,
			1 + s->m.change / 100, b->versions[b->good], 1 + s->m.ci.lo / 100,
			1 + s->m.ci.hi / 100);
	if (b->nskipped) {
		fprintf(f, "  or one of the versions that could not be judged:");
		for (i = 0; i < b->nskipped; i++)
			fprintf(f, " %s", b->versions[b->skipped[i]]);
		fprintf(f, "\n");
	}
}

/* A check step: each side's runs, fails and most frequent verdict. */
static void check_step_json(struct json_object *o, const struct bs_check *c)
{
	json_object_object_add(o, "good_runs", json_object_new_int((int)c->good_runs));
	json_object_object_add(o, "good_fails", json_object_new_int((int)c->good_fails));
	json_object_object_add(o, "good_case_verdict", json_object_new_string(c->good_verdict));
	json_object_object_add(o, "runs", json_object_new_int((int)c->runs));
	json_object_object_add(o, "fails", json_object_new_int((int)c->fails));
	json_object_object_add(o, "case_verdict", json_object_new_string(c->verdict));
}

static struct json_object *step_json(const struct bs_step *s, bool check)
{
	struct json_object *o = json_object_new_object(), *ci;

	json_object_object_add(o, "version", json_object_new_string(s->version));
	json_object_object_add(o, "verdict", json_object_new_string(bs_verdict_names[s->verdict]));
	json_object_object_add(o, "dir", json_object_new_string(s->dir));
	if (s->verdict == BS_MISSING || s->verdict == BS_FAILED) {
		json_object_object_add(o, "why", json_object_new_string(s->why));
		return o;
	}
	if (check) {
		check_step_json(o, &s->check);
		return o;
	}
	ci = json_object_new_array();
	json_object_array_add(ci, json_object_new_double(1 + s->m.ci.lo / 100));
	json_object_array_add(ci, json_object_new_double(1 + s->m.ci.hi / 100));
	json_object_object_add(o, "cell", json_object_new_string(s->cell));
	json_object_object_add(o, "good_median", json_object_new_double(s->m.base));
	json_object_object_add(o, "median", json_object_new_double(s->m.new));
	json_object_object_add(o, "ratio", json_object_new_double(1 + s->m.change / 100));
	json_object_object_add(o, "ratio_ci95", ci);
	json_object_object_add(o, "p", json_object_new_double(s->m.mwu.p));
	json_object_object_add(o, "n_good", json_object_new_int((int)s->m.nb));
	json_object_object_add(o, "n", json_object_new_int((int)s->m.nn));
	return o;
}

static int bs_write_report(const struct bisect *b, const struct bs_runner *br,
			   const char *path)
{
	struct json_object *o = json_object_new_object(), *steps = json_object_new_array();
	size_t i;
	int ret;

	json_object_object_add(o, "metric", json_object_new_string(br->metric));
	json_object_object_add(o, "good", json_object_new_string(b->versions[b->good]));
	json_object_object_add(o, "bad", json_object_new_string(b->versions[b->bad]));
	json_object_object_add(o, "threshold_pct", json_object_new_double(br->threshold));
	json_object_object_add(o, "alpha", json_object_new_double(br->alpha));
	json_object_object_add(o, "runs", json_object_new_string(br->dir));
	for (i = 0; i < b->nsteps; i++)
		json_object_array_add(steps, step_json(&b->steps[i], bs_is_check_metric(br->metric)));
	json_object_object_add(o, "steps", steps);
	json_object_object_add(o, "found", json_object_new_boolean(b->found));
	if (b->found) {
		struct json_object *sk = json_object_new_array();

		json_object_object_add(o, "first_bad", json_object_new_string(b->versions[b->first_bad]));
		json_object_object_add(o, "last_good", json_object_new_string(b->versions[b->last_good]));
		for (i = 0; i < b->nskipped; i++)
			json_object_array_add(sk, json_object_new_string(b->versions[b->skipped[i]]));
		json_object_object_add(o, "skipped", sk);
	}
	ret = pb_write_json_atomic(path, o);
	json_object_put(o);
	return ret;
}

static int measure(void *ctx, const char *good, const char *cand, struct bs_step *s)
{
	if (isatty(STDERR_FILENO)) {
		fprintf(stderr, "\r\033[Kbisect: measuring %s against %s ...", cand, good);
		fflush(stderr);
	}
	if (bs_is_check_metric(((struct bs_runner *)ctx)->metric))
		return bs_check_measure(ctx, good, cand, s);
	return bs_matrix_measure(ctx, good, cand, s);
}

int cmd_bisect(int argc, char **argv)
{
	struct bisect_opts o;
	struct bisect b = { 0 };
	struct bs_runner br = { 0 };
	const char *versions[BS_MAX_VERSIONS];
	char dir[64], report[PATH_MAX], *buf = NULL;
	time_t t = time(NULL);
	struct tm tm;
	int ret = parse(argc, argv, &o);

	if (ret)
		goto out;
	b.versions = versions;
	b.nversions = known_versions(versions, BS_MAX_VERSIONS, &buf);
	if (!b.nversions) {
		pb_err("bisect: scripts/vm-run --list gave no kernel versions");
		ret = PB_EXIT_RUNTIME;
		goto out;
	}
	if ((ret = bs_set_ends(&b, o.good, o.bad)))
		goto out;
	strftime(dir, sizeof(dir), "results/bisect-%Y%m%d-%H%M%S", localtime_r(&t, &tm));
	if (mx_mkdir_p(dir)) {
		pb_err("bisect: cannot create %s", dir);
		ret = PB_EXIT_RUNTIME;
		goto out;
	}
	br = (struct bs_runner){ .metric = o.metric, .threshold = o.threshold,
				 .alpha = o.alpha, .dir = dir, .args = o.args, .nargs = o.nargs,
				 .repeat = o.repeat, .db = o.db, .no_history = o.no_history };
	ret = bs_search(&b, measure, &br, print_step);
	if (ret != PB_EXIT_INTR)
		bs_print_answer(&b, &br, stdout);
	mx_strf(report, sizeof(report), "%s/bisect.json", dir);
	if (bs_write_report(&b, &br, o.report ? o.report : report) && !ret)
		ret = PB_EXIT_RUNTIME;
out:
	free(o.args);
	free(buf);
	return ret < 0 ? PB_EXIT_OK : ret;
}
