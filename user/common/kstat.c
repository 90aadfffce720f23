// SPDX-License-Identifier: GPL-2.0
/* Snapshots of the kernel's SCTP and socket counters (kstat.h). */
#include <stdlib.h>
#include <string.h>

#include "kstat.h"

static void add(struct pb_kstat *s, const char *name, long long v, int *added)
{
	if (s->n >= PB_KSTAT_MAX || strlen(name) >= PB_KSTAT_NAME)
		return;
	snprintf(s->c[s->n].name, PB_KSTAT_NAME, "%s", name);
	s->c[s->n].v = v;
	s->n++;
	(*added)++;
}

/* A whole decimal integer (sign allowed), or -1 (not a number). */
static int parse_ll(const char *t, long long *v)
{
	char *end;

	if (!t || !*t)
		return -1;
	*v = strtoll(t, &end, 10);
	return *end ? -1 : 0;
}

int pb_kstat_parse_snmp(struct pb_kstat *s, FILE *f)
{
	char line[256], name[PB_KSTAT_NAME];
	long long v;
	int added = 0;

	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%47s %lld", name, &v) == 2)
			add(s, name, v, &added);
	return added;
}

/* "TCP: inuse 5 orphan 0 tw 0 alloc 7 mem 1": pairs after the label. */
int pb_kstat_parse_sockstat(struct pb_kstat *s, FILE *f)
{
	char line[512], name[PB_KSTAT_NAME * 2], *save, *label, *key, *val;
	long long v;
	int added = 0;

	while (fgets(line, sizeof(line), f)) {
		label = strtok_r(line, ": \t\n", &save);
		while (label && (key = strtok_r(NULL, " \t\n", &save)) &&
		       (val = strtok_r(NULL, " \t\n", &save))) {
			if (parse_ll(val, &v))
				break;
			snprintf(name, sizeof(name), "sockstat.%s.%s", label, key);
			add(s, name, v, &added);
		}
	}
	return added;
}

static int column(char *header, const char *want)
{
	char *save, *t = strtok_r(header, " \t\n", &save);

	for (int i = 0; t; i++, t = strtok_r(NULL, " \t\n", &save))
		if (!strcmp(t, want))
			return i;
	return -1;
}

/* The SCTP and SCTPv6 rows, by the header's column names. */
int pb_kstat_parse_protocols(struct pb_kstat *s, FILE *f)
{
	static const char *const cols[] = { "sockets", "memory", "press" };
	char line[512], hdr[512], name[PB_KSTAT_NAME], *tok[16], *save;
	int idx[3], added = 0, nt;
	long long v;

	if (!fgets(hdr, sizeof(hdr), f))
		return 0;
	for (int k = 0; k < 3; k++) {
		snprintf(line, sizeof(line), "%s", hdr);
		idx[k] = column(line, cols[k]);
	}
	while (fgets(line, sizeof(line), f)) {
		nt = 0;
		for (char *t = strtok_r(line, " \t\n", &save); t && nt < 16;
		     t = strtok_r(NULL, " \t\n", &save))
			tok[nt++] = t;
		if (!nt || (strcmp(tok[0], "SCTP") && strcmp(tok[0], "SCTPv6")))
			continue;
		for (int k = 0; k < 3; k++) {
			if (idx[k] < 0 || idx[k] >= nt)
				continue;
			if (k == 2)
				v = !strcmp(tok[idx[k]], "yes") ? 1 :
				    !strcmp(tok[idx[k]], "no") ? 0 : -1;
			else if (parse_ll(tok[idx[k]], &v))
				continue;
			snprintf(name, sizeof(name), "proto.%s.%s", tok[0], cols[k]);
			add(s, name, v, &added);
		}
	}
	return added;
}

int pb_kstat_parse_sctp_mem(struct pb_kstat *s, FILE *f)
{
	long long m[3];
	int added = 0;

	if (fscanf(f, "%lld %lld %lld", &m[0], &m[1], &m[2]) != 3)
		return 0;
	add(s, "sctp_mem.min", m[0], &added);
	add(s, "sctp_mem.pressure", m[1], &added);
	add(s, "sctp_mem.max", m[2], &added);
	return added;
}

int pb_kstat_read(struct pb_kstat *s, const char *root)
{
	static const struct {
		const char *path;
		int (*parse)(struct pb_kstat *, FILE *);
	} src[] = {
		{ "/proc/net/sctp/snmp", pb_kstat_parse_snmp },
		{ "/proc/net/sockstat", pb_kstat_parse_sockstat },
		{ "/proc/net/protocols", pb_kstat_parse_protocols },
		{ "/proc/sys/net/sctp/sctp_mem", pb_kstat_parse_sctp_mem },
	};
	char path[4096];
	int total = 0;

	s->n = 0;
	for (size_t i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s%s", root ? root : "", src[i].path);
		f = fopen(path, "re");
		if (!f)
			continue;
		total += src[i].parse(s, f);
		fclose(f);
	}
	return total;
}

long long pb_kstat_get(const struct pb_kstat *s, const char *name, long long dflt)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].name, name))
			return s->c[i].v;
	return dflt;
}

int pb_kstat_diff(const struct pb_kstat *a, const struct pb_kstat *b,
		  struct pb_kstat_delta *out, int max)
{
	int n = 0;

	for (int i = 0; i < b->n && n < max; i++) {
		long long d = b->c[i].v - pb_kstat_get(a, b->c[i].name, 0);

		if (d) {
			out[n].name = b->c[i].name;
			out[n].d = d;
			n++;
		}
	}
	return n;
}
