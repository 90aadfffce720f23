// SPDX-License-Identifier: GPL-2.0
/* user/common/phase_work.c and its readers: a phase compares across
 * kernels only where it measured the same work, else its group does.
 * The probe plans are the real ones of a 6.1 and a 7.3 guest
 * (tests/fixtures/probes-*.json, trace.probes of `peelbench matrix
 * --kernels 6.1,7.3` results); the phase figures are those of issue 11
 * (6.1 clone 2.44 us + migrate 33.3 us, 7.3 clone 64.8 us). */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "compare.h"
#include "matrix.h"
#include "phase_work.h"
#include "result.h"

#define FX "tests/fixtures/"
#define REPEAT 3

/* A result of kernel k ("6.1", "7.3") in repeat r (0..2): its real probe
 * plan, phase p50s near the given figures, a few percent apart per repeat. */
static struct pb_result *result_of(const char *k, int r)
{
	static const double s61[] = { 120000, 80000, 2440, 33300, 3000 };
	static const double s73[] = { 150000, 110000, 64800, -1, 3500 };
	const double *s = !strcmp(k, "6.1") ? s61 : s73;
	static const double jitter[REPEAT] = { 0.97, 1.0, 1.04 };
	struct json_object *root = json_object_new_object(), *m = json_object_new_object();
	struct json_object *t = json_object_new_object(), *fx;
	struct pb_result *res;
	char path[128], name[64];
	const char *text;
	unsigned int p;

	snprintf(path, sizeof(path), FX "probes-%s.json", k);
	fx = json_object_from_file(path);
	assert_non_null(fx);
	json_object_object_add(t, "probes", json_object_get(json_object_object_get(fx, "probes")));
	json_object_object_add(root, "schema", json_object_new_string(PB_RESULT_SCHEMA));
	json_object_object_add(root, "complete", json_object_new_boolean(1));
	json_object_object_add(m, "peel_per_s", json_object_new_double(1000 * jitter[r]));
	for (p = 0; p < PB_PH_MAX; p++) {
		if (s[p] < 0)
			continue;	/* 7.3: migrate is inlined into clone */
		snprintf(name, sizeof(name), "phase.%s.p50_ns", pb_phase_name(p));
		json_object_object_add(m, name, json_object_new_double(s[p] * jitter[r]));
	}
	json_object_object_add(root, "metrics", m);
	json_object_object_add(root, "trace", t);
	text = json_object_to_json_string(root);
	snprintf(path, sizeof(path), "%s-r%d.json", k, r + 1);
	assert_int_equal(pb_result_parse(text, strlen(text), path, &res), 0);
	json_object_put(root);
	json_object_put(fx);
	return res;
}

static void test_work_table(void **state)
{
	unsigned int w[PB_PH_MAX] = { 0 };
	char buf[128];

	assert_int_equal(pb_symbol_work("sctp_clone_sock"),
			 pb_symbol_work("sctp_copy_sock") | pb_symbol_work("sctp_sock_migrate"));
	assert_int_equal(pb_symbol_work("sctp_getsockopt_peeloff_common.constprop.0"),
			 pb_symbol_work("sctp_do_peeloff") | PB_W_FD);
	assert_int_equal(pb_symbol_work("syscalls:sys_enter_getsockopt"),
			 pb_symbol_work("__sys_getsockopt"));
	assert_int_equal(pb_symbol_work("sctp_do_peeloff_cb"), 0);
	pb_work_name(pb_symbol_work("sctp_clone_sock"), buf, sizeof(buf));
	assert_string_equal(buf, "copy+migrate+assoc_migrate");
	/* 6.1: clone + migrate; 7.3: clone alone; assoc_migrate nests in both */
	w[PB_PH_CLONE] = pb_symbol_work("sctp_copy_sock");
	w[PB_PH_MIGRATE] = pb_symbol_work("sctp_sock_migrate");
	w[PB_PH_ASSOC_MIGRATE] = pb_symbol_work("sctp_assoc_migrate");
	assert_int_equal(pb_group_cover(w, pb_phase_groups[0].work),
			 1u << PB_PH_CLONE | 1u << PB_PH_MIGRATE);
	w[PB_PH_CLONE] = pb_symbol_work("sctp_clone_sock");
	w[PB_PH_MIGRATE] = 0;
	assert_int_equal(pb_group_cover(w, pb_phase_groups[0].work), 1u << PB_PH_CLONE);
	w[PB_PH_CLONE] = 0;	/* --phases without clone: no cover */
	assert_int_equal(pb_group_cover(w, pb_phase_groups[0].work), 0);
}

