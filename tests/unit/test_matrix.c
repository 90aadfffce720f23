// SPDX-License-Identifier: GPL-2.0
/* peelbench matrix: option parsing, cell planning and the interleaved run
 * order (matrix.c); the table's ratios and CIs from fixture result files
 * (matrix_table.c); and the whole orchestration run as the user runs it,
 * with the developer hooks standing in for the VM runner and `run`
 * (tests/fixtures/matrix/fake-vm-run, fake-peelbench). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>

#include <json-c/json.h>

#include "helpers.h"
#include "matrix.h"
#include "peelbench.h"
#include "result.h"
#include "stats.h"

#define FX "tests/fixtures/"
#define HOOKS "PEELBENCH_MATRIX_VMRUN=$PWD/" FX "matrix/fake-vm-run " \
	      "PEELBENCH_MATRIX_EXEC=$PWD/" FX "matrix/fake-peelbench "

/* cmocka 1.1 has no double assertion: |a - b| <= eps, both printed. */
#define assert_near(a, b, eps) do { \
	double a_ = (a), b_ = (b); \
	if (!(fabs(a_ - b_) <= (eps))) \
		fail_msg("%s = %.17g, want %.17g", #a, a_, b_); \
} while (0)

static int parse(struct mx_opts *o, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	argv[argc++] = "matrix";
	va_start(ap, o);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return mx_parse(argc, argv, o);
}

static void test_parse_options_and_run_args(void **state)
{
	struct mx_opts o;

	assert_int_equal(parse(&o, "--kernels", "6.1,7.3,host", "--sweep", "assocs=1000,5000",
			       "--sweep=backlog=0,64,1024", "--repeat", "4", "--assocs-x", "7",
			       "--flags=cloexec", "--no-trace", "--run-repeat", "5", "--check",
			       "-o", "out", "--", "--msg-size", "64", NULL), 0);
	assert_int_equal(o.nkernels, 3);
	assert_string_equal(o.kernels[2], "host");
	assert_int_equal(o.nsweeps, 2);
	assert_string_equal(o.sweeps[1].key, "backlog");
	assert_int_equal(o.sweeps[1].n, 3);
	assert_string_equal(o.sweeps[1].values[2], "1024");
	assert_int_equal(o.repeat, 4);
	assert_true(o.check);
	assert_string_equal(o.outdir, "out");
	/* run options keep their order and form */
	assert_int_equal(o.nrun_args, 8);
	assert_string_equal(o.run_args[0], "--assocs-x");
	assert_string_equal(o.run_args[1], "7");
	assert_string_equal(o.run_args[2], "--flags=cloexec");
	assert_string_equal(o.run_args[3], "--no-trace");
	assert_string_equal(o.run_args[4], "--repeat");
	assert_string_equal(o.run_args[5], "5");
	assert_string_equal(o.run_args[6], "--msg-size");
	assert_string_equal(o.run_args[7], "64");
	assert_int_equal(mx_max_number(&o, "assocs"), 5000);
	assert_int_equal(mx_max_number(&o, "msg-size"), 64);
	mx_opts_free(&o);
}

static void test_bad_options_exit_2_with_one_line(void **state)
{
	static const char *const bad[] = {
		"",					/* no --kernels */
		"--kernels ''",
		"--kernels 6.1,6.1",
		"--kernels '6.1/../x'",
		"--kernels 6.1 --repeat 0",
		"--kernels 6.1 --repeat 1001",
		"--kernels 6.1 --sweep assocs",
		"--kernels 6.1 --sweep assocs=",
		"--kernels 6.1 --sweep assocs=1,1",
		"--kernels 6.1 --sweep 'assocs=1 2'",
		"--kernels 6.1 --sweep assocs=1 --sweep assocs=2",
		"--kernels 6.1 --sweep output=a,b",
		"--kernels 6.1 --sweep backlog=1,2 --backlog 3",
		"--kernels 6.1 --no-vm x",
		"--kernels 6.1 -- -o x",
		"--kernels 6.1 --vm-mem 12",
		"--kernels 6.1 --vm-timeout 1h",
		"--kernels 6.1 stray",
		"--kernels 6.1 -x",
		"--kernels 6.1 --assocs",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run_out r = run_cmd("./peelbench matrix --no-history %s", bad[i]);

		if (r.status != 2 || count_lines(r.err) != 1 ||
		    strncmp(r.err, "peelbench: matrix: ", 19) || r.out[0])
			fail_msg("'%s': exit %d, stderr '%s'", bad[i], r.status, r.err);
		run_free(&r);
	}
}

