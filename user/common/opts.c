// SPDX-License-Identifier: GPL-2.0
/* One option parser for every command, driven by its struct pb_opt table:
 * getopt_long's tables, the option lines of --help and the one-line
 * errors are derived from it. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "opts.h"
#include "peelbench.h"

#define MAX_OPTS 64
#define LONG_BASE 256	/* getopt codes of options without a letter */

static bool takes_value(const struct pb_opt *o)
{
	return o->kind != PB_OPT_FLAG && o->kind != PB_OPT_COUNT &&
	       o->kind != PB_OPT_TEXT && o->kind != PB_OPT_HELP &&
	       o->kind != PB_OPT_STOP;
}

/* Entries getopt sees: not help text, and not --help (always there). */
static bool is_option(const struct pb_opt *o)
{
	return o->kind != PB_OPT_TEXT && o->kind != PB_OPT_HELP;
}

static int code_of(const struct pb_opt *opts, const struct pb_opt *o)
{
	return o->key ? o->key : LONG_BASE + (int)(o - opts);
}

/* getopt_long's long table and optstring, plus --help/-h. */
static void build_tables(const struct pb_cmd_spec *spec, struct option *lo,
			 char *shorts)
{
	const struct pb_opt *o;
	char *s = shorts;
	int n = 0;

	if (spec->stop_at_arg)
		*s++ = '+';
	*s++ = ':';
	*s++ = 'h';
	for (o = spec->opts; o->kind != PB_OPT_END && n < MAX_OPTS - 2; o++) {
		if (!is_option(o))
			continue;
		lo[n++] = (struct option){ o->name, takes_value(o) ? required_argument : no_argument,
					   NULL, code_of(spec->opts, o) };
		if (o->key) {
			*s++ = (char)o->key;
			if (takes_value(o))
				*s++ = ':';
		}
	}
	lo[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	*s = '\0';
}

static const struct pb_opt *find_code(const struct pb_cmd_spec *spec, int code)
{
	const struct pb_opt *o;

	for (o = spec->opts; o->kind != PB_OPT_END; o++)
		if (is_option(o) && code_of(spec->opts, o) == code)
			return o;
	return NULL;
}

static int bad_value(const struct pb_cmd_spec *spec, const struct pb_opt *o,
		     const char *val)
{
	char what[64], range[64];

	if (o->bad) {
		char msg[256];

		snprintf(msg, sizeof(msg), o->bad, val);
		pb_err("%s: %s", spec->name, msg);
		return PB_EXIT_USAGE;
	}
	if (o->what)
		snprintf(what, sizeof(what), "%s", o->what);
	else
		snprintf(what, sizeof(what), "--%s", o->name);
	if (o->range)
		snprintf(range, sizeof(range), "%s", o->range);
	else
		snprintf(range, sizeof(range), "%g .. %g", o->min, o->max);
	pb_err("%s: bad %s '%s' (%s)", spec->name, what, val, range);
	return PB_EXIT_USAGE;
}

/* Store one value; PB_EXIT_USAGE (after the error line) when it is bad,
 * -1 when parsing ends here (PB_OPT_STOP). */
static int set_value(const struct pb_cmd_spec *spec, const struct pb_opt *o,
		     const char *val, void *cfg)
{
	void *p = (char *)cfg + o->off;
	unsigned long long u;
	struct pb_opt_list *l;

	switch (o->kind) {
	case PB_OPT_FLAG:
		*(bool *)p = true;
		/* Every command's --json: its errors become JSON too. */
		if (o->name && !strcmp(o->name, "json"))
			pb.json = true;
		return 0;
	case PB_OPT_COUNT:
		(*(int *)p)++;
		return 0;
	case PB_OPT_STRING:
		*(const char **)p = val;
		return 0;
	case PB_OPT_OUTFILE:
		if (!*val || pb_special_file(val)) {
			pb_err("%s: %s%s", spec->name, *val ? val : "-o: empty file name",
			       *val ? ": not a regular file; refusing to replace it" : "");
			return PB_EXIT_USAGE;
		}
		*(const char **)p = val;
		return 0;
	case PB_OPT_UINT:
		if (!pb_parse_u64(val, (unsigned long long)o->min,
				  (unsigned long long)o->max, &u))
			return bad_value(spec, o, val);
		*(unsigned int *)p = (unsigned int)u;
		return 0;
	case PB_OPT_U64:
		if (!pb_parse_u64(val, (unsigned long long)o->min,
				  (unsigned long long)o->max, (unsigned long long *)p))
			return bad_value(spec, o, val);
		return 0;
	case PB_OPT_DOUBLE:
		if (!pb_parse_double(val, o->min, o->max, (double *)p) ||
		    (o->open_min && *(double *)p <= o->min))
			return bad_value(spec, o, val);
		return 0;
	case PB_OPT_DURATION:
		if (!pb_parse_duration_ns(val, &u) || u < o->min || (o->max && u > o->max))
			return bad_value(spec, o, val);
		*(unsigned long long *)p = u;
		return 0;
	case PB_OPT_LIST:
		l = p;
		if (l->n >= PB_OPT_LIST_MAX) {
			pb_err("%s: at most %d --%s options", spec->name, PB_OPT_LIST_MAX, o->name);
			return PB_EXIT_USAGE;
		}
		l->v[l->n++] = val;
		return 0;
	case PB_OPT_CUSTOM:
		return o->parse(val, p) ? 0 : bad_value(spec, o, val);
	case PB_OPT_CALL:
		return o->call(o, val, cfg);
	case PB_OPT_STOP:
		*(bool *)p = true;
		return -1;
	default:
		return 0;
	}
}

/* The table's option of that long name (len characters of name). */
static const struct pb_opt *find_long(const struct pb_cmd_spec *spec,
				      const char *name, size_t len)
{
	const struct pb_opt *o;

	for (o = spec->opts; o->kind != PB_OPT_END; o++)
		if (o->kind != PB_OPT_TEXT && strlen(o->name) == len &&
		    !strncmp(o->name, name, len))
			return o;
	return NULL;
}

static bool is_pass_flag(const struct pb_cmd_spec *spec, const char *name)
{
	const char *const *f;

	for (f = spec->pass_flags; f && *f; f++)
		if (!strcmp(*f, name))
			return true;
	return false;
}

/* "--name=value": the table's when it takes a value, else passed on. */
static int pass_with_eq(const struct pb_cmd_spec *spec, const char *a,
			const char *eq, void *cfg)
{
	const struct pb_opt *o = find_long(spec, a + 2, (size_t)(eq - a - 2));

	if (o && takes_value(o))
		return set_value(spec, o, eq + 1, cfg);
	return spec->pass(cfg, a, NULL);
}

/* One option at argv[*i] (not "--", not --help); *i moves past its value. */
static int pass_one(const struct pb_cmd_spec *spec, int argc, char **argv, int *i,
		    void *cfg)
{
	const char *a = argv[*i], *eq;
	const struct pb_opt *o = NULL;
	bool is_long = a[1] == '-' && a[2];

	if (a[0] != '-') {
		pb_err("%s: unexpected argument '%s'; see 'peelbench %s --help'",
		       spec->name, a, spec->name);
		return PB_EXIT_USAGE;
	}
	if (a[1] == '-' && (eq = strchr(a, '=')))
		return pass_with_eq(spec, a, eq, cfg);
	if (is_long)
		o = find_long(spec, a + 2, strlen(a + 2));
	else if (a[1] && !a[2])
		o = find_code(spec, a[1]);
	if (o && !takes_value(o))
		return set_value(spec, o, NULL, cfg);
	if (!o && is_long && is_pass_flag(spec, a + 2))
		return spec->pass(cfg, a, NULL);
	if (!o && !is_long)
		return pb_opt_error(spec->name, '?', a);
	if (*i + 1 >= argc)
		return pb_opt_error(spec->name, spec->missing_is_unknown ? '?' : ':', a);
	++*i;
	return o ? set_value(spec, o, argv[*i], cfg) : spec->pass(cfg, a, argv[*i]);
}

/* The parse of a command with spec->pass: by hand, as getopt_long would
 * take abbreviations of the table's names for options to pass on. */
static int parse_pass(const struct pb_cmd_spec *spec, int argc, char **argv, void *cfg)
{
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (++i < argc)
				if ((err = spec->pass(cfg, argv[i], NULL)))
					return err;
			return 0;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			pb_opts_usage(spec, stdout);
			return -1;
		}
		if ((err = pass_one(spec, argc, argv, &i, cfg)))
			return err;
	}
	return 0;
}

