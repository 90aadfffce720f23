// SPDX-License-Identifier: GPL-2.0
/* user/tracer/calib.c, the parts that need no kernel: which pair kind
 * each hook of a plan is, when the calibration is usable for
 * compensation, its JSON (trace.calibration) and the one line `trace`
 * and `run` print from that JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "calib.h"
#include "probes.h"

/* A 7.3-like plan: do_peeloff by kprobe on its encloser, migrate inlined. */
static void plan_73(struct probe_plan *p)
{
	static const enum pb_attach att[PB_HOOK_MAX] = {
		PB_ATTACH_FENTRY, PB_ATTACH_KPROBE, PB_ATTACH_FENTRY,
		PB_ATTACH_UNAVAILABLE, PB_ATTACH_FENTRY, PB_ATTACH_FENTRY,
	};
	__u32 h;

	memset(p, 0, sizeof(*p));
	for (h = 0; h < PB_HOOK_MAX; h++)
		p->hook[h].attach = att[h];
}

static void measured(struct calib_pair *p, const char *func, double added, double self)
{
	p->used = p->ok = true;
	snprintf(p->func, sizeof(p->func), "%s", func);
	p->trigger = "getppid()";
	p->rounds = 12;
	p->n = 1200;
	p->added_ns = added;
	p->added_lo = added - 100;
	p->added_hi = added + 100;
	p->self_ns = self;
	p->self_lo = self - 10;
	p->self_hi = self + 10;
}

static void test_hook_pairs(void **state)
{
	struct probe_plan p;
	__u32 pairs[PB_HOOK_MAX];

	(void)state;
	plan_73(&p);
	calib_hook_pairs(&p, pairs);
	assert_int_equal(pairs[PB_PH_SYSCALL], PB_PAIR_SYSCALL);
	assert_int_equal(pairs[PB_PH_DO_PEELOFF], PB_PAIR_KPROBE);
	assert_int_equal(pairs[PB_PH_CLONE], PB_PAIR_FENTRY);
	assert_int_equal(pairs[PB_PH_ASSOC_MIGRATE], PB_PAIR_FENTRY);
	assert_int_equal(pairs[PB_HOOK_ACCEPT], PB_PAIR_FENTRY);
}

static void test_usable(void **state)
{
	struct calib c;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_false(calib_usable(&c));		/* not run */
	c.done = true;
	measured(&c.pair[PB_PAIR_FENTRY], "__do_sys_getppid", 1300, 600);
	measured(&c.pair[PB_PAIR_SYSCALL], "__sys_getsockopt", 1600, 500);
	assert_true(calib_usable(&c));
	c.pair[PB_PAIR_KPROBE].used = true;	/* used but not measured */
	assert_false(calib_usable(&c));
}

static char *print_line(struct json_object *cal)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	calib_print_json(cal, f);
	fclose(f);
	return buf;
}

static void test_json_and_line(void **state)
{
	struct json_object *o, *pairs, *fe, *v;
	struct calib c;
	char *line;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.done = true;
	c.seconds = 2.5;
	measured(&c.pair[PB_PAIR_FENTRY], "__do_sys_getppid", 1300, 596);
	measured(&c.pair[PB_PAIR_SYSCALL], "__sys_getsockopt", 1643, 486);
	o = calib_json(&c);
	assert_true(json_object_object_get_ex(o, "pairs", &pairs));
	assert_int_equal(json_object_object_length(pairs), 2);	/* kprobe unused */
	assert_true(json_object_object_get_ex(pairs, "fentry", &fe));
	assert_true(json_object_object_get_ex(fe, "added_ci95", &v));
	assert_int_equal((int)json_object_get_double(json_object_array_get_idx(v, 1)), 1400);
	assert_true(json_object_object_get_ex(fe, "n", &v));
	assert_int_equal(json_object_get_int(v), 1200);
	assert_true(json_object_object_get_ex(o, "compensated", &v));
	assert_true(json_object_get_boolean(v));
	line = print_line(o);
	assert_string_equal(line, "calibration fentry pair +1300 ns added, 596 ns self; "
			    "syscall (fentry) pair +1643 ns added, 486 ns self; 2.50 s\n");
	free(line);
	json_object_put(o);

	c.pair[PB_PAIR_KPROBE].used = true;
	snprintf(c.pair[PB_PAIR_KPROBE].error, sizeof(c.pair[0].error), "cannot attach: ENOENT");
	snprintf(c.pair[PB_PAIR_KPROBE].func, sizeof(c.pair[0].func), "__do_sys_getppid");
	c.pair[PB_PAIR_KPROBE].trigger = "getppid()";
	o = calib_json(&c);
	line = print_line(o);
	assert_string_equal(line, "calibration fentry pair +1300 ns added, 596 ns self; "
			    "kprobe failed (cannot attach: ENOENT); syscall (fentry) pair +1643 ns added, "
			    "486 ns self; 2.50 s; no compensated figures\n");
	free(line);
	json_object_put(o);
	line = print_line(NULL);
	assert_string_equal(line, "");
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hook_pairs),
		cmocka_unit_test(test_usable),
		cmocka_unit_test(test_json_and_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