static void test_cells_are_the_cartesian_product(void **state)
{
	static const char *const names[] = {
		"assocs=1000+backlog=0", "assocs=1000+backlog=64",
		"assocs=5000+backlog=0", "assocs=5000+backlog=64",
		"assocs=10000+backlog=0", "assocs=10000+backlog=64",
	};
	const char **args;
	struct mx_opts o;
	struct mx_plan p;
	size_t i, n;

	assert_int_equal(parse(&o, "--kernels", "6.1", "--sweep", "assocs=1000,5000,10000",
			       "--sweep", "backlog=0,64", "--no-trace", NULL), 0);
	assert_int_equal(mx_plan_build(&o, &p), 0);
	assert_int_equal(p.ncells, 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(p.cells[i].name, names[i]);
	n = mx_cell_args(&p, 5, &args);
	assert_int_equal(n, 5);
	assert_string_equal(args[0], "--no-trace");
	assert_string_equal(args[1], "--assocs");
	assert_string_equal(args[2], "10000");
	assert_string_equal(args[3], "--backlog");
	assert_string_equal(args[4], "64");
	free(args);
	mx_plan_free(&p);
	mx_opts_free(&o);

	assert_int_equal(parse(&o, "--kernels", "6.1", NULL), 0);
	assert_int_equal(mx_plan_build(&o, &p), 0);
	assert_int_equal(p.ncells, 1);
	assert_string_equal(p.cells[0].name, "default");
	mx_plan_free(&p);
	mx_opts_free(&o);
}

static void test_order_interleaves_rounds(void **state)
{
	/* round, kernel, cell: every (kernel, cell) once per round */
	static const struct mx_step want[] = {
		{ 1, 0, 0 }, { 1, 0, 1 }, { 1, 1, 0 }, { 1, 1, 1 }, { 1, 2, 0 }, { 1, 2, 1 },
		{ 2, 0, 0 }, { 2, 0, 1 }, { 2, 1, 0 }, { 2, 1, 1 }, { 2, 2, 0 }, { 2, 2, 1 },
	};
	struct mx_step got[12];
	struct mx_opts o;
	struct mx_plan p;
	size_t i;

	assert_int_equal(parse(&o, "--kernels", "6.1,6.12,7.3", "--sweep", "backlog=0,64",
			       "--repeat", "2", NULL), 0);
	assert_int_equal(mx_plan_build(&o, &p), 0);
	assert_int_equal(mx_order(&p, got), 12);
	for (i = 0; i < 12; i++) {
		assert_int_equal(got[i].round, want[i].round);
		assert_int_equal(got[i].kernel, want[i].kernel);
		assert_int_equal(got[i].cell, want[i].cell);
	}
	mx_plan_free(&p);
	mx_opts_free(&o);
}

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Kernel A: base, rerun, identical; kernel B: regressed, other-config
 * (a 6.12 run) and a failed third repeat. */
static void test_table_ratio_and_ci_from_fixtures(void **state)
{
	static const char *const fa[] = { "base", "rerun", "identical" };
	static const char *const fb[] = { "regressed", "other-config" };
	double va[3], vb[2], want_ratio;
	struct mx_outcome out[6] = { 0 };
	struct mx_matrix m = { 0 };
	struct pb_ci ci;
	struct mx_value v;
	struct mx_opts o;
	struct mx_plan p;
	char path[256], *buf = NULL, want[128];
	size_t len = 0, i;
	FILE *f;

	assert_int_equal(parse(&o, "--kernels", "6.1,7.3", NULL), 0);
	assert_int_equal(mx_plan_build(&o, &p), 0);
	m.plan = &p;
	m.dir = "/nowhere";
	m.out = out;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), FX "%s.json", fa[i]);
		assert_int_equal(pb_result_load(path, &mx_at(&m, i + 1, 0, 0)->res), 0);
		mx_at(&m, i + 1, 0, 0)->state = MX_OK;
		assert_true(pb_result_metric(mx_at(&m, i + 1, 0, 0)->res,
					     "phase.migrate.p50_ns", &va[i]));
	}
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), FX "%s.json", fb[i]);
		assert_int_equal(pb_result_load(path, &mx_at(&m, i + 1, 1, 0)->res), 0);
		mx_at(&m, i + 1, 1, 0)->state = MX_OK;
		assert_true(pb_result_metric(mx_at(&m, i + 1, 1, 0)->res,
					     "phase.migrate.p50_ns", &vb[i]));
	}
	mx_at(&m, 3, 1, 0)->state = MX_FAILED;
	mx_at(&m, 3, 1, 0)->code = 6;
	snprintf(mx_at(&m, 3, 1, 0)->reason, 64, "the guest exceeded its time limit");

	mx_value(&m, 0, 1, "phase.migrate.p50_ns", &v);
	want_ratio = pb_median(vb, 2) / pb_median(va, 3);
	assert_int_equal(v.n, 2);
	assert_near(v.median, (vb[0] + vb[1]) / 2, 1e-9);
	assert_true(v.has_ratio && v.has_ci);
	assert_near(v.ratio, want_ratio, 1e-12);
	assert_int_equal(pb_bootstrap_change(va, 3, vb, 2, PB_STAT_MEDIAN, 2000, 0.95,
					     fnv("phase.migrate.p50_ns"), &ci), 0);
	assert_near(v.ci.lo, 1 + ci.lo / 100, 1e-12);
	assert_near(v.ci.hi, 1 + ci.hi / 100, 1e-12);
	assert_true(v.ci.lo <= v.ratio && v.ratio <= v.ci.hi && v.ci.lo < v.ci.hi);
	mx_value_free(&v);

	f = open_memstream(&buf, &len);
	mx_print_table(&m, f);
	fclose(f);
	snprintf(want, sizeof(want), "%.2f [%.2f, %.2f]", want_ratio, 1 + ci.lo / 100,
		 1 + ci.hi / 100);
	assert_non_null(strstr(buf, "phase.migrate.p50_ns"));
	assert_non_null(strstr(strstr(buf, "phase.migrate.p50_ns"), want));
	assert_non_null(strstr(buf, "2/3 ok"));
	assert_non_null(strstr(buf, "7.3 default r3: exit 6: the guest exceeded its time limit"));
	assert_non_null(strstr(buf, "1 failed"));
	/* 6.1's probe plan saw every phase */
	assert_non_null(strstr(buf, "probes see: syscall do_peeloff clone migrate assoc_migrate"));
	assert_int_equal(mx_failed_count(&m), 1);
	free(buf);
	for (i = 0; i < 6; i++)
		pb_result_free(out[i].res);
	mx_plan_free(&p);
	mx_opts_free(&o);
}

