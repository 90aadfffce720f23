/* SPDX-License-Identifier: GPL-2.0 */
/* What of the running kernel changes what a peeloff costs, for a result's
 * env (README "Result schema"): the configuration options that matter, the
 * command line, the CPU vulnerability mitigations, and, in a guest of
 * scripts/vm-run, the Debian package it booted.  And the one-line summary
 * of how two results differ in them, for `compare`. */
#ifndef PEELBENCH_KENV_H
#define PEELBENCH_KENV_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* The CONFIG_ options that matter, from the config file PATH (plain or
 * gzip): {"HZ": "250", "KASAN": "n", ...}, "n" for "is not set".  NULL
 * when PATH cannot be read. */
struct json_object *kenv_config_read(const char *path);

/* Adds kernel_config, kernel_config_from, cmdline, mitigations,
 * kernel_build_id (when known), uname_v and (in a vm-run guest)
 * kernel_source to the env object. */
void kenv_add(struct json_object *env);

/* The GNU build id (NT_GNU_BUILD_ID) among LEN bytes of ELF notes, as
 * /sys/kernel/notes has them, in hex into out; false without one. */
bool kenv_notes_build_id(const unsigned char *notes, size_t len, char *out, size_t size);

/* The env keys kenv_add writes: compared by kenv_differences, not by the
 * exact equality the rest of env needs. */
bool kenv_key(const char *key);

/* "kernel_config (HZ: 250 -> 1000), cmdline" when the two envs differ in
 * any of kenv_add's keys, else NULL; malloc'd. */
char *kenv_differences(struct json_object *a, struct json_object *b);
/* The same as data: {"kernel_config": {"HZ": ["250", "1000"]},
 * "cmdline": ["...", "..."], ...}: for each of kernel_config, cmdline,
 * mitigations and kernel_source that differs, [a's, b's] (null where
 * absent), per key for the maps; NULL when none differs. */
struct json_object *kenv_differences_json(struct json_object *a, struct json_object *b);

#endif
