// SPDX-License-Identifier: GPL-2.0
/* The running kernel's configuration, command line and mitigations for a
 * result's env, and how two results differ in them. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <json-c/json.h>
#include <zlib.h>

#include "kenv.h"

/* CONFIG_ names (prefixes) that change what a peeloff costs: preemption
 * and tick, debugging and sanitizers, speculation mitigations, SCTP
 * itself, the BPF JIT and the function tracer that fentry/kprobes use. */
static const char *const config_prefixes[] = {
	"PREEMPT", "HZ", "NO_HZ", "DEBUG_", "KASAN", "LOCKDEP", "PROVE_LOCKING",
	"MITIGATION_", "RETPOLINE", "SCTP_", "IP_SCTP", "BPF_JIT", "FTRACE",
};

static const char *const kenv_keys[] = {
	"kernel_config", "kernel_config_from", "cmdline", "mitigations", "kernel_source",
	"kernel_build_id", "uname_v",
};

#define VULN_DIR "/sys/devices/system/cpu/vulnerabilities"
#define MAX_LISTED 4	/* names spelled out in one difference */

static bool config_wanted(const char *name, size_t len)
{
	size_t i, n;

	for (i = 0; i < sizeof(config_prefixes) / sizeof(config_prefixes[0]); i++) {
		n = strlen(config_prefixes[i]);
		if (len >= n && !strncmp(name, config_prefixes[i], n))
			return true;
	}
	return false;
}

/* "CONFIG_X=v" or "# CONFIG_X is not set" into o when X matters. */
static void config_line(struct json_object *o, char *line)
{
	char *name, *v, *end;
	bool unset = !strncmp(line, "# CONFIG_", 9);

	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "CONFIG_", 7) && !unset)
		return;
	name = line + (unset ? 9 : 7);
	end = unset ? strstr(name, " is not set") : strchr(name, '=');
	if (!end || !config_wanted(name, (size_t)(end - name)))
		return;
	v = unset ? "n" : end + 1;
	*end = '\0';
	if (*v == '"' && strlen(v) >= 2 && v[strlen(v) - 1] == '"') {
		v[strlen(v) - 1] = '\0';
		v++;
	}
	json_object_object_add(o, name, json_object_new_string(v));
}

struct json_object *kenv_config_read(const char *path)
{
	struct json_object *o;
	char line[1024];
	gzFile f = gzopen(path, "r");	/* reads plain files as they are */

	if (!f)
		return NULL;
	o = json_object_new_object();
	while (gzgets(f, line, sizeof(line)))
		config_line(o, line);
	gzclose(f);
	return o;
}

/* The running kernel's config: /proc/config.gz (CONFIG_IKCONFIG_PROC), the
 * package's that scripts/vm-run passes into its guests, /boot/config-R. */
static struct json_object *config_probe(const char **from)
{
	const char *pkg = getenv("PEELBENCH_KERNEL_CONFIG");
	static char boot[300];
	struct json_object *o;
	struct utsname u;

	if ((o = kenv_config_read("/proc/config.gz"))) {
		*from = "/proc/config.gz";
		return o;
	}
	if (pkg && *pkg && (o = kenv_config_read(pkg))) {
		*from = "package";
		return o;
	}
	if (!uname(&u)) {
		snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);
		if ((o = kenv_config_read(boot))) {
			*from = boot;
			return o;
		}
	}
	*from = "none";
	return NULL;
}

/* A small file's first line, without its newline; NULL if unreadable. */
static struct json_object *file_line(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return json_object_new_string(buf);
}

/* {"spectre_v2": "Mitigation: ...", ...} in name order; NULL without the
 * folder (kernels before 4.15, other architectures). */
static struct json_object *mitigations_probe(void)
{
	struct json_object *o, *v;
	struct dirent **names;
	char path[512];
	int i, n = scandir(VULN_DIR, &names, NULL, alphasort);

	if (n < 0)
		return NULL;
	o = json_object_new_object();
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), VULN_DIR "/%s", names[i]->d_name);
			if ((v = file_line(path)))
				json_object_object_add(o, names[i]->d_name, v);
		}
		free(names[i]);
	}
	free(names);
	return o;
}

