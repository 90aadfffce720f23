// SPDX-License-Identifier: GPL-2.0
/* Driver options: defaults, parsing, range and cross-option checks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "peelbench.h"

static const char *const family_names[] = { "inet", "inet6", NULL };
static const char *const connect_names[] = { "epoll", "blocking", NULL };
static const char *const call_names[] = { "peeloff", "peeloff_flags", NULL };

#define F(field) offsetof(struct bench_config, field)

const struct bench_option bench_options[] = {
	{ "assocs", BENCH_OPT_U64, F(assocs), 1, BENCH_MAX_ASSOCS, NULL, "N",
	  "associations set up and peeled per round (default 10000)" },
	{ "family", BENCH_OPT_ENUM, F(family), 0, 0, family_names, "inet|inet6",
	  "address family on loopback (default inet)" },
	{ "port", BENCH_OPT_U64, F(port), 0, 65535, NULL, "PORT",
	  "server port (default 0: an ephemeral port)" },
	{ "src-addrs", BENCH_OPT_U64, F(src_addrs), 0, 253, NULL, "K",
	  "client source addresses 127.0.0.2..; 0: as many as needed (default)" },
	{ "connect", BENCH_OPT_ENUM, F(connect), 0, 0, connect_names, "epoll|blocking",
	  "association setup: non-blocking connects under epoll (default) or one blocking connect at a time" },
	{ "connect-window", BENCH_OPT_U64, F(connect_window), 1, 65536, NULL, "N",
	  "connects in flight with --connect epoll (default 256)" },
	{ "threads", BENCH_OPT_U64, F(threads), 1, 256, NULL, "K",
	  "peel workers (default 1)" },
	{ "rate", BENCH_OPT_DOUBLE, F(rate), 0, 1e9, NULL, "R",
	  "peeloffs per second over all workers (default 0: as fast as they can)" },
	{ "call", BENCH_OPT_ENUM, F(call), 0, 0, call_names, "peeloff|peeloff_flags",
	  "SCTP_SOCKOPT_PEELOFF or SCTP_SOCKOPT_PEELOFF_FLAGS (default peeloff; peeloff_flags with --flags)" },
	{ "flags", BENCH_OPT_FLAGS, F(flags), 0, 0, NULL, "none|nonblock,cloexec",
	  "flags for sctp_peeloff_flags; implies --call peeloff_flags" },
	{ "load-share", BENCH_OPT_DOUBLE, F(load_share), 0, 1, NULL, "F",
	  "share of associations that keep sending during the peel phase (default 0)" },
	{ "load-rate", BENCH_OPT_DOUBLE, F(load_rate), 0, 1e7, NULL, "R",
	  "their messages per second in total (default 1000)" },
	{ "msg-size", BENCH_OPT_U64, F(msg_size), BENCH_MSG_HDR, 65536, NULL, "BYTES",
	  "bytes per message (default 64)" },
	{ "backlog", BENCH_OPT_U64, F(backlog), 0, 1000000, NULL, "M",
	  "messages of other associations left unread on the parent (default 0)" },
	{ "assoc-queue", BENCH_OPT_U64, F(assoc_queue), 0, 100000, NULL, "Q",
	  "messages queued on each association just before its peeloff (default 0)" },
	{ "warmup", BENCH_OPT_U64, F(warmup), 0, BENCH_MAX_ASSOCS, NULL, "N",
	  "associations set up and peeled first, not counted (default 100)" },
	{ "repeat", BENCH_OPT_U64, F(repeat), 1, 1000, NULL, "N",
	  "measured rounds (default 3)" },
	{ "abort-peers", BENCH_OPT_U64, F(abort_peers), 0, BENCH_MAX_ASSOCS, NULL, "N",
	  "peers that abort their association as the peel phase starts (default 0)" },
	{ "verify-timeout", BENCH_OPT_DURATION_MS, F(verify_timeout_ms), 1, 3600000, NULL, "DURATION",
	  "limit for one peeled socket's round trip (default 10s)" },
	{ NULL },
};

void bench_config_defaults(struct bench_config *c)
{
	memset(c, 0, sizeof(*c));
	c->assocs = 10000;
	c->family = BENCH_INET;
	c->connect = BENCH_CONNECT_EPOLL;
	c->connect_window = 256;
	c->threads = 1;
	c->call = BENCH_CALL_PEELOFF;
	c->load_rate = 1000;
	c->msg_size = 64;
	c->warmup = 100;
	c->repeat = 3;
	c->verify_timeout_ms = 10000;
}

const struct bench_option *bench_option_find(const char *name)
{
	const struct bench_option *o;

	for (o = bench_options; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

static bool parse_flags(const char *val, unsigned int *out)
{
	/* bit i of the mask is names[i]: BENCH_FLAG_NONBLOCK, BENCH_FLAG_CLOEXEC */
	static const char *const names[] = { "nonblock", "cloexec" };

	if (!strcmp(val, "none")) {
		*out = 0;
		return true;
	}
	if (strlen(val) >= 64 || !*val)
		return false;
	/* "a,,b" and a trailing comma leave no token for the gap: refuse. */
	if (strstr(val, ",,") || val[0] == ',' || val[strlen(val) - 1] == ',')
		return false;
	return !pb_parse_name_mask(val, names, 2, out);
}