/* An unknown option (opt '?') or a missing value (':'), one line. */
static int option_error(const struct pb_cmd_spec *spec, int opt, const char *arg)
{
	const struct pb_opt *o = opt == ':' ? find_code(spec, optopt) : NULL;

	if (o && o->missing)
		pb_err("%s: %s", spec->name, o->missing);
	else if (!spec->bare_errors)
		return pb_opt_error(spec->name, opt, arg);
	else if (opt == ':')
		pb_err("option '%s' needs a value", arg);
	else
		pb_err("unknown option '%s'; see 'peelbench %s --help'", arg, spec->name);
	return PB_EXIT_USAGE;
}

/* A command with a --json flag given "--json" anywhere before "--": an
 * error found before the parser reaches it is JSON too (pb.json). */
static void note_json(const struct pb_cmd_spec *spec, int argc, char **argv)
{
	const struct pb_opt *o;
	int i;

	for (o = spec->opts; o->kind != PB_OPT_END; o++)
		if (o->kind == PB_OPT_FLAG && o->name && !strcmp(o->name, "json"))
			break;
	for (i = 1; o->kind != PB_OPT_END && i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			pb.json = true;
}

int pb_opts_parse(const struct pb_cmd_spec *spec, int argc, char **argv,
		  void *cfg, int *first_arg)
{
	struct option lo[MAX_OPTS];
	char shorts[2 * MAX_OPTS + 4];
	const struct pb_opt *o;
	int opt, err, nargs;

	note_json(spec, argc, argv);
	if (spec->pass) {
		*first_arg = argc;
		return parse_pass(spec, argc, argv, cfg);
	}
	build_tables(spec, lo, shorts);
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (opt == 'h') {
			pb_opts_usage(spec, stdout);
			return -1;
		}
		o = find_code(spec, opt);
		if (!o && spec->pass_unknown) {
			*first_arg = optind - 1;
			return 0;
		}
		if (!o)
			return option_error(spec, spec->missing_is_unknown ? '?' : opt,
					    argv[optind - 1]);
		err = set_value(spec, o, optarg, cfg);
		if (err)
			return err;
	}
	nargs = argc - optind;
	if (spec->args_err && ((unsigned int)nargs > spec->max_args ||
			       (unsigned int)nargs < spec->min_args)) {
		pb_err("%s: %s", spec->name, spec->args_err);
		return PB_EXIT_USAGE;
	}
	if ((unsigned int)nargs > spec->max_args) {
		pb_err("%s%sunexpected argument '%s'%s",
		       spec->bare_errors ? "" : spec->name, spec->bare_errors ? "" : ": ",
		       argv[optind + (int)spec->max_args],
		       spec->extra_hint ? spec->extra_hint : "");
		return PB_EXIT_USAGE;
	}
	if ((unsigned int)nargs < spec->min_args) {
		pb_err("%s: too few arguments; see 'peelbench %s --help'",
		       spec->name, spec->name);
		return PB_EXIT_USAGE;
	}
	*first_arg = optind;
	return 0;
}