/* PEELBENCH_KERNEL_SOURCE, "package version suite how" (scripts/vm-run). */
static struct json_object *source_probe(void)
{
	static const char *const keys[] = { "package", "version", "suite", "how" };
	const char *s = getenv("PEELBENCH_KERNEL_SOURCE");
	struct json_object *o;
	char buf[512], *tok, *save = NULL;
	size_t i;

	if (!s || !*s)
		return NULL;
	snprintf(buf, sizeof(buf), "%s", s);
	o = json_object_new_object();
	for (i = 0, tok = strtok_r(buf, " ", &save); tok && i < 4;
	     i++, tok = strtok_r(NULL, " ", &save))
		json_object_object_add(o, keys[i], json_object_new_string(tok));
	return o;
}

/* The GNU build id among the ELF notes of NOTES (Elf64_Nhdr: namesz,
 * descsz, type, then name and desc, each padded to 4 bytes), in hex into
 * out; false when there is none. */
bool kenv_notes_build_id(const unsigned char *notes, size_t len, char *out, size_t size)
{
	size_t off = 0, i;

	while (off + 12 <= len) {
		uint32_t nsz, dsz, type;
		size_t name, desc, next;

		memcpy(&nsz, notes + off, 4);
		memcpy(&dsz, notes + off + 4, 4);
		memcpy(&type, notes + off + 8, 4);
		name = off + 12;
		desc = name + ((nsz + 3) & ~3u);
		next = desc + ((dsz + 3) & ~3u);
		if (next > len || desc + dsz > len)
			return false;
		if (type == 3 && nsz == 4 && !memcmp(notes + name, "GNU", 4) && dsz &&
		    2 * dsz < size) {	/* NT_GNU_BUILD_ID */
			for (i = 0; i < dsz; i++)
				snprintf(out + 2 * i, 3, "%02x", notes[desc + i]);
			return true;
		}
		off = next;
	}
	return false;
}

/* {"id": HEX, "kind": "gnu-build-id", "from": WHERE}: from the running
 * kernel's notes (/sys/kernel/notes), else what scripts/vm-run found in
 * the image it booted (PEELBENCH_KERNEL_BUILD_ID, "KIND HEX": a sha256 of
 * the image when it has no build id).  NULL when neither is there. */
static struct json_object *build_id_probe(void)
{
	const char *vm = getenv("PEELBENCH_KERNEL_BUILD_ID");
	unsigned char notes[4096];
	char id[129], kind[32];
	struct json_object *o;
	size_t n = 0;
	FILE *f = fopen("/sys/kernel/notes", "rb");

	if (f) {
		n = fread(notes, 1, sizeof(notes), f);
		fclose(f);
	}
	if (n && kenv_notes_build_id(notes, n, id, sizeof(id))) {
		snprintf(kind, sizeof(kind), "gnu-build-id");
		vm = "/sys/kernel/notes";
	} else if (vm && sscanf(vm, "%31s %128s", kind, id) == 2) {
		vm = "image";
	} else {
		return NULL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "from", json_object_new_string(vm));
	return o;
}

void kenv_add(struct json_object *env)
{
	struct json_object *id = build_id_probe();
	struct utsname u;
	const char *from;
	struct json_object *config = config_probe(&from), *src = source_probe();

	json_object_object_add(env, "kernel_config", config);
	json_object_object_add(env, "kernel_config_from", json_object_new_string(from));
	json_object_object_add(env, "cmdline", file_line("/proc/cmdline"));
	json_object_object_add(env, "mitigations", mitigations_probe());
	if (src)
		json_object_object_add(env, "kernel_source", src);
	if (id)
		json_object_object_add(env, "kernel_build_id", id);
	if (!uname(&u))
		json_object_object_add(env, "uname_v", json_object_new_string(u.version));
}

bool kenv_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(kenv_keys) / sizeof(kenv_keys[0]); i++)
		if (!strcmp(key, kenv_keys[i]))
			return true;
	return false;
}

