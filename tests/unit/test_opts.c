// SPDX-License-Identifier: GPL-2.0
/* user/common/opts.c: one table gives the parse, the help's option lines
 * and the one-line errors, as a user meets them on the command line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "opts.h"
#include "peelbench.h"

struct t_cfg {
	unsigned int n;
	double r;
	bool json;
	int verbose;
	const char *out;
	struct pb_opt_list metric;
	unsigned long long ns;
	int even;
};

static bool parse_even(const char *val, void *field)
{
	unsigned long long v;

	if (!pb_parse_u64(val, 0, 100, &v) || v % 2)
		return false;
	*(int *)field = (int)v;
	return true;
}

#define O(f) PB_OPT_OFF(struct t_cfg, f)
static const struct pb_opt t_opts[] = {
	PB_OPT(PB_OPT_UINT, 'n', "count", O(n), "N", "how many (default 3)",
	       .min = 1, .max = 10, .what = "count"),
	PB_OPT(PB_OPT_DOUBLE, 0, "ratio", O(r), "R", "a ratio\n(second line)",
	       .min = 0, .max = 1),
	PB_OPT(PB_OPT_FLAG, 'j', "json", O(json), NULL, "JSON"),
	PB_OPT(PB_OPT_COUNT, 'v', "verbose", O(verbose), NULL, "more"),
	PB_OPT(PB_OPT_STRING, 'o', "output", O(out), "FILE", "where"),
	PB_OPT(PB_OPT_LIST, 'm', "metric", O(metric), "M", "repeatable"),
	PB_OPT(PB_OPT_DURATION, 0, "limit", O(ns), "DURATION", "a time",
	       .min = 1000000, .max = 60000000000.0),
	PB_OPT(PB_OPT_CUSTOM, 0, "even-number-option", O(even), "E", "long name",
	       .what = "even number", .range = "0, 2, .. 100", .parse = parse_even),
	PB_OPT_TEXT_LINE(""),
	PB_OPT_TEXT_LINE("a free line"),
	PB_OPT_TABLE_END,
};

static const struct pb_cmd_spec t_spec = {
	.name = "tcmd",
	.head = "usage: peelbench tcmd [OPTIONS] A [B]\n\n",
	.tail = "\nexit: 0 fine\n",
	.opts = t_opts,
	.help_col = 20,
	.min_args = 1,
	.max_args = 2,
};

/* pb_opts_parse(spec, argc, argv, cfg); stderr's text in err. */
static int parse_capture(const struct pb_cmd_spec *spec, int argc, char **argv,
			 void *cfg, int *first, char *err, size_t errlen)
{
	struct capture cap;
	int ret;

	capture_begin(&cap);
	ret = pb_opts_parse(spec, argc, argv, cfg, first);
	capture_end_err(&cap, err, errlen);
	return ret;
}

/* argv: name, then the NULL-terminated list in ap; returns argc. */
static int collect_args(char **argv, const char *name, va_list ap)
{
	int argc = 0;

	argv[argc++] = (char *)name;
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	return argc;
}

/* Run pb_opts_parse on a NULL-terminated argument list; stderr's text in err. */
static int run(struct t_cfg *c, int *first, char *err, size_t errlen, ...)
{
	char *argv[32];
	int argc;
	va_list ap;

	va_start(ap, errlen);
	argc = collect_args(argv, "tcmd", ap);
	va_end(ap);
	memset(c, 0, sizeof(*c));
	return parse_capture(&t_spec, argc, argv, c, first, err, errlen);
}

static void test_values_land_in_their_fields(void **state)
{
	struct t_cfg c;
	char err[512];
	int first;

	assert_int_equal(run(&c, &first, err, sizeof(err), "-n", "7", "--ratio=0.5", "-jvv",
			     "-o", "x.json", "-m", "a", "--metric", "b", "--limit", "2s",
			     "--even-number-option", "42", "A", "B", NULL), 0);
	assert_int_equal(c.n, 7);
	assert_true(c.r == 0.5);
	assert_true(c.json);
	assert_int_equal(c.verbose, 2);
	assert_string_equal(c.out, "x.json");
	assert_int_equal(c.metric.n, 2);
	assert_string_equal(c.metric.v[1], "b");
	assert_int_equal(c.ns, 2000000000ULL);
	assert_int_equal(c.even, 42);
	assert_int_equal(first, 15);
	assert_string_equal(err, "");
}

