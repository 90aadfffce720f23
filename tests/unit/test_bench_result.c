// SPDX-License-Identifier: GPL-2.0
/* user/result_write.c: the result file of `peelbench run` as the stats
 * and history commands will read it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "driver.h"
#include "migration_fit.h"
#include "result_write.h"

static struct json_object *get(struct json_object *o, const char *path)
{
	char buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, "/", &save); tok && o; tok = strtok_r(NULL, "/", &save))
		if (!json_object_object_get_ex(o, tok, &o))
			return NULL;
	return o;
}

static void fake_result(struct bench_result *r)
{
	static uint64_t lat[] = { 300, 100, 200, 400 };

	memset(r, 0, sizeof(*r));
	bench_errors_init(&r->errs);
	bench_errors_init(&r->warmup_errs);
	bench_errors_add(&r->errs, "EINVAL");
	bench_errors_add(&r->errs, "EINVAL");
	r->complete = true;
	r->assocs = 5;
	r->peeled = 4;
	r->verified = 4;
	r->warmup_peeled = 2;
	r->peel_per_s = 1234.56;
	r->lat.ns = lat;
	r->lat.len = r->lat.cap = 4;
	bench_lat_summarize(&r->lat, &r->sum);
	r->rounds = calloc(1, sizeof(*r->rounds));
	r->nrounds = 1;
	r->rounds[0].peeled = 4;
	r->rounds[0].sum = r->sum;
}

static struct json_object *trace_with_events(void)
{
	struct json_object *t = json_tokener_parse(
		"{\"phases\": {\"syscall\": {\"count\": 4, \"p50_ns\": 900, \"p99_ns\": 1900,"
		"  \"p999_ns\": 1900, \"mean_ns\": 1000.5},"
		"  \"migrate\": {\"count\": 0, \"p50_ns\": 0}},"
		" \"events\": ["
		"  {\"ret\": 5, \"parent_rq_len\": 0,    \"syscall_ns\": 1000, \"migrate_ns\": null},"
		"  {\"ret\": 6, \"parent_rq_len\": 100,  \"syscall_ns\": 3000, \"migrate_ns\": null},"
		"  {\"ret\": 7, \"parent_rq_len\": 1000, \"syscall_ns\": 21000, \"migrate_ns\": null},"
		"  {\"ret\": -22, \"parent_rq_len\": 5000, \"syscall_ns\": 1},"
		"  {\"ret\": 8, \"syscall_ns\": 99999}]}");

	assert_non_null(t);
	return t;
}

static void test_result_has_schema_config_metrics_driver(void **state)
{
	struct bench_config c;
	struct bench_result r;
	struct result_env env = { .kernel = "6.1.0-50-amd64", .cpu = "x", .vcpus = 2,
				  .vm = true, .accel = "tcg" };
	const struct bench_option *o;
	struct json_object *res, *v;

	bench_config_defaults(&c);
	c.assocs = 5;
	fake_result(&r);
	res = result_build(&c, &r, &env, trace_with_events(), "/tmp/x.json", 6, true, 0);
	assert_string_equal(json_object_get_string(get(res, "schema")), "peelbench-result/1");
	assert_true(json_object_get_boolean(get(res, "complete")));
	assert_string_equal(json_object_get_string(get(res, "created")), "1970-01-01T00:00:00Z");
	/* Every option, by its long name. */
	for (o = bench_options; o->name; o++) {
		char path[64];

		snprintf(path, sizeof(path), "config/%s", o->name);
		assert_true(json_object_object_get_ex(get(res, "config"), o->name, &v));
	}
	assert_null(get(res, "config/flags"));	/* sctp_peeloff: no flags */
	assert_string_equal(json_object_get_string(get(res, "config/verify-timeout")), "10000ms");
	assert_int_equal(json_object_get_int64(get(res, "metrics/latency.p50_ns")), 200);
	assert_int_equal(json_object_get_int64(get(res, "metrics/latency.max_ns")), 400);
	assert_float_equal(json_object_get_double(get(res, "metrics/peel_per_s")), 1234.6, 1e-9);
	assert_int_equal(json_object_get_int64(get(res, "metrics/phase.syscall.p99_ns")), 1900);
	/* A phase with no calls (inlined on this kernel) gives no metric. */
	assert_null(get(res, "metrics/phase.migrate.p50_ns"));
	assert_float_equal(json_object_get_double(get(res, "metrics/migrate.per_queued_msg_ns")), 20.0, 0.1);
	assert_int_equal(json_object_get_int64(get(res, "driver/errors/EINVAL")), 2);
	assert_int_equal(json_object_array_length(get(res, "samples/latency_ns")), 4);
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(get(res, "samples/latency_ns"), 0)), 300);
	assert_int_equal(json_object_array_length(get(res, "rounds")), 1);
	/* 4 measured + 2 warm-up peeloffs = the tracer's 6. */
	assert_true(json_object_get_boolean(get(res, "driver/tracer_agrees")));
	assert_non_null(get(res, "trace/phases"));
	json_object_put(res);
	free(r.rounds);
}