static const char *text(struct json_object *o)
{
	if (!o)
		return "absent";
	if (json_object_is_type(o, json_type_string))
		return json_object_get_string(o);
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

static bool same(struct json_object *a, struct json_object *b)
{
	char *ta = strdup(text(a));
	bool eq = ta && !strcmp(ta, text(b));

	free(ta);
	return eq;
}

/* ", " between two differences. */
static void sep(FILE *f, bool *first)
{
	fputs(*first ? "" : ", ", f);
	*first = false;
}

/* Keys of two objects whose values differ: "HZ: 250 -> 1000, ..." with
 * values (with_values) or names only, the first MAX_LISTED spelled out. */
static void map_differences(FILE *f, struct json_object *a, struct json_object *b,
			    bool with_values)
{
	struct json_object *other;
	int n = 0;

	json_object_object_foreach(a, k, va) {
		other = NULL;
		json_object_object_get_ex(b, k, &other);
		if (same(va, other) || ++n > MAX_LISTED)
			continue;
		fprintf(f, "%s%s", n > 1 ? ", " : "", k);
		if (with_values)
			fprintf(f, ": %s -> %s", text(va), text(other));
	}
	json_object_object_foreach(b, kb, vb) {
		if (json_object_object_get_ex(a, kb, &other) || ++n > MAX_LISTED)
			continue;
		fprintf(f, "%s%s", n > 1 ? ", " : "", kb);
		if (with_values)
			fprintf(f, ": absent -> %s", text(vb));
	}
	if (n > MAX_LISTED)
		fprintf(f, " and %d more", n - MAX_LISTED);
}

/* One key's difference, if any: "name", or "name (details)" for maps. */
static void key_difference(FILE *f, struct json_object *a, struct json_object *b,
			   const char *key, bool *first)
{
	struct json_object *va = NULL, *vb = NULL;

	json_object_object_get_ex(a, key, &va);
	json_object_object_get_ex(b, key, &vb);
	if (same(va, vb))
		return;
	sep(f, first);
	fputs(key, f);
	if (json_object_is_type(va, json_type_object) && json_object_is_type(vb, json_type_object)) {
		fputs(" (", f);
		map_differences(f, va, vb, strcmp(key, "mitigations"));
		fputs(")", f);
	} else if (!va || !vb || json_object_is_type(va, json_type_null) ||
		   json_object_is_type(vb, json_type_null)) {
		fprintf(f, " (unknown in the %s result)",
			!va || json_object_is_type(va, json_type_null) ? "first" : "second");
	}
}

static const char *const compared[] = { "kernel_config", "cmdline", "mitigations", "kernel_source" };

/* [a, b], null for an absent value. */
static struct json_object *pair(struct json_object *a, struct json_object *b)
{
	struct json_object *p = json_object_new_array();

	json_object_array_add(p, a ? json_object_get(a) : NULL);
	json_object_array_add(p, b ? json_object_get(b) : NULL);
	return p;
}

/* {KEY: [a, b]} for each key of two objects whose values differ. */
static struct json_object *map_pairs(struct json_object *a, struct json_object *b)
{
	struct json_object *o = json_object_new_object(), *other;

	json_object_object_foreach(a, k, va) {
		other = NULL;
		json_object_object_get_ex(b, k, &other);
		if (!same(va, other))
			json_object_object_add(o, k, pair(va, other));
	}
	json_object_object_foreach(b, kb, vb) {
		if (!json_object_object_get_ex(a, kb, &other))
			json_object_object_add(o, kb, pair(NULL, vb));
	}
	return o;
}

struct json_object *kenv_differences_json(struct json_object *a, struct json_object *b)
{
	struct json_object *o = json_object_new_object(), *va, *vb;
	size_t i;

	for (i = 0; i < sizeof(compared) / sizeof(compared[0]); i++) {
		va = vb = NULL;
		json_object_object_get_ex(a, compared[i], &va);
		json_object_object_get_ex(b, compared[i], &vb);
		if (same(va, vb))
			continue;
		if (json_object_is_type(va, json_type_object) &&
		    json_object_is_type(vb, json_type_object))
			json_object_object_add(o, compared[i], map_pairs(va, vb));
		else
			json_object_object_add(o, compared[i], pair(va, vb));
	}
	if (!json_object_object_length(o)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

char *kenv_differences(struct json_object *a, struct json_object *b)
{
	bool first = true;
	char *buf = NULL;
	size_t i, len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (i = 0; i < sizeof(compared) / sizeof(compared[0]); i++)
		key_difference(f, a, b, compared[i], &first);
	fclose(f);
	if (first) {
		free(buf);
		return NULL;
	}
	return buf;
}