static struct json_object *metric_of(struct json_object *cell, const char *name,
				     const char *kernel)
{
	struct json_object *ms, *mo, *o, *k;
	size_t i;

	assert_true(json_object_object_get_ex(cell, "metrics", &ms));
	for (i = 0; i < json_object_array_length(ms); i++) {
		mo = json_object_array_get_idx(ms, i);
		json_object_object_get_ex(mo, "name", &o);
		if (strcmp(json_object_get_string(o), name))
			continue;
		assert_true(json_object_object_get_ex(mo, "kernels", &k));
		return json_object_object_get_ex(k, kernel, &o) ? o : NULL;
	}
	return NULL;
}

static double jnum(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_double(v);
}

static char *read_all(const char *path)
{
	char *s = slurp(path);

	assert_non_null(s);
	return s;
}

/* The whole matrix, with a kernel the runner does not know: that kernel's
 * cells fail (exit 2, with the runner's message), the others complete,
 * the exit code is 1, and the table, matrix.json, the result files and
 * the history agree. */
static void test_matrix_with_unknown_kernel(void **state)
{
	char *dir = scratch_dir(), *log, path[512], *want;
	struct json_object *root, *cells, *cell, *runs, *run, *o, *kv;
	struct run_out r;
	size_t i, ok = 0, failed = 0;

	r = run_cmd(HOOKS "FAKE_RUN_LOG=%s/runs.log ./peelbench matrix --kernels 6.1,7.3,nosuch "
		    "--sweep backlog=0,64 --repeat 3 --check --assocs 500 -o %s/m --db %s/h.db",
		    dir, dir, dir);
	assert_int_equal(r.status, 1);
	/* every failed cell is reported as it fails */
	assert_int_equal(count_lines(r.err), 6);
	assert_non_null(strstr(r.err, "nosuch backlog=0 r1 failed (exit 2): the VM runner refused it"));
	assert_non_null(strstr(r.err, "no Debian kernel package matches version 'nosuch'"));
	/* the table */
	assert_non_null(strstr(r.out, "3 kernels x 2 cells x 3 repeats = 18 runs, 6 failed"));
	assert_non_null(strstr(r.out, "FAILED (0/3)"));
	assert_non_null(strstr(r.out, "peel_per_s                   1000/s          1500/s          1.50 ["));
	assert_non_null(strstr(r.out, "peel_per_s                   936/s           1436/s          1.53 ["));
	assert_non_null(strstr(r.out, "check: 2 pass, 0 fail, 1 known deviation"));
	assert_non_null(strstr(r.out, "check: 1 pass, 1 fail, 1 known deviation (FAIL)"));
	assert_non_null(strstr(r.out, "probes see: syscall clone; not: do_peeloff"));

	/* the runs happened in the interleaved order, one check per kernel */
	snprintf(path, sizeof(path), "%s/runs.log", dir);
	log = read_all(path);
	assert_int_equal(count_lines(log), 14);
	if (asprintf(&want,
		     "6.1 r1 check --json -o %1$s/m/6.1/check.json\n"
		     "6.1 r1 run --assocs 500 --backlog 0 --no-vm -o %1$s/m/6.1/backlog=0-r1.json\n"
		     "6.1 r1 run --assocs 500 --backlog 64 --no-vm -o %1$s/m/6.1/backlog=64-r1.json\n"
		     "7.3 r1 check --json -o %1$s/m/7.3/check.json\n"
		     "7.3 r1 run --assocs 500 --backlog 0 --no-vm -o %1$s/m/7.3/backlog=0-r1.json\n"
		     "7.3 r1 run --assocs 500 --backlog 64 --no-vm -o %1$s/m/7.3/backlog=64-r1.json\n"
		     "6.1 r2 run --assocs 500 --backlog 0 --no-vm -o %1$s/m/6.1/backlog=0-r2.json\n",
		     dir) < 0)
		fail();
	assert_memory_equal(log, want, strlen(want));
	free(want);
	free(log);

	/* matrix.json agrees with the result files */
	snprintf(path, sizeof(path), "%s/m/matrix.json", dir);
	root = json_object_from_file(path);
	assert_non_null(root);
	assert_int_equal((int)jnum(root, "failed"), 6);
	assert_true(json_object_object_get_ex(root, "cells", &cells));
	assert_int_equal(json_object_array_length(cells), 2);
	for (i = 0; i < 2; i++) {
		size_t j;

		cell = json_object_array_get_idx(cells, i);
		assert_true(json_object_object_get_ex(cell, "runs", &runs));
		assert_int_equal(json_object_array_length(runs), 9);
		for (j = 0; j < 9; j++) {
			struct pb_result *res;
			const char *k, *st;
			double want_v, got_v;
			int round;

			run = json_object_array_get_idx(runs, j);
			json_object_object_get_ex(run, "kernel", &o);
			k = json_object_get_string(o);
			json_object_object_get_ex(run, "status", &o);
			st = json_object_get_string(o);
			round = (int)jnum(run, "round");
			if (!strcmp(k, "nosuch")) {
				assert_string_equal(st, "failed");
				assert_int_equal((int)jnum(run, "exit"), 2);
				failed++;
				continue;
			}
			assert_string_equal(st, "ok");
			ok++;
			json_object_object_get_ex(run, "result", &o);
			assert_int_equal(pb_result_load(json_object_get_string(o), &res), 0);
			assert_true(pb_result_metric(res, "peel_per_s", &want_v));
			kv = metric_of(cell, "peel_per_s", k);
			assert_non_null(kv);
			json_object_object_get_ex(kv, "values", &o);
			got_v = json_object_get_double(json_object_array_get_idx(o, round - 1));
			assert_near(got_v, want_v, 0);
			pb_result_free(res);
		}
	}
	assert_int_equal(ok, 12);
	assert_int_equal(failed, 6);
	cell = json_object_array_get_idx(cells, 0);
	kv = metric_of(cell, "peel_per_s", "7.3");
	assert_near(jnum(kv, "median"), 1500, 0);
	assert_near(jnum(kv, "ratio"), 1.5, 1e-12);
	/* 7.3 has no do_peeloff probe: its entry is there with n = 0 */
	kv = metric_of(cell, "phase.do_peeloff.p50_ns", "7.3");
	assert_int_equal((int)jnum(kv, "n"), 0);
	json_object_put(root);

	/* every good result is in the history, one row each */
	run_free(&r);
	r = run_cmd("./peelbench history list --db %s/h.db", dir);
	assert_int_equal(r.status, 0);
	assert_int_equal(count_lines(r.out), 1 + 12 + 1);
	assert_non_null(strstr(r.out, "\n12 results in "));
	run_free(&r);

	/* the kernels' phases side by side, per cell */
	snprintf(path, sizeof(path), "%s/m/plots/kernels-backlog=64/phases.svg", dir);
	if (!system("command -v gnuplot >/dev/null"))
		assert_int_equal(access(path, F_OK), 0);
	rm_rf(dir);
}

