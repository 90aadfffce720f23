// SPDX-License-Identifier: GPL-2.0
/* user/results/kenv.c: the kernel's configuration options that matter, read
 * from a config file (plain and gzip), the env keys a result gets, and the
 * one-line warning `compare` prints when two results' kernels differ in
 * them (the exit code stays the comparison's). */
#include <stdarg.h>
#include <sys/utsname.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "helpers.h"
#include "kenv.h"

#define FX "tests/fixtures/"
#define CONFIG FX "kconfig/config-6.1"

static const char *get(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "(absent)";
}

static void check_config_6_1(struct json_object *c)
{
	assert_non_null(c);
	/* 54 of the fixture's 64 lines name an option that matters */
	assert_int_equal(json_object_object_length(c), 54);
	assert_string_equal(get(c, "HZ"), "250");
	assert_string_equal(get(c, "HZ_1000"), "n");
	assert_string_equal(get(c, "PREEMPT_DYNAMIC"), "y");
	assert_string_equal(get(c, "PREEMPT_NONE"), "n");
	assert_string_equal(get(c, "KASAN"), "n");
	assert_string_equal(get(c, "PROVE_LOCKING"), "n");
	assert_string_equal(get(c, "RETPOLINE"), "y");
	assert_string_equal(get(c, "IP_SCTP"), "m");
	assert_string_equal(get(c, "BPF_JIT"), "y");
	assert_string_equal(get(c, "DEBUG_INFO_BTF"), "y");
	assert_string_equal(get(c, "FTRACE"), "y");
	assert_string_equal(get(c, "SCTP_FIXTURE_STRING"), "sha1 md5");
	/* options that do not matter are left out */
	assert_string_equal(get(c, "NET"), "(absent)");
	assert_string_equal(get(c, "LOCALVERSION"), "(absent)");
	assert_string_equal(get(c, "CC_VERSION_TEXT"), "(absent)");
}

static void test_config_plain_and_gzip(void **state)
{
	char *dir = scratch_dir(), gz[300];
	struct json_object *c;
	struct run_out r;

	c = kenv_config_read(CONFIG);
	check_config_6_1(c);
	json_object_put(c);

	snprintf(gz, sizeof(gz), "%s/config.gz", dir);
	r = run_cmd("cp " CONFIG " %s/config && gzip %s/config", dir, dir);
	assert_int_equal(r.status, 0);
	run_free(&r);
	c = kenv_config_read(gz);
	check_config_6_1(c);
	json_object_put(c);

	assert_null(kenv_config_read(FX "kconfig/no-such-config"));
	rm_rf(dir);
}

static void test_env_keys(void **state)
{
	struct json_object *env = json_object_new_object(), *src, *m;
	char *cmdline = slurp("/proc/cmdline");
	const char *from;

	setenv("PEELBENCH_KERNEL_CONFIG", CONFIG, 1);
	setenv("PEELBENCH_KERNEL_SOURCE", "linux-image-6.18.15+deb13-amd64 6.18.15-1~bpo13+1 trixie-backports unverified", 1);
	kenv_add(env);
	unsetenv("PEELBENCH_KERNEL_CONFIG");
	unsetenv("PEELBENCH_KERNEL_SOURCE");

	/* the running kernel's own config comes first; else the package's */
	from = get(env, "kernel_config_from");
	if (access("/proc/config.gz", R_OK))
		assert_string_equal(from, "package");
	else
		assert_string_equal(from, "/proc/config.gz");
	assert_true(json_object_object_get_ex(env, "kernel_config", NULL));
	cmdline[strcspn(cmdline, "\n")] = '\0';
	assert_string_equal(get(env, "cmdline"), cmdline);
	assert_true(json_object_object_get_ex(env, "mitigations", &m));
	if (!access("/sys/devices/system/cpu/vulnerabilities/spectre_v2", R_OK))
		assert_string_not_equal(get(m, "spectre_v2"), "(absent)");
	assert_true(json_object_object_get_ex(env, "kernel_source", &src));
	assert_string_equal(get(src, "package"), "linux-image-6.18.15+deb13-amd64");
	assert_string_equal(get(src, "suite"), "trixie-backports");
	assert_string_equal(get(src, "how"), "unverified");
	assert_true(kenv_key("kernel_config") && kenv_key("mitigations") && !kenv_key("kernel"));
	free(cmdline);
	json_object_put(env);
}

/* The build id: from ELF notes as /sys/kernel/notes has them (a Xen note
 * before the GNU one, as in an x86 kernel), refused when cut short; in env
 * with where it came from, and uname -v. */
