// SPDX-License-Identifier: GPL-2.0
/* The machine a result was measured on (machine.h). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "machine.h"

#define SEP '\x1f'	/* between fields in PB_MACHINE_ENV */

/* Copy a value without control characters (and so without SEP). */
static void copy_clean(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = iscntrl((unsigned char)src[i]) ? '?' : src[i];
	dst[i] = '\0';
}

/* The value after "key<spaces>: " in a /proc line, or NULL. */
static const char *proc_value(char *line, const char *key)
{
	size_t n = strlen(key);
	char *v;

	if (strncmp(line, key, n) || !(v = strchr(line + n, ':')))
		return NULL;
	for (v++; isspace((unsigned char)*v); v++)
		;
	v[strcspn(v, "\n")] = '\0';
	return v;
}

static void read_cpuinfo(struct pb_machine *m)
{
	char line[1024];
	const char *v;
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(m->cpu, sizeof(m->cpu), "unknown");
	if (!f)
		return;
	/* The first processor's: microcode can differ per core only while
	 * an update is being applied. */
	while (fgets(line, sizeof(line), f)) {
		if ((v = proc_value(line, "model name")) && !strcmp(m->cpu, "unknown"))
			copy_clean(m->cpu, sizeof(m->cpu), v);
		else if ((v = proc_value(line, "microcode")) && !*m->microcode)
			copy_clean(m->microcode, sizeof(m->microcode), v);
	}
	fclose(f);
}

static unsigned read_mem_gib(void)
{
	char line[256];
	unsigned long long kib = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kib) == 1)
			break;
	fclose(f);
	/* Rounded: MemTotal moves by megabytes between kernel versions. */
	return (unsigned)((kib + 512 * 1024) / (1024 * 1024));
}

void pb_machine_probe_host(struct pb_machine *m)
{
	struct utsname u;
	char host[256] = "";

	memset(m, 0, sizeof(*m));
	read_cpuinfo(m);
	m->ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	m->mem_gib = read_mem_gib();
	copy_clean(m->host_kernel, sizeof(m->host_kernel),
		   uname(&u) ? "unknown" : u.release);
	if (gethostname(host, sizeof(host) - 1) || !*host)
		snprintf(host, sizeof(host), "unknown");
	copy_clean(m->label, sizeof(m->label), host);
}

bool pb_machine_label_ok(const char *label)
{
	size_t n = strlen(label), i;

	if (!n || n >= sizeof(((struct pb_machine *)0)->label))
		return false;
	for (i = 0; i < n; i++)
		if (iscntrl((unsigned char)label[i]))
			return false;
	return true;
}

void pb_machine_export(void)
{
	struct pb_machine m;
	char buf[512];

	if (getenv(PB_MACHINE_ENV))
		return;
	pb_machine_probe_host(&m);
	snprintf(buf, sizeof(buf), "%s%c%s%c%s%c%d%c%u%c%s", m.label, SEP, m.cpu,
		 SEP, m.microcode, SEP, m.ncpu, SEP, m.mem_gib, SEP, m.host_kernel);
	setenv(PB_MACHINE_ENV, buf, 1);
}

/* The next SEP-terminated field of *s, copied; false when there is none. */
static bool next_field(const char **s, char *dst, size_t size)
{
	const char *end;
	size_t n;

	if (!*s)
		return false;
	end = strchr(*s, SEP);
	n = end ? (size_t)(end - *s) : strlen(*s);
	snprintf(dst, size, "%.*s", (int)n, *s);
	*s = end ? end + 1 : NULL;
	return true;
}

/* PB_MACHINE_ENV as pb_machine_export writes it; false when malformed. */
static bool parse_env(const char *s, struct pb_machine *m)
{
	char ncpu[16], mem[16], *end;

	memset(m, 0, sizeof(*m));
	if (!next_field(&s, m->label, sizeof(m->label)) ||
	    !next_field(&s, m->cpu, sizeof(m->cpu)) ||
	    !next_field(&s, m->microcode, sizeof(m->microcode)) ||
	    !next_field(&s, ncpu, sizeof(ncpu)) ||
	    !next_field(&s, mem, sizeof(mem)) ||
	    !next_field(&s, m->host_kernel, sizeof(m->host_kernel)) || s)
		return false;
	m->ncpu = (int)strtol(ncpu, &end, 10);
	if (*end || m->ncpu <= 0)
		return false;
	m->mem_gib = (unsigned)strtoul(mem, &end, 10);
	return !*end;
}

void pb_machine_set_id(struct pb_machine *m)
{
	char text[512];
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	const char *s;

	snprintf(text, sizeof(text), "%s\n%s\n%s\n%d\n%u\n%s\n%s", m->label,
		 m->cpu, m->microcode, m->ncpu, m->mem_gib, m->hypervisor,
		 m->host_kernel);
	for (s = text; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	snprintf(m->id, sizeof(m->id), "%016llx", (unsigned long long)h);
}

void pb_machine_of_run(struct pb_machine *m, const char *hypervisor)
{
	const char *env = getenv(PB_MACHINE_ENV), *label = getenv(PB_MACHINE_LABEL_ENV);

	if (!env || !parse_env(env, m))
		pb_machine_probe_host(m);
	if (label && pb_machine_label_ok(label))
		copy_clean(m->label, sizeof(m->label), label);
	copy_clean(m->hypervisor, sizeof(m->hypervisor), hypervisor);
	pb_machine_set_id(m);
}
