// SPDX-License-Identifier: GPL-2.0
/* user/common/opts.c, the parts commands with subcommands and their own
 * error wording use: pb_opts_dispatch, .bad, .open_min, .args_err and
 * .missing_is_unknown, as a user meets them on the command line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "opts.h"
#include "peelbench.h"

struct d_cfg {
	double alpha;
	const char *db;
	int ran;		/* which subcommand ran: 1 add, 2 list */
	int nargs;
};

#define O(f) PB_OPT_OFF(struct d_cfg, f)
static const struct pb_opt d_opts[] = {
	PB_OPT(PB_OPT_DOUBLE, 0, "alpha", O(alpha), "A", "level",
	       .min = 0, .max = 1, .open_min = true,
	       .bad = "bad --alpha '%s': a number in (0, 1]"),
	PB_OPT(PB_OPT_STRING, 0, "db", O(db), "FILE", "database"),
	PB_OPT_TABLE_END,
};
#undef O

static const struct pb_cmd_spec d_spec = {
	.name = "dcmd",
	.head = "usage: peelbench dcmd COMMAND\n",
	.opts = d_opts,
	.help_col = 10,
	.max_args = 3,
	.args_err = "need at most three arguments",
	.missing_is_unknown = true,
};

static int d_add(void *cfg, int argc, char **argv)
{
	((struct d_cfg *)cfg)->ran = 1;
	((struct d_cfg *)cfg)->nargs = argc;
	return 0;
}

static int d_list(void *cfg, int argc, char **argv)
{
	((struct d_cfg *)cfg)->ran = 2;
	return 7;
}

static const struct pb_subcmd d_subs[] = {
	{ "add", 1, 2, "no files given", d_add },
	{ "list", 0, 0, "takes no arguments", d_list },
	{ NULL },
};

/* Parse, then dispatch, a NULL-terminated argument list; stderr in err. */
static int run(struct d_cfg *c, char *err, size_t errlen, ...)
{
	char *argv[32];
	int argc = 0, ret, first;
	struct capture cap;
	va_list ap;

	va_start(ap, errlen);
	argv[argc++] = "dcmd";
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	memset(c, 0, sizeof(*c));
	capture_begin(&cap);
	ret = pb_opts_parse(&d_spec, argc, argv, c, &first);
	if (!ret)
		ret = pb_opts_dispatch(&d_spec, d_subs, c, argc - first, argv + first);
	capture_end_err(&cap, err, errlen);
	return ret;
}

static void test_subcommand_runs_with_its_arguments(void **state)
{
	struct d_cfg c;
	char err[512];

	/* options anywhere on the line, before or after the subcommand */
	assert_int_equal(run(&c, err, sizeof(err), "add", "--db", "x.db", "a", "b", NULL), 0);
	assert_int_equal(c.ran, 1);
	assert_int_equal(c.nargs, 2);
	assert_string_equal(c.db, "x.db");
	assert_string_equal(err, "");
	assert_int_equal(run(&c, err, sizeof(err), "--alpha", "1", "list", NULL), 7);
	assert_int_equal(c.ran, 2);
	assert_true(c.alpha == 1);
}

static void test_subcommand_errors(void **state)
{
	struct d_cfg c;
	char err[512];

	assert_int_equal(run(&c, err, sizeof(err), "--db", "x", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: dcmd: no command; see 'peelbench dcmd --help'\n");
	assert_int_equal(run(&c, err, sizeof(err), "frob", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: dcmd: unknown command 'frob'; "
			    "see 'peelbench dcmd --help'\n");
	assert_int_equal(run(&c, err, sizeof(err), "add", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: dcmd add: no files given\n");
	assert_int_equal(run(&c, err, sizeof(err), "list", "x", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: dcmd list: takes no arguments\n");
	assert_int_equal(c.ran, 0);
}

static void test_own_error_wording(void **state)
{
	struct d_cfg c;
	char err[512];

	/* .open_min: 0 itself is out of range; .bad: the whole message */
	assert_int_equal(run(&c, err, sizeof(err), "--alpha", "0", "list", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: dcmd: bad --alpha '0': a number in (0, 1]\n");
	assert_int_equal(run(&c, err, sizeof(err), "--alpha", "1.5", "list", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: dcmd: bad --alpha '1.5': a number in (0, 1]\n");
	/* .missing_is_unknown */
	assert_int_equal(run(&c, err, sizeof(err), "list", "--db", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: dcmd: unknown option '--db'; "
			    "see 'peelbench dcmd --help'\n");
	/* .args_err replaces "unexpected argument" */
	assert_int_equal(run(&c, err, sizeof(err), "add", "a", "b", "c", NULL), PB_EXIT_USAGE);
	assert_string_equal(err, "peelbench: dcmd: need at most three arguments\n");
	assert_int_equal(c.ran, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subcommand_runs_with_its_arguments),
		cmocka_unit_test(test_subcommand_errors),
		cmocka_unit_test(test_own_error_wording),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
