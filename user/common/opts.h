/* SPDX-License-Identifier: GPL-2.0 */
/* Every command's options as one table: the parser, the option lines of
 * the help text and the one-line errors are all derived from it, so that
 * they cannot disagree (the shape of retsnoop's env.c spec table, without
 * argp's own help layout, which would change what users see). */
#ifndef PEELBENCH_OPTS_H
#define PEELBENCH_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum pb_opt_kind {
	PB_OPT_END,
	PB_OPT_FLAG,		/* bool = true */
	PB_OPT_COUNT,		/* int += 1 */
	PB_OPT_STRING,		/* const char * = the value */
	PB_OPT_OUTFILE,		/* const char *: a file the command will
				 * write, refused at once (exit 2) when empty
				 * or an existing FIFO, device or folder */
	PB_OPT_UINT,		/* unsigned int in [min, max] */
	PB_OPT_U64,		/* unsigned long long in [min, max] */
	PB_OPT_DOUBLE,		/* double in [min, max] */
	PB_OPT_DURATION,	/* unsigned long long ns, "2s", "500ms" */
	PB_OPT_LIST,		/* struct pb_opt_list: every value, in order */
	PB_OPT_CUSTOM,		/* .parse(value, field) */
	PB_OPT_TEXT,		/* no option: a line of help text only */
	PB_OPT_CALL,		/* .call(opt, value, cfg) stores the value
				 * and prints its own one-line error */
	PB_OPT_HELP,		/* the line of --help itself (always parsed) */
	PB_OPT_STOP,		/* bool = true, and parsing ends (-1, as --help) */
};

/* PB_OPT_LIST's field: values in command-line order. */
#define PB_OPT_LIST_MAX 64
struct pb_opt_list {
	const char *v[PB_OPT_LIST_MAX];
	unsigned int n;
};

struct pb_opt {
	enum pb_opt_kind kind;
	int key;		/* short option letter, or 0 */
	const char *name;	/* long option, without "--" */
	size_t off;		/* offsetof the field in the command's struct */
	const char *metavar;	/* "N", "FILE"; NULL for flags */
	const char *help;	/* '\n' continues under the help column */
	double min, max;	/* inclusive range of numbers */
	/* Errors: "CMD: bad WHAT 'VALUE' (RANGE)"; RANGE defaults to
	 * "MIN .. MAX".  A custom parser returns false for a bad value. */
	const char *what, *range;
	bool (*parse)(const char *val, void *field);
	/* When set, the whole error instead: "CMD: " then this format with
	 * the value as its argument ("bad --alpha '%s': a number in (0, 1]"). */
	const char *bad;
	bool open_min;		/* PB_OPT_DOUBLE: min itself is out of range */
	bool key_hidden;	/* the letter works; the help shows the long name */
	/* PB_OPT_CALL: gets the whole config; returns 0, or an exit code
	 * after printing its error. */
	int (*call)(const struct pb_opt *opt, const char *val, void *cfg);
	bool hidden;		/* parsed, but no line in --help */
	bool wrap;		/* help built from a table: broken at spaces to
			 * fit 80 columns, not at hand-placed newlines */
	/* The line, after "CMD: ", when the value is missing ("-o needs a
	 * file name"). */
	const char *missing;
};

#define PB_OPT_OFF(type, field) offsetof(type, field)
/* One table entry; the optional fields (.min, .max, .what, .range,
 * .parse) follow as designated initializers. */
#define PB_OPT(kind_, key_, name_, off_, metavar_, help_, ...)		\
	{ .kind = (kind_), .key = (key_), .name = (name_), .off = (off_),	\
	  .metavar = (metavar_), .help = (help_), __VA_ARGS__ }
#define PB_OPT_TEXT_LINE(text_) { .kind = PB_OPT_TEXT, .help = (text_) }
#define PB_OPT_TABLE_END { .kind = PB_OPT_END }

/* A command: its help text is head, the option lines, then tail. */
struct pb_cmd_spec {
	const char *name;	/* "overhead"; "" for the top level */
	const char *head;	/* synopsis and description, verbatim */
	const char *tail;	/* after the options (exit codes), or NULL */
	const struct pb_opt *opts;	/* ends with kind PB_OPT_END */
	int help_col;		/* column where option help starts */
	unsigned int min_args, max_args;	/* positional arguments */
	bool stop_at_arg;	/* stop at the first positional ('+') */
	/* When set, the one error for a wrong number of positionals
	 * ("CMD: " then this text), instead of too few / unexpected. */
	const char *args_err;
	/* An option missing its value is reported as an unknown option. */
	bool missing_is_unknown;
	/* A command that hands the options it does not know on to another
	 * (matrix to run).  When set, options match their exact names (no
	 * abbreviations), and every option not in the table goes to
	 * pass(cfg, arg, value) as written: "--name VALUE" with its value;
	 * "--name=value", the names in pass_flags and every argument after
	 * "--" with NULL.  "-h" and "--help" still print the help; a
	 * positional argument is an error.  Returns 0 or an exit code after
	 * printing its error. */
	int (*pass)(void *cfg, const char *arg, const char *val);
	const char *const *pass_flags;	/* long names without "--", NULL ends */
	/* An unknown option (or a missing value) ends parsing, without an
	 * error: *first_arg points at it (options handed on to a command as
	 * getopt saw them: the top level to run). */
	bool pass_unknown;
	/* Unknown option, missing value and extra argument lines without the
	 * "CMD: " prefix; extra_hint follows "unexpected argument 'X'". */
	bool bare_errors;
	const char *extra_hint;
};

/* A subcommand: the first positional names it ("history add ..."). */
struct pb_subcmd {
	const char *name;
	unsigned int min_args, max_args;	/* after its name */
	const char *args_err;	/* "CMD SUB: " then this, on a wrong count */
	int (*run)(void *cfg, int argc, char **argv);
};

/* Parse argv (argv[0] is the command's name) into cfg.  Returns 0 when
 * the command should run (*first_arg: index of the first positional),
 * -1 after printing --help (exit 0), or PB_EXIT_USAGE after one line. */
int pb_opts_parse(const struct pb_cmd_spec *spec, int argc, char **argv,
		  void *cfg, int *first_arg);
/* Run the subcommand that argv[0] names, from subs (ending with a NULL
 * name), with the positionals after it; one line and PB_EXIT_USAGE when
 * there is none, it is unknown or its argument count is wrong. */
int pb_opts_dispatch(const struct pb_cmd_spec *spec, const struct pb_subcmd *subs,
		     void *cfg, int argc, char **argv);
/* The whole help text. */
void pb_opts_usage(const struct pb_cmd_spec *spec, FILE *f);

#endif