/* A guest that times out after its first cell, and a run that fails in
 * one round only: exactly those cells fail, with their own codes. */
static void test_timeout_and_run_failure(void **state)
{
	char *dir = scratch_dir();
	struct run_out r;

	r = run_cmd(HOOKS "FAKE_VM_TIMEOUT=7.3 FAKE_FAIL_KERNEL=host FAKE_FAIL_ROUND=2 "
		    "./peelbench matrix --kernels 6.1,7.3,host --sweep assocs=250,500 --repeat 2 "
		    "--no-history --no-plot -o %s/m", dir);
	assert_int_equal(r.status, 1);
	assert_int_equal(count_lines(r.err), 4);
	assert_non_null(strstr(r.out, "7.3 assocs=500 r1: exit 6: the guest exceeded its time limit"));
	assert_non_null(strstr(r.out, "7.3 assocs=500 r2: exit 6:"));
	assert_non_null(strstr(r.out, "host assocs=250 r2: exit 4: run exited 4: peelbench: cannot attach"));
	assert_non_null(strstr(r.out, "host assocs=500 r2: exit 4:"));
	assert_null(strstr(r.out, "7.3 assocs=250 r"));
	assert_non_null(strstr(r.out, "host     host.0-fake (native)"));
	run_free(&r);
	rm_rf(dir);
}