static void test_bad_values_give_one_line(void **state)
{
	struct t_cfg c;
	char err[512];
	int first;

	assert_int_equal(run(&c, &first, err, sizeof(err), "-n", "11", "A", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: tcmd: bad count '11' (1 .. 10)\n");
	assert_int_equal(run(&c, &first, err, sizeof(err), "--ratio", "2", "A", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: tcmd: bad --ratio '2' (0 .. 1)\n");
	assert_int_equal(run(&c, &first, err, sizeof(err), "--even-number-option", "3", "A", NULL),
			 PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: tcmd: bad even number '3' (0, 2, .. 100)\n");
	assert_int_equal(run(&c, &first, err, sizeof(err), "--limit", "1h", "A", NULL), PB_EXIT_USAGE);
	assert_int_equal(run(&c, &first, err, sizeof(err), "--frob", "A", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: tcmd: unknown option '--frob'; see 'peelbench tcmd --help'\n");
	assert_int_equal(run(&c, &first, err, sizeof(err), "A", "-o", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: tcmd: option '-o' needs a value\n");
	assert_int_equal(run(&c, &first, err, sizeof(err), "A", "B", "C", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: tcmd: unexpected argument 'C'\n");
	assert_int_equal(run(&c, &first, err, sizeof(err), "-j", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: tcmd: too few arguments; see 'peelbench tcmd --help'\n");
}

/* The help text of spec, in buf. */
static const char *usage_text(const struct pb_cmd_spec *spec, char *buf, size_t size)
{
	FILE *f = fmemopen(buf, size, "w");
	size_t n;

	pb_opts_usage(spec, f);
	n = (size_t)ftell(f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void test_help_is_generated_from_the_table(void **state)
{
	char buf[2048];

	assert_string_equal(usage_text(&t_spec, buf, sizeof(buf)),
		"usage: peelbench tcmd [OPTIONS] A [B]\n\n"
		"  -n, --count N     how many (default 3)\n"
		"  --ratio R         a ratio\n"
		"                    (second line)\n"
		"  -j, --json        JSON\n"
		"  -v, --verbose     more\n"
		"  -o, --output FILE where\n"
		"  -m, --metric M    repeatable\n"
		"  --limit DURATION  a time\n"
		"  --even-number-option E  long name\n"
		"\n"
		"a free line\n"
		"\nexit: 0 fine\n");
}

/* ---- a command that passes the options it does not know on ---- */

struct p_cfg {
	bool json;
	const char *db, *inner;
	unsigned int even;
	const char *passed[16];		/* "arg" or "arg=val" as handed on */
	char buf[16][32];
	unsigned int npassed;
};

static int call_even(const struct pb_opt *opt, const char *val, void *cfg)
{
	unsigned long long v;

	if (!pb_parse_u64(val, 0, 100, &v) || v % 2) {
		pb_err("pcmd: --%s wants an even number, not '%s'", opt->name, val);
		return PB_EXIT_USAGE;
	}
	((struct p_cfg *)cfg)->even = (unsigned int)v;
	return 0;
}

static int pass_on(void *cfg, const char *arg, const char *val)
{
	struct p_cfg *c = cfg;

	if (!strcmp(arg, "--refused"))
		return 42;
	snprintf(c->buf[c->npassed], sizeof(c->buf[0]), "%s%s%s", arg, val ? "|" : "",
		 val ? val : "");
	c->passed[c->npassed] = c->buf[c->npassed];
	c->npassed++;
	return 0;
}

static const char *const p_flags[] = { "quiet", NULL };

#define P(f) PB_OPT_OFF(struct p_cfg, f)
static const struct pb_opt p_opts[] = {
	PB_OPT(PB_OPT_FLAG, 'j', "json", P(json), NULL, "JSON"),
	PB_OPT(PB_OPT_STRING, 'd', "db", P(db), "FILE", "a database"),
	PB_OPT(PB_OPT_CALL, 0, "even", 0, "N", "an even number", .call = call_even),
	PB_OPT(PB_OPT_STRING, 0, "inner", P(inner), "K", NULL, .hidden = true),
	PB_OPT_TABLE_END,
};
#undef P

static const struct pb_cmd_spec p_spec = {
	.name = "pcmd",
	.head = "usage: peelbench pcmd [OPTIONS] [OTHER OPTIONS]\n\n",
	.opts = p_opts,
	.help_col = 14,
	.pass = pass_on,
	.pass_flags = p_flags,
};

static int prun(struct p_cfg *c, char *err, size_t errlen, ...)
{
	char *argv[32];
	int argc, first;
	va_list ap;

	va_start(ap, errlen);
	argc = collect_args(argv, "pcmd", ap);
	va_end(ap);
	memset(c, 0, sizeof(*c));
	return parse_capture(&p_spec, argc, argv, c, &first, err, errlen);
}

static void test_pass_hands_unknown_options_on_in_order(void **state)
{
	static const char *const want[] = {
		"--assocs|5", "--backlog=64", "--quiet", "--dbx|y", "--jso|n",
		"--json=1", "--even-more|3", "-o", "x", "--json",
	};
	struct p_cfg c;
	char err[512];
	unsigned int i;

	assert_int_equal(prun(&c, err, sizeof(err), "--assocs", "5", "-j", "--backlog=64",
			      "--quiet", "--db", "a.db", "--dbx", "y", "--jso", "n", "--json=1",
			      "--even=8", "--inner", "k", "--even-more", "3", "--", "-o", "x",
			      "--json", NULL), 0);
	assert_string_equal(err, "");
	assert_true(c.json);
	assert_string_equal(c.db, "a.db");
	assert_string_equal(c.inner, "k");
	assert_int_equal(c.even, 8);
	/* exact names only: --dbx and --jso are not --db and --json */
	assert_int_equal(c.npassed, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < c.npassed; i++)
		assert_string_equal(c.passed[i], want[i]);
}

static void test_pass_errors(void **state)
{
	struct p_cfg c;
	char err[512];

	assert_int_equal(prun(&c, err, sizeof(err), "-j", "-x", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: pcmd: unknown option '-x'; see 'peelbench pcmd --help'\n");
	assert_int_equal(prun(&c, err, sizeof(err), "-dfoo", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: pcmd: unknown option '-dfoo'; see 'peelbench pcmd --help'\n");
	assert_int_equal(prun(&c, err, sizeof(err), "--assocs", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: pcmd: option '--assocs' needs a value\n");
	assert_int_equal(prun(&c, err, sizeof(err), "-d", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: pcmd: option '-d' needs a value\n");
	assert_int_equal(prun(&c, err, sizeof(err), "--quiet", "stray", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: pcmd: unexpected argument 'stray'; "
			    "see 'peelbench pcmd --help'\n");
	assert_int_equal(prun(&c, err, sizeof(err), "--even", "3", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: pcmd: --even wants an even number, not '3'\n");
	/* the pass callback's own exit code, then nothing more is parsed */
	assert_int_equal(prun(&c, err, sizeof(err), "--refused", "1", "-x", NULL), 42);
	assert_string_equal(err, "");
	assert_int_equal(prun(&c, err, sizeof(err), "--", "--refused", NULL), 42);
}

static void test_pass_help_hides_hidden_options(void **state)
{
	struct p_cfg c;
	char err[64], buf[1024];
	int saved, nul, ret;

	assert_string_equal(usage_text(&p_spec, buf, sizeof(buf)),
		"usage: peelbench pcmd [OPTIONS] [OTHER OPTIONS]\n\n"
		"  -j, --json  JSON\n"
		"  -d, --db FILE  a database\n"
		"  --even N    an even number\n");
	/* --help after anything else (the help to /dev/null); before "--" only */
	fflush(stdout);
	saved = dup(1);
	nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	dup2(nul, 1);
	close(nul);
	ret = prun(&c, err, sizeof(err), "--assocs", "5", "-h", NULL);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	assert_int_equal(ret, -1);
	assert_int_equal(prun(&c, err, sizeof(err), "--", "--help", NULL), 0);
	assert_int_equal(c.npassed, 1);
	assert_string_equal(c.passed[0], "--help");
}

/* ---- run's and the top level's shapes ---- */

struct u_cfg {
	const char *big;
	unsigned int pid;
	bool stop;
};

#define U(f) PB_OPT_OFF(struct u_cfg, f)
static const struct pb_opt u_opts[] = {
	PB_OPT(PB_OPT_STRING, 0, "big", U(big), "N", "a value"),
	PB_OPT(PB_OPT_UINT, 'p', "pid", U(pid), "PID", "a pid",
	       .min = 1, .max = 9, .bad = "bad pid '%s'", .missing = "-p needs a pid"),
	PB_OPT(PB_OPT_STOP, 'V', "version", U(stop), NULL, "stops here"),
	PB_OPT(PB_OPT_HELP, 'h', "help", 0, NULL, "this text"),
	PB_OPT_TABLE_END,
};
#undef U

/* run's: lines without "ucmd: ", a hint after an extra argument. */
static const struct pb_cmd_spec u_spec = {
	.name = "ucmd",
	.head = "usage: peelbench ucmd\n\n",
	.opts = u_opts,
	.help_col = 16,
	.bare_errors = true,
	.extra_hint = "; see 'peelbench ucmd --help'",
};

/* The top level's: an unknown option is handed on, not refused. */
static const struct pb_cmd_spec w_spec = {
	.name = "",
	.head = "",
	.opts = u_opts,
	.max_args = 100,
	.stop_at_arg = true,
	.pass_unknown = true,
};

static int urun(const struct pb_cmd_spec *spec, struct u_cfg *c, int *first,
		char *err, size_t errlen, ...)
{
	char *argv[32];
	int argc;
	va_list ap;

	va_start(ap, errlen);
	argc = collect_args(argv, "ucmd", ap);
	va_end(ap);
	memset(c, 0, sizeof(*c));
	return parse_capture(spec, argc, argv, c, first, err, errlen);
}

static void test_stop_and_own_error_lines(void **state)
{
	struct u_cfg c;
	char err[512];
	int first;

	assert_int_equal(urun(&u_spec, &c, &first, err, sizeof(err), "-p", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: ucmd: -p needs a pid\n");
	assert_int_equal(urun(&u_spec, &c, &first, err, sizeof(err), "--big", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: option '--big' needs a value\n");
	assert_int_equal(urun(&u_spec, &c, &first, err, sizeof(err), "--frob", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: unknown option '--frob'; see 'peelbench ucmd --help'\n");
	assert_int_equal(urun(&u_spec, &c, &first, err, sizeof(err), "x", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: unexpected argument 'x'; see 'peelbench ucmd --help'\n");
	/* -V ends parsing at once: the bad -p after it is never read */
	assert_int_equal(urun(&u_spec, &c, &first, err, sizeof(err), "-V", "-p", "0", NULL), -1);
	assert_true(c.stop);
	assert_string_equal(err, "");
	/* PB_OPT_HELP lists --help where the table puts it */
	assert_string_equal(usage_text(&u_spec, err, sizeof(err)),
		"usage: peelbench ucmd\n\n"
		"  --big N       a value\n"
		"  -p, --pid PID a pid\n"
		"  -V, --version stops here\n"
		"  -h, --help    this text\n");
}

static void test_unknown_options_can_be_handed_on(void **state)
{
	struct u_cfg c;
	char err[512];
	int first;

	assert_int_equal(urun(&w_spec, &c, &first, err, sizeof(err), "-p", "3", "--frob", "-p", "4",
			      NULL), 0);
	assert_int_equal(first, 3);
	assert_int_equal(c.pid, 3);
	/* a missing value too: the option goes on as it was written */
	assert_int_equal(urun(&w_spec, &c, &first, err, sizeof(err), "--big", NULL), 0);
	assert_int_equal(first, 1);
	assert_int_equal(urun(&w_spec, &c, &first, err, sizeof(err), "-p", "1", "cmd", "--frob",
			      NULL), 0);
	assert_int_equal(first, 3);
	assert_string_equal(err, "");
}

/* A help built from a table (.wrap) breaks at spaces to fit 80 columns,
 * continuation lines under the help column; other help stays as written. */
static void test_wrapped_help_fits_80_columns(void **state)
{
	static const struct pb_opt opts[] = {
		PB_OPT(PB_OPT_FLAG, 'w', "wide", 0, NULL,
		  "one two three four five six seven eight nine ten eleven twelve thirteen",
		  .wrap = true),
		PB_OPT(PB_OPT_FLAG, 'k', "keep", 0, NULL,
		  "one two three four five six seven eight nine ten eleven twelve thirteen"),
		PB_OPT_TABLE_END,
	};
	const struct pb_cmd_spec spec = { .name = "w", .head = "", .opts = opts, .help_col = 18 };
	char buf[1024];

	assert_string_equal(usage_text(&spec, buf, sizeof(buf)),
		"  -w, --wide      one two three four five six seven eight nine ten eleven twelve\n"
		"                  thirteen\n"
		"  -k, --keep      one two three four five six seven eight nine ten eleven twelve thirteen\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_land_in_their_fields),
		cmocka_unit_test(test_bad_values_give_one_line),
		cmocka_unit_test(test_help_is_generated_from_the_table),
		cmocka_unit_test(test_pass_hands_unknown_options_on_in_order),
		cmocka_unit_test(test_pass_errors),
		cmocka_unit_test(test_pass_help_hides_hidden_options),
		cmocka_unit_test(test_stop_and_own_error_lines),
		cmocka_unit_test(test_unknown_options_can_be_handed_on),
		cmocka_unit_test(test_wrapped_help_fits_80_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