int pb_opts_dispatch(const struct pb_cmd_spec *spec, const struct pb_subcmd *subs,
		     void *cfg, int argc, char **argv)
{
	const struct pb_subcmd *s;
	unsigned int nargs = argc > 0 ? (unsigned int)argc - 1 : 0;

	if (argc < 1) {
		pb_err("%s: no command; see 'peelbench %s --help'", spec->name, spec->name);
		return PB_EXIT_USAGE;
	}
	for (s = subs; s->name && strcmp(s->name, argv[0]); s++)
		;
	if (!s->name) {
		pb_err("%s: unknown command '%s'; see 'peelbench %s --help'",
		       spec->name, argv[0], spec->name);
		return PB_EXIT_USAGE;
	}
	if (nargs < s->min_args || nargs > s->max_args) {
		pb_err("%s %s: %s", spec->name, s->name, s->args_err);
		return PB_EXIT_USAGE;
	}
	return s->run(cfg, (int)nargs, argv + 1);
}

/* The n bytes at text, from column col on: broken at spaces so that no
 * line passes PB_OPT_HELP_WIDTH columns (a help built from a table, such
 * as the phase list, has no hand-placed breaks), continuation lines at
 * column indent.  col 0: as it is.  Returns the end of what it printed. */
#define PB_OPT_HELP_WIDTH 80
static const char *print_wrapped(FILE *f, const char *text, size_t n, int col, int indent)
{
	const char *brk;
	size_t room;

	while (col && col + n > PB_OPT_HELP_WIDTH && col < PB_OPT_HELP_WIDTH) {
		room = PB_OPT_HELP_WIDTH - col;
		for (brk = text + room; brk > text && *brk != ' '; brk--)
			;
		if (brk == text)
			break;
		fprintf(f, "%.*s\n%*s", (int)(brk - text), text, indent, "");
		n -= (size_t)(brk - text) + 1;
		text = brk + 1;
		col = indent;
	}
	fprintf(f, "%.*s", (int)n, text);
	return text + n;
}

/* "  -o, --output FILE" padded to the help column, then the help, whose
 * continuation lines start under that column. */
static void print_opt(const struct pb_cmd_spec *spec, const struct pb_opt *o, FILE *f)
{
	const char *h = o->help, *nl;
	char left[128];
	int len;

	if (o->hidden)
		return;
	if (o->kind == PB_OPT_TEXT) {
		fprintf(f, "%s\n", h);
		return;
	}
	if (o->key && !o->key_hidden)
		len = snprintf(left, sizeof(left), "  -%c, --%s", o->key, o->name);
	else
		len = snprintf(left, sizeof(left), "  --%s", o->name);
	if (o->metavar && len < (int)sizeof(left))
		len += snprintf(left + len, sizeof(left) - len, " %s", o->metavar);
	fprintf(f, "%s%*s", left, len < spec->help_col ? spec->help_col - len : 2, "");
	len = len < spec->help_col ? spec->help_col : len + 2;
	for (;;) {
		nl = strchr(h, '\n');
		h = print_wrapped(f, h, nl ? (size_t)(nl - h) : strlen(h),
				  o->wrap ? len : 0, spec->help_col);
		if (!nl)
			break;
		fprintf(f, "\n%*s", spec->help_col, "");
		len = spec->help_col;
		h = nl + 1;
	}
	fputc('\n', f);
}

void pb_opts_usage(const struct pb_cmd_spec *spec, FILE *f)
{
	const struct pb_opt *o;

	fputs(spec->head, f);
	for (o = spec->opts; o->kind != PB_OPT_END; o++)
		print_opt(spec, o, f);
	if (spec->tail)
		fputs(spec->tail, f);
}