static void test_all_good_exits_0_and_refused_options_exit_2(void **state)
{
	char *dir = scratch_dir(), path[512];
	struct run_out r;

	r = run_cmd(HOOKS "./peelbench matrix --kernels 6.1,7.3 --repeat 2 --json "
		    "--no-history --no-plot -o %s/m", dir);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_non_null(strstr(r.out, "\"schema\":\"peelbench-matrix/1\""));
	run_free(&r);

	/* --run-repeat N reaches every run as --repeat N through the guest's
	 * inner matrix (which refuses a --repeat written as a run option) */
	snprintf(path, sizeof(path), "%s/runs.log", dir);
	r = run_cmd(HOOKS "FAKE_RUN_LOG=%s ./peelbench matrix --kernels 6.1 --repeat 1 "
		    "--run-repeat 2 --assocs 300 --no-history --no-plot -o %s/mr", path, dir);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	run_free(&r);
	r = run_cmd("grep -c -- 'run --repeat 2 --assocs 300 --no-vm' %s", path);
	assert_string_equal(r.out, "1\n");
	run_free(&r);

	/* --check: 7.3's fake check has a failing case: exit 1, no run failed */
	r = run_cmd(HOOKS "./peelbench matrix --kernels 6.1,7.3 --repeat 2 --check "
		    "--no-history --no-plot -o %s/m1", dir);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "= 4 runs, 0 failed"));
	assert_non_null(strstr(r.out, "check: 1 pass, 1 fail, 1 known deviation (FAIL)"));
	run_free(&r);

	/* run refuses an option: every cell of the first batch says so; the
	 * matrix stops there instead of booting every other guest */
	snprintf(path, sizeof(path), "%s/vm.log", dir);
	r = run_cmd(HOOKS "FAKE_VM_LOG=%s ./peelbench matrix --kernels 6.1,7.3 --repeat 2 "
		    "--no-history --no-plot --bogus 1 -o %s/m2", path, dir);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "run refused the options of every cell"));
	run_free(&r);
	r = run_cmd("wc -l < %s", path);
	assert_string_equal(r.out, "1\n");
	run_free(&r);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_options_and_run_args),
		cmocka_unit_test(test_bad_options_exit_2_with_one_line),
		cmocka_unit_test(test_cells_are_the_cartesian_product),
		cmocka_unit_test(test_order_interleaves_rounds),
		cmocka_unit_test(test_table_ratio_and_ci_from_fixtures),
		cmocka_unit_test(test_matrix_with_unknown_kernel),
		cmocka_unit_test(test_timeout_and_run_failure),
		cmocka_unit_test(test_all_good_exits_0_and_refused_options_exit_2),
	};

	return cmocka_run_group_tests_name("matrix", tests, NULL, NULL);
}