/* The row of metric in the table: from its name to the end of the line. */
static char *row(char *table, const char *metric)
{
	char key[80], *p, *e;

	snprintf(key, sizeof(key), "\n%s ", metric);
	p = strstr(table, key);
	assert_non_null(p);
	p++;
	e = strchr(p, '\n');
	return strndup(p, e ? (size_t)(e - p) : strlen(p));
}

static void test_matrix_61_vs_73(void **state)
{
	static const char *const never_starred[] = {
		"phase.clone.p50_ns", "phase.do_peeloff.p50_ns",
	};
	struct mx_outcome out[2 * REPEAT] = { 0 };
	struct mx_matrix m = { 0 };
	struct mx_opts o;
	struct mx_plan p;
	char *buf = NULL, *r, *line;
	size_t len = 0, i;
	int k, rep;
	FILE *f;

	assert_int_equal(mx_parse(3, (char *[]){ "matrix", "--kernels", "6.1,7.3", NULL }, &o), 0);
	assert_int_equal(mx_plan_build(&o, &p), 0);
	m.plan = &p;
	m.dir = "/nowhere";
	m.out = out;
	for (k = 0; k < 2; k++)
		for (rep = 0; rep < REPEAT; rep++) {
			mx_at(&m, rep + 1, k, 0)->res = result_of(k ? "7.3" : "6.1", rep);
			mx_at(&m, rep + 1, k, 0)->state = MX_OK;
		}
	f = open_memstream(&buf, &len);
	mx_print_table(&m, f);
	fclose(f);
	/* clone and do_peeloff measure other work on 7.3: no ratio, no star */
	for (i = 0; i < 2; i++) {
		r = row(buf, never_starred[i]);
		if (!strstr(r, "not comparable") || strchr(r, '*'))
			fail_msg("%s", r);
		free(r);
	}
	/* the like-for-like group: 64.8 / (2.44 + 33.3) = 1.81, starred */
	r = row(buf, "group.copy_migrate.p50_ns");
	if (!strstr(r, "1.81 [") || !strchr(r, '*'))
		fail_msg("%s", r);
	free(r);
	/* every starred row compares the same work */
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "] *") && strncmp(line, "group.", 6) &&
		    strncmp(line, "peel_per_s", 10) && strncmp(line, "phase.syscall.", 14) &&
		    strncmp(line, "phase.assoc_migrate.", 20))
			fail_msg("starred: %s", line);
	free(buf);
	for (i = 0; i < 2 * REPEAT; i++)
		pb_result_free(out[i].res);
	mx_plan_free(&p);
	mx_opts_free(&o);
}

static void test_compare_61_vs_73(void **state)
{
	struct pb_comparison c = { .threshold = 5, .alpha = 0.05 };
	size_t i;
	bool group = false;

	c.base = result_of("6.1", 1);
	c.new = result_of("7.3", 1);
	assert_int_equal(pb_compare(&c, NULL, 0, true), 0);
	for (i = 0; i < c.nm; i++) {
		if (!strcmp(c.m[i].name, "phase.clone.p50_ns") ||
		    !strcmp(c.m[i].name, "phase.do_peeloff.p50_ns")) {
			assert_int_equal(c.m[i].verdict, PB_V_NOT_COMPARABLE);
			assert_non_null(strstr(c.m[i].source, " covers "));
		}
		if (!strcmp(c.m[i].name, "group.copy_migrate.p50_ns")) {
			group = true;
			assert_true(fabs(c.m[i].new / c.m[i].base - 64800.0 / 35740.0) < 1e-9);
		}
	}
	assert_true(group);
	pb_comparison_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_work_table),
		cmocka_unit_test(test_matrix_61_vs_73),
		cmocka_unit_test(test_compare_61_vs_73),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
