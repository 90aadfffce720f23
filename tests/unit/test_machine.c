// SPDX-License-Identifier: GPL-2.0
/* user/common/machine.c and user/results/machine_json.c: the fingerprint a
 * guest inherits from its host, the label, the id (the same hash that
 * tests/fixtures/gen.py writes), and the fields compare names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "machine.h"
#include "machine_json.h"

/* lab-a of tests/fixtures/gen.py, as the host passes it to a guest. */
#define LAB_A "lab-a\x1fIntel(R) Xeon(R) Gold 6330 CPU @ 2.00GHz\x1f" \
	"0xf0\x1f" "8\x1f" "32\x1f" "6.1.0-28-amd64"

static void test_guest_takes_the_host_fields(void **state)
{
	struct pb_machine m;

	setenv(PB_MACHINE_ENV, LAB_A, 1);
	unsetenv(PB_MACHINE_LABEL_ENV);
	pb_machine_of_run(&m, "tcg");
	assert_string_equal(m.label, "lab-a");
	assert_string_equal(m.cpu, "Intel(R) Xeon(R) Gold 6330 CPU @ 2.00GHz");
	assert_int_equal(m.ncpu, 8);
	assert_int_equal(m.mem_gib, 32);
	assert_string_equal(m.host_kernel, "6.1.0-28-amd64");
	assert_string_equal(m.id, "92ed1cce07d290c3");	/* machine-a.json */

	/* another hypervisor or label is another machine */
	pb_machine_of_run(&m, "kvm");
	assert_string_not_equal(m.id, "92ed1cce07d290c3");
	setenv(PB_MACHINE_LABEL_ENV, "rack 7", 1);
	pb_machine_of_run(&m, "tcg");
	assert_string_equal(m.label, "rack 7");
	assert_string_not_equal(m.id, "92ed1cce07d290c3");
	unsetenv(PB_MACHINE_LABEL_ENV);
}

static void test_export_probes_once(void **state)
{
	struct pb_machine m;

	unsetenv(PB_MACHINE_ENV);
	pb_machine_export();
	assert_non_null(getenv(PB_MACHINE_ENV));
	pb_machine_of_run(&m, "none");
	assert_true(m.ncpu >= 1);
	assert_true(m.mem_gib >= 1);
	assert_int_equal(strlen(m.id), 16);
	/* set already: left alone (a guest keeps its host's) */
	setenv(PB_MACHINE_ENV, LAB_A, 1);
	pb_machine_export();
	assert_string_equal(getenv(PB_MACHINE_ENV), LAB_A);
	/* malformed: probed here instead */
	setenv(PB_MACHINE_ENV, "lab-a\x1f" "cpu", 1);
	pb_machine_of_run(&m, "none");
	assert_string_not_equal(m.cpu, "cpu");
}

static void test_labels(void **state)
{
	assert_true(pb_machine_label_ok("ci-runner-3"));
	assert_false(pb_machine_label_ok(""));
	assert_false(pb_machine_label_ok("a\nb"));
	assert_false(pb_machine_label_ok("0123456789012345678901234567890123456789012345678901234567890123"));
}

static void test_diff_names_fields(void **state)
{
	struct pb_machine a, b;
	struct json_object *ja, *jb;
	char buf[512];

	setenv(PB_MACHINE_ENV, LAB_A, 1);
	pb_machine_of_run(&a, "tcg");
	b = a;
	b.ncpu = 16;
	snprintf(b.hypervisor, sizeof(b.hypervisor), "kvm");
	pb_machine_set_id(&b);
	ja = pb_machine_json(&a);
	jb = pb_machine_json(&b);
	assert_int_equal(pb_machine_diff(ja, jb, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "ncpu: 8 -> 16; hypervisor: \"tcg\" -> \"kvm\"");
	assert_int_equal(pb_machine_diff(ja, ja, buf, sizeof(buf)), 0);
	assert_int_equal(pb_machine_diff(NULL, jb, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	json_object_put(ja);
	json_object_put(jb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_takes_the_host_fields),
		cmocka_unit_test(test_export_probes_once),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_diff_names_fields),
	};

	return cmocka_run_group_tests_name("machine", tests, NULL, NULL);
}
