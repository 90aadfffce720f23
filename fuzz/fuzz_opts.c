// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for option values (user/common/util.c, opts.c): any
 * string given to the number, duration, size and name-list parsers, and
 * as the value of every kind of option in a table, is taken within its
 * range or refused with one line; nothing reads past it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "peelbench.h"

struct fz_cfg {
	unsigned int u;
	unsigned long long ull, ns;
	double d;
	const char *s;
	bool flag;
	struct pb_opt_list list;
};

static const struct pb_opt fz_opts[] = {
	PB_OPT(PB_OPT_UINT, 'u', "uint", PB_OPT_OFF(struct fz_cfg, u), "N", "n",
	       .min = 1, .max = 65535, .what = "uint"),
	PB_OPT(PB_OPT_U64, 'q', "u64", PB_OPT_OFF(struct fz_cfg, ull), "N", "n",
	       .min = 0, .max = 1e18, .what = "u64"),
	PB_OPT(PB_OPT_DOUBLE, 'd', "double", PB_OPT_OFF(struct fz_cfg, d), "X", "x",
	       .min = 0, .max = 1, .open_min = true, .what = "double"),
	PB_OPT(PB_OPT_DURATION, 't', "time", PB_OPT_OFF(struct fz_cfg, ns), "T", "t",
	       .what = "time"),
	PB_OPT(PB_OPT_STRING, 's', "string", PB_OPT_OFF(struct fz_cfg, s), "S", "s"),
	PB_OPT(PB_OPT_FLAG, 'f', "flag", PB_OPT_OFF(struct fz_cfg, flag), NULL, "f"),
	PB_OPT(PB_OPT_LIST, 'l', "list", PB_OPT_OFF(struct fz_cfg, list), "L", "l"),
	PB_OPT_TABLE_END,
};

static const struct pb_cmd_spec fz_spec = {
	.name = "fuzz", .head = "fuzz\n", .opts = fz_opts, .max_args = 2,
};

static const char *const fz_names[] = { "alpha", "beta", "gamma" };

/* The value alone through each parser. */
static void values(const char *s)
{
	unsigned long long u, ns;
	unsigned int mask;
	double d;

	pb_parse_u64(s, 0, ~0ULL, &u);
	pb_parse_u64(s, 1, 100, &u);
	pb_parse_double(s, -1e300, 1e300, &d);
	pb_parse_duration_ns(s, &ns);
	pb_parse_name_mask(s, fz_names, 3, &mask);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[16], *p;
	struct fz_cfg cfg;
	int argc = 1, first;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	values(buf);
	/* and as an argument vector: NUL or newline separated */
	argv[0] = "fuzz";
	for (p = buf; argc < 15 && p < buf + size; argc++) {
		argv[argc] = p;
		p += strcspn(p, "\n");
		*p++ = '\0';
	}
	argv[argc] = NULL;
	memset(&cfg, 0, sizeof(cfg));
	pb_opts_parse(&fz_spec, argc, argv, &cfg, &first);
	free(buf);
	return 0;
}