bool bench_config_set(struct bench_config *c, const struct bench_option *o,
		      const char *val, char *err, size_t errlen)
{
	void *p = (char *)c + o->off;
	unsigned long long u, ns;
	double d;
	int i;

	switch (o->type) {
	case BENCH_OPT_U64:
		if (!pb_parse_u64(val, (unsigned long long)o->min,
				  (unsigned long long)o->max, &u))
			goto range;
		*(unsigned long long *)p = u;
		return true;
	case BENCH_OPT_DOUBLE:
		if (!pb_parse_double(val, o->min, o->max, &d))
			goto range;
		*(double *)p = d;
		return true;
	case BENCH_OPT_DURATION_MS:
		if (!pb_parse_duration_ns(val, &ns) || ns / 1000000 < o->min ||
		    ns / 1000000 > o->max) {
			snprintf(err, errlen, "--%s: '%s' is not a duration between %gms and %gms",
				 o->name, val, o->min, o->max);
			return false;
		}
		*(unsigned long long *)p = ns / 1000000;
		return true;
	case BENCH_OPT_ENUM:
		for (i = 0; o->choices[i]; i++) {
			if (!strcmp(o->choices[i], val)) {
				*(int *)p = i;
				if (o->off == F(call))
					c->call_given = true;
				return true;
			}
		}
		snprintf(err, errlen, "--%s: unknown value '%s' (expected %s)",
			 o->name, val, o->metavar);
		return false;
	case BENCH_OPT_FLAGS:
		if (!parse_flags(val, (unsigned int *)p)) {
			snprintf(err, errlen, "--%s: unknown flag in '%s' (expected none, or nonblock and/or cloexec)",
				 o->name, val);
			return false;
		}
		c->flags_given = true;
		if (!c->call_given)
			c->call = BENCH_CALL_PEELOFF_FLAGS;
		return true;
	}
	return false;
range:
	snprintf(err, errlen, "--%s: '%s' is not a number between %.15g and %.15g",
		 o->name, val, o->min, o->max);
	return false;
}

unsigned long long bench_config_src_addrs(const struct bench_config *c)
{
	if (c->src_addrs)
		return c->src_addrs;
	if (c->family == BENCH_INET6)
		return 1;
	return (c->assocs + BENCH_PORTS_PER_ADDR - 1) / BENCH_PORTS_PER_ADDR;
}

/* Association i keeps sending when floor((i+1)F) > floor(iF): exactly
 * floor(N F) of them, spread evenly over the peel order. */
bool bench_config_is_loaded(const struct bench_config *c, unsigned long long i)
{
	return floor((double)(i + 1) * c->load_share) > floor((double)i * c->load_share);
}

unsigned long long bench_config_load_assocs(const struct bench_config *c)
{
	return (unsigned long long)floor((double)c->assocs * c->load_share);
}

/* The parent's backlog comes from a few extra associations that are never
 * peeled, so that peeling does not drain it (sctp_sock_migrate moves only
 * the peeled association's skbs). */
unsigned long long bench_config_fillers(const struct bench_config *c)
{
	return c->backlog < 16 ? c->backlog : 16;
}

unsigned long long bench_config_fds_needed(const struct bench_config *c)
{
	unsigned long long per_round = c->assocs > c->warmup ? c->assocs : c->warmup;

	/* clients + fillers + one peeled socket per worker + server, epoll,
	 * stdio, the result file, the tracer's maps and links. */
	return per_round + bench_config_fillers(c) + c->threads + 64;
}

bool bench_config_check(const struct bench_config *c, char *err, size_t errlen)
{
	unsigned long long k = bench_config_src_addrs(c);

	if (c->call == BENCH_CALL_PEELOFF && c->flags_given) {
		snprintf(err, errlen, "--flags needs --call peeloff_flags (sctp_peeloff takes no flags)");
		return false;
	}
	if (c->family == BENCH_INET6 && k > 1) {
		snprintf(err, errlen, "--family inet6 has one loopback address (::1): --src-addrs must be 1");
		return false;
	}
	if (c->family == BENCH_INET && k > 253) {
		snprintf(err, errlen, "--assocs %llu needs more than 253 source addresses", c->assocs);
		return false;
	}
	if (c->assocs > k * BENCH_PORTS_PER_ADDR || c->warmup > k * BENCH_PORTS_PER_ADDR) {
		snprintf(err, errlen, "%llu associations need %llu source addresses (%d ports each); %llu given",
			 c->assocs > c->warmup ? c->assocs : c->warmup,
			 ((c->assocs > c->warmup ? c->assocs : c->warmup) + BENCH_PORTS_PER_ADDR - 1) /
				 BENCH_PORTS_PER_ADDR, BENCH_PORTS_PER_ADDR, k);
		return false;
	}
	if (c->abort_peers > c->assocs) {
		snprintf(err, errlen, "--abort-peers %llu is more than --assocs %llu",
			 c->abort_peers, c->assocs);
		return false;
	}
	if (c->load_share > 0 && c->load_rate <= 0) {
		snprintf(err, errlen, "--load-share needs a --load-rate above 0");
		return false;
	}
	return true;
}

const char *bench_flags_name(unsigned int flags)
{
	switch (flags & (BENCH_FLAG_NONBLOCK | BENCH_FLAG_CLOEXEC)) {
	case BENCH_FLAG_NONBLOCK:
		return "nonblock";
	case BENCH_FLAG_CLOEXEC:
		return "cloexec";
	case BENCH_FLAG_NONBLOCK | BENCH_FLAG_CLOEXEC:
		return "nonblock,cloexec";
	default:
		return "none";
	}
}

const char *bench_call_name(int call)
{
	return call_names[call == BENCH_CALL_PEELOFF_FLAGS];
}
