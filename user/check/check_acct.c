// SPDX-License-Identifier: GPL-2.0
/* Socket accounting under /proc/net (check_acct.h).  Every counter read
 * here is per network namespace and exact (summed over CPUs when read):
 * the "sockets" column of protocols is sock_prot_inuse_get()
 * (net/core/sock.c proto_seq_printf()), sockstat's "sockets: used" is
 * sock_inuse_get(), the sctp files list one line per association or
 * endpoint.  So after a cycle that closed everything it opened, each
 * must be back at its start value, to the unit. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_acct.h"
#include "peelbench.h"

static const char *const acct_names[ACCT_N] = {
	[ACCT_SCTP_SOCKETS] = "protocols SCTP sockets",
	[ACCT_SCTPV6_SOCKETS] = "protocols SCTPv6 sockets",
	[ACCT_CURR_ESTAB] = "SctpCurrEstab",
	[ACCT_ASSOCS] = "sctp/assocs lines",
	[ACCT_EPS] = "sctp/eps lines",
	[ACCT_SOCKETS_USED] = "sockstat sockets used",
};

const char *check_acct_name(enum check_acct_counter c)
{
	return c < ACCT_N ? acct_names[c] : "?";
}

static FILE *acct_open(const char *dir, const char *file, char *err,
		       size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		snprintf(err, len, "%s: %s", file, pb_errno_name(errno));
	return f;
}

/* protocols: "NAME SIZE SOCKETS MEMORY ...", one line per protocol. */
static int read_protocols(const char *dir, struct check_acct *a, char *err,
			  size_t len)
{
	FILE *f = acct_open(dir, "protocols", err, len);
	char line[512], name[32];
	long size, socks;
	int seen = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %ld %ld", name, &size, &socks) != 3)
			continue;
		if (!strcmp(name, "SCTP")) {
			a->v[ACCT_SCTP_SOCKETS] = socks;
			seen |= 1;
		} else if (!strcmp(name, "SCTPv6")) {
			a->v[ACCT_SCTPV6_SOCKETS] = socks;
			seen |= 2;
		}
	}
	fclose(f);
	if (seen != 3)
		snprintf(err, len, "protocols: no %s line",
			 seen & 1 ? "SCTPv6" : "SCTP");
	return seen == 3 ? 0 : -1;
}

/* "KEY VALUE" lines (sctp/snmp) or "KEY: a N b M" (sockstat): the number
 * after word in the line that starts with key. */
static int read_keyed(const char *dir, const char *file, const char *key,
		      const char *word, long *v, char *err, size_t len)
{
	FILE *f = acct_open(dir, file, err, len);
	char line[512];
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		char *p = line;
		size_t kl = strlen(key);

		if (strncmp(line, key, kl) || (line[kl] != ' ' && line[kl] != '\t'))
			continue;
		p = word ? strstr(line + kl, word) : line + kl;
		if (p && sscanf(p + (word ? strlen(word) : 0), "%ld", v) == 1)
			found = 0;
	}
	fclose(f);
	if (found)
		snprintf(err, len, "%s: no %s%s%s", file, key, word ? " " : "",
			 word ? word : "");
	return found;
}

/* Lines of a table after its header line. */
static int read_lines(const char *dir, const char *file, long *v, char *err,
		      size_t len)
{
	FILE *f = acct_open(dir, file, err, len);
	long n = 0;
	int c, prev = '\n';

	if (!f)
		return -1;
	while ((c = getc(f)) != EOF) {
		if (c == '\n')
			n++;
		prev = c;
	}
	if (prev != '\n')
		n++;
	fclose(f);
	*v = n > 0 ? n - 1 : 0;
	return 0;
}

int check_acct_read(const char *dir, struct check_acct *a, char *err,
		    size_t len)
{
	memset(a, 0, sizeof(*a));
	if (read_protocols(dir, a, err, len) ||
	    read_keyed(dir, "sctp/snmp", "SctpCurrEstab", NULL,
		       &a->v[ACCT_CURR_ESTAB], err, len) ||
	    read_lines(dir, "sctp/assocs", &a->v[ACCT_ASSOCS], err, len) ||
	    read_lines(dir, "sctp/eps", &a->v[ACCT_EPS], err, len) ||
	    read_keyed(dir, "sockstat", "sockets:", "used ",
		       &a->v[ACCT_SOCKETS_USED], err, len))
		return -1;
	return 0;
}

int check_acct_drift(const struct check_acct *start,
		     const struct check_acct *peak,
		     const struct check_acct *end, unsigned n, char *out,
		     size_t len)
{
	int c;

	for (c = 0; c < ACCT_N; c++) {
		if (start->v[c] == end->v[c])
			continue;
		snprintf(out, len, "%s start %ld end %ld (peak %ld, N=%u)",
			 acct_names[c], start->v[c], end->v[c], peak->v[c], n);
		return c;
	}
	return -1;
}