static void test_result_names_its_machine(void **state)
{
	struct bench_config c;
	struct bench_result r;
	struct result_env env;
	struct json_object *res;

	setenv("PEELBENCH_HOST_MACHINE", "lab-a\x1f" "Xeon\x1f" "0xf0\x1f" "8\x1f"
	       "32\x1f" "6.1.0-28-amd64", 1);
	setenv("PEELBENCH_ACCEL", "tcg", 1);
	setenv("PEELBENCH_MACHINE_LABEL", "ci-3", 1);
	result_env_probe(&env);
	bench_config_defaults(&c);
	fake_result(&r);
	res = result_build(&c, &r, &env, NULL, NULL, 0, false, 0);
	/* the host's fields, the run's accelerator, the label */
	assert_string_equal(json_object_get_string(get(res, "env/machine/label")), "ci-3");
	assert_string_equal(json_object_get_string(get(res, "env/machine/cpu")), "Xeon");
	assert_string_equal(json_object_get_string(get(res, "env/machine/microcode")), "0xf0");
	assert_int_equal(json_object_get_int(get(res, "env/machine/ncpu")), 8);
	assert_int_equal(json_object_get_int(get(res, "env/machine/mem_gib")), 32);
	assert_string_equal(json_object_get_string(get(res, "env/machine/hypervisor")), "tcg");
	assert_string_equal(json_object_get_string(get(res, "env/machine/host_kernel")),
			    "6.1.0-28-amd64");
	assert_string_equal(json_object_get_string(get(res, "env/machine/id")), env.machine.id);
	assert_int_equal(strlen(env.machine.id), 16);
	json_object_put(res);
	free(r.rounds);
	/* native: no hypervisor of peelbench's */
	unsetenv("PEELBENCH_ACCEL");
	unsetenv("PEELBENCH_GUEST");
	result_env_probe(&env);
	if (strcmp(env.accel, "tcg"))
		assert_string_equal(env.machine.hypervisor, "none");
	unsetenv("PEELBENCH_MACHINE_LABEL");
	unsetenv("PEELBENCH_HOST_MACHINE");
}

static void test_tracer_disagreement_is_recorded(void **state)
{
	struct bench_config c;
	struct bench_result r;
	struct result_env env = { .kernel = "k" };
	struct json_object *res;

	bench_config_defaults(&c);
	fake_result(&r);
	res = result_build(&c, &r, &env, NULL, NULL, 5, true, 0);
	assert_false(json_object_get_boolean(get(res, "driver/tracer_agrees")));
	assert_null(get(res, "trace"));
	json_object_put(res);
	/* Not traced: no claim either way. */
	res = result_build(&c, &r, &env, NULL, NULL, 0, false, 0);
	assert_null(get(res, "driver/tracer_agrees"));
	json_object_put(res);
	free(r.rounds);
}

static void test_slope_needs_events(void **state)
{
	struct pb_migration_fit s;
	struct json_object *t = trace_with_events();

	assert_int_equal(pb_migration_fit(t, "/tmp/x.json", &s), 0);
	assert_true(s.ok);
	/* migrate_ns null everywhere: the enclosing phase is fitted; the
	 * failed call and the event without features are left out. */
	assert_string_equal(s.phase, "syscall");
	assert_int_equal(s.fit.n, 3);
	assert_int_equal(s.fit.pairs, 3);
	assert_float_equal(s.fit.slope, 20.0, 1e-9);
	json_object_put(t);
	assert_int_equal(pb_migration_fit(NULL, NULL, &s), 0);
	assert_false(s.ok);
}

static void test_default_path_and_atomic_write(void **state)
{
	struct result_env env = { .kernel = "6.1.0-50-amd64" };
	char path[256], tmpl[] = "/tmp/pb-result-XXXXXX";
	struct json_object *o = json_object_new_object(), *back;

	result_default_path(path, sizeof(path), &env, 86400 + 3661);
	assert_string_equal(path, "results/run-6.1.0-50-amd64-19700102T010101Z.json");
	assert_non_null(mkdtemp(tmpl));
	snprintf(path, sizeof(path), "%s/sub/r.json", tmpl);
	json_object_object_add(o, "complete", json_object_new_boolean(0));
	assert_int_equal(result_write(path, o), 0);
	back = json_object_from_file(path);
	assert_non_null(back);
	assert_false(json_object_get_boolean(get(back, "complete")));
	json_object_put(back);
	json_object_put(o);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", tmpl);
	rmdir(path);
	rmdir(tmpl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_has_schema_config_metrics_driver),
		cmocka_unit_test(test_result_names_its_machine),
		cmocka_unit_test(test_tracer_disagreement_is_recorded),
		cmocka_unit_test(test_slope_needs_events),
		cmocka_unit_test(test_default_path_and_atomic_write),
	};

	return cmocka_run_group_tests_name("bench_result", tests, NULL, NULL);
}