static void test_build_id(void **state)
{
	static const unsigned char notes[] = {
		4, 0, 0, 0, 4, 0, 0, 0, 18, 0, 0, 0, 'X', 'e', 'n', 0, 1, 2, 3, 4,
		4, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0,
		0xa3, 0xe4, 0xcd, 0x60, 0x00, 0xff, 0, 0,
	};
	struct json_object *env = json_object_new_object(), *id;
	struct utsname u;
	char out[129];

	assert_true(kenv_notes_build_id(notes, sizeof(notes), out, sizeof(out)));
	assert_string_equal(out, "a3e4cd6000ff");
	assert_false(kenv_notes_build_id(notes, sizeof(notes) - 4, out, sizeof(out)));
	assert_false(kenv_notes_build_id(notes, 20, out, sizeof(out)));
	assert_false(kenv_notes_build_id(notes, sizeof(notes), out, 12));

	setenv("PEELBENCH_KERNEL_BUILD_ID", "sha256 0123abcd", 1);
	kenv_add(env);
	unsetenv("PEELBENCH_KERNEL_BUILD_ID");
	assert_true(json_object_object_get_ex(env, "kernel_build_id", &id));
	if (access("/sys/kernel/notes", R_OK)) {
		assert_string_equal(get(id, "kind"), "sha256");
		assert_string_equal(get(id, "id"), "0123abcd");
		assert_string_equal(get(id, "from"), "image");
	} else {
		assert_string_equal(get(id, "kind"), "gnu-build-id");
		assert_string_equal(get(id, "from"), "/sys/kernel/notes");
		assert_int_equal(strlen(get(id, "id")), 40);
	}
	assert_int_equal(uname(&u), 0);
	assert_string_equal(get(env, "uname_v"), u.version);
	assert_true(kenv_key("kernel_build_id") && kenv_key("uname_v"));
	json_object_put(env);
}

static struct json_object *env_of(const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	assert_non_null(o);
	return o;
}

/* kenv_differences of two envs given as JSON text is WANT. */
static void differences_are(const char *a, const char *b, const char *want)
{
	struct json_object *ea = env_of(a), *eb = env_of(b);
	char *d = kenv_differences(ea, eb);

	assert_string_equal(d, want);
	free(d);
	json_object_put(ea);
	json_object_put(eb);
}

static void test_differences(void **state)
{
	const char *a = "{\"kernel\":\"x\",\"kernel_config\":{\"HZ\":\"250\",\"KASAN\":\"n\"},"
			"\"cmdline\":\"console=ttyS0\",\"mitigations\":{\"mds\":\"Not affected\",\"spectre_v2\":\"Mitigation: Retpolines\"}}";
	const char *b = "{\"kernel\":\"y\",\"kernel_config\":{\"HZ\":\"1000\",\"KASAN\":\"n\",\"LOCKDEP\":\"y\"},"
			"\"cmdline\":\"console=ttyS0 quiet\",\"mitigations\":{\"mds\":\"Not affected\",\"spectre_v2\":\"Vulnerable\"}}";
	const char *many = "{\"kernel_config\":{\"A\":\"1\",\"B\":\"1\",\"C\":\"1\",\"D\":\"1\",\"E\":\"1\",\"F\":\"1\"}}";
	struct json_object *ea = env_of(a);

	assert_null(kenv_differences(ea, ea));
	json_object_put(ea);
	differences_are(a, b, "kernel_config (HZ: 250 -> 1000, LOCKDEP: absent -> y), cmdline, mitigations (spectre_v2)");
	differences_are(many, "{\"kernel_config\":null}", "kernel_config (unknown in the second result)");
	differences_are("{}", many, "kernel_config (unknown in the first result)");
	differences_are(many, "{\"kernel_config\":{}}",
			"kernel_config (A: 1 -> absent, B: 1 -> absent, C: 1 -> absent, D: 1 -> absent and 2 more)");
}

/* base.json and a copy whose env says HZ 1000 and another command line. */
static void write_pair(const char *dir)
{
	struct json_object *r = json_object_from_file(FX "base.json"), *env;
	char path[300];

	assert_non_null(r);
	assert_true(json_object_object_get_ex(r, "env", &env));
	json_object_object_add(env, "kernel_config", env_of("{\"HZ\":\"250\",\"PREEMPT_DYNAMIC\":\"y\"}"));
	json_object_object_add(env, "cmdline", json_object_new_string("console=ttyS0"));
	snprintf(path, sizeof(path), "%s/a.json", dir);
	assert_int_equal(json_object_to_file(path, r), 0);
	json_object_object_add(env, "kernel_config", env_of("{\"HZ\":\"1000\",\"PREEMPT_DYNAMIC\":\"y\"}"));
	json_object_object_add(env, "cmdline", json_object_new_string("console=ttyS0 mitigations=off"));
	snprintf(path, sizeof(path), "%s/b.json", dir);
	assert_int_equal(json_object_to_file(path, r), 0);
	json_object_put(r);
}

static void test_compare_warns_in_one_line(void **state)
{
	char *dir = scratch_dir();
	struct run_out r;

	write_pair(dir);
	r = run_cmd("./peelbench compare %s/a.json %s/b.json", dir, dir);
	assert_int_equal(r.status, 0);	/* as base.json against itself */
	assert_string_equal(r.err, "peelbench: compare: warning: the kernels of a and b differ in "
				   "kernel_config (HZ: 250 -> 1000), cmdline\n");
	assert_non_null(strstr(r.out, "0 regressions, 0 improvements"));
	run_free(&r);
	r = run_cmd("./peelbench compare %s/a.json %s/a.json", dir, dir);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	run_free(&r);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_plain_and_gzip),
		cmocka_unit_test(test_env_keys),
		cmocka_unit_test(test_build_id),
		cmocka_unit_test(test_differences),
		cmocka_unit_test(test_compare_warns_in_one_line),
	};

	return cmocka_run_group_tests_name("kenv", tests, NULL, NULL);
}
