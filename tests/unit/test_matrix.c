// SPDX-License-Identifier: GPL-2.0
/* peelbench matrix, the library: option parsing (matrix_opts.c), cell
 * planning and the interleaved run order (matrix.c); the table's ratios
 * and CIs from fixture result files (matrix_table.c); a batch's command,
 * the inner matrix with fake-peelbench for `run` (matrix_inner.c), one
 * batch with a fake VM runner (matrix_batch.c) and the pooled results
 * (matrix_pool.c).  The whole command, through ./peelbench, is in
 * tests/cli/matrix.t and tests/cli/golden. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <sys/stat.h>
#include <wordexp.h>

#include <json-c/json.h>

#include "helpers.h"
#include "matrix_helpers.h"
#include "matrix.h"
#include "matrix_run.h"
#include "peelbench.h"
#include "result.h"
#include "stats.h"

#define FX "tests/fixtures/"

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

/* mx_parse on a shell-quoted option line; stderr's text in err. */
static int parse_line(const char *line, char *err, size_t errlen)
{
	struct mx_opts o;
	wordexp_t we;
	char *argv[64];
	FILE *tmp = tmpfile();
	int saved = dup(2), ret;
	size_t i, n;

	assert_int_equal(wordexp(line, &we, WRDE_NOCMD), 0);
	argv[0] = "matrix";
	for (i = 0; i < we.we_wordc && i < 62; i++)
		argv[i + 1] = we.we_wordv[i];
	fflush(stderr);
	dup2(fileno(tmp), 2);
	ret = mx_parse((int)i + 1, argv, &o);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	mx_opts_free(&o);
	wordfree(&we);
	rewind(tmp);
	n = fread(err, 1, errlen - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	return ret;
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
	char err[512];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ret = parse_line(bad[i], err, sizeof(err));
		if (ret != 2 || count_lines(err) != 1 || strncmp(err, "peelbench: matrix: ", 19))
			fail_msg("'%s': returned %d, stderr '%s'", bad[i], ret, err);
	}
	assert_int_equal(parse_line("--kernels 6.1 --repeat=0", err, sizeof(err)), 2);
	assert_string_equal(err, "peelbench: matrix: --repeat: '0' is not a whole number "
			    "from 1 to 1000\n");
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

	/* the kernels' configurations differ: said under the table */
	json_object_object_add(mx_at(&m, 1, 0, 0)->res->env, "kernel_config",
			       json_tokener_parse("{\"HZ\": \"250\", \"KASAN\": \"n\"}"));
	json_object_object_add(mx_at(&m, 1, 1, 0)->res->env, "kernel_config",
			       json_tokener_parse("{\"HZ\": \"1000\", \"KASAN\": \"n\"}"));
	json_object_object_add(mx_at(&m, 1, 1, 0)->res->env, "cmdline",
			       json_object_new_string("quiet"));
	f = open_memstream(&buf, &len);
	mx_print_table(&m, f);
	fclose(f);
	assert_non_null(strstr(buf, "\nkernel differences (env, against 6.1):\n"
				    "  7.3: kernel_config (HZ: 250 -> 1000), cmdline (unknown in the first result)\n"));
	/* ... and recorded in matrix.json, as data */
	{
		struct json_object *j = mx_json(&m), *ks, *d;

		assert_true(json_object_object_get_ex(j, "kernels", &ks));
		assert_false(json_object_object_get_ex(json_object_array_get_idx(ks, 0),
						       "differences", NULL));
		assert_true(json_object_object_get_ex(json_object_array_get_idx(ks, 1),
						      "differences", &d));
		assert_string_equal(json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN),
				    "{\"against\":\"6.1\",\"summary\":\"kernel_config (HZ: 250 -> 1000), "
				    "cmdline (unknown in the first result)\",\"keys\":{\"kernel_config\":"
				    "{\"HZ\":[\"250\",\"1000\"]},\"cmdline\":[null,\"quiet\"]}}");
		json_object_put(j);
	}
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

static char *read_all(const char *path)
{
	char *s = slurp(path);

	assert_non_null(s);
	return s;
}

/* The batch's command: the VM runner around the inner matrix, the
 * matrix's options on again, the run options after "--". */
static void test_batch_argv(void **state)
{
	static const char *const want[] = {
		"/fake/vm-run", "--share", "/d", "--mem", "2098", "7.3", "--",
		"/R/peelbench", "matrix", "--inner", "7.3", "--round", "2", "--repeat", "3",
		"-o", "/d", "--sweep", "backlog=0,64", "--run-repeat", "5", "--",
		"--assocs", "500",
	};
	const char *root = pb.root;
	struct mx_run w = { 0 };
	struct mx_opts o;
	char runner[256], strs[1024], **a;
	size_t i;

	assert_int_equal(parse(&o, "--kernels", "6.1,7.3", "--sweep", "backlog=0,64",
			       "--run-repeat", "5", "--assocs", "500", NULL), 0);
	pb.root = "/R";
	setenv("PEELBENCH_MATRIX_VMRUN", "/fake/vm-run", 1);
	w.o = &o;
	snprintf(w.dir, sizeof(w.dir), "/d");
	snprintf(w.mem, sizeof(w.mem), "2098");
	a = mx_batch_argv(&w, 2, 1, false, runner, sizeof(runner), strs, sizeof(strs));
	assert_non_null(a);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(a[i], want[i]);
	assert_null(a[i]);
	free(a);
	/* a native kernel: the inner matrix alone */
	a = mx_batch_argv(&w, 1, 0, true, runner, sizeof(runner), strs, sizeof(strs));
	assert_string_equal(a[0], "/R/peelbench");
	assert_string_equal(a[3], "6.1");
	free(a);
	/* options too long for the guest's command */
	assert_null(mx_batch_argv(&w, 1, 0, true, runner, sizeof(runner), strs, 8));
	unsetenv("PEELBENCH_MATRIX_VMRUN");
	pb.root = root;
	mx_opts_free(&o);
}

/* Kernels given as paths: labels from their names, the runner told to
 * boot the files, refusals of what is none of the three forms. */
static void test_kernel_paths(void **state)
{
	const char *root = pb.root;
	struct mx_run w = { 0 };
	struct mx_opts o;
	char runner[256], strs[1024], **a;

	assert_int_equal(parse(&o, "--kernels",
			       "6.1,/k/vmlinuz:/k/mods/,/d/linux-image-6.1_1_amd64.deb,tests", NULL), 0);
	assert_int_equal(o.nkernels, 4);
	assert_string_equal(o.kernels[1], "mods");
	assert_string_equal(o.kpath[1].image, "/k/vmlinuz");
	assert_string_equal(o.kpath[1].modules, "/k/mods/");
	assert_string_equal(o.kernels[2], "linux-image-6.1_1_amd64");
	assert_string_equal(o.kpath[2].deb, "/d/linux-image-6.1_1_amd64.deb");
	assert_null(o.kpath[0].image);
	assert_string_equal(o.kernels[3], "tests");	/* a plain name: a version */
	pb.root = "/R";
	setenv("PEELBENCH_MATRIX_VMRUN", "/fake/vm-run", 1);
	w.o = &o;
	snprintf(w.dir, sizeof(w.dir), "/d");
	snprintf(w.mem, sizeof(w.mem), "2048");
	a = mx_batch_argv(&w, 1, 1, false, runner, sizeof(runner), strs, sizeof(strs));
	assert_string_equal(a[5], "--kernel-image");
	assert_string_equal(a[6], "/k/vmlinuz");
	assert_string_equal(a[7], "--modules");
	assert_string_equal(a[8], "/k/mods/");
	assert_string_equal(a[9], "--");
	assert_string_equal(a[13], "mods");
	free(a);
	a = mx_batch_argv(&w, 1, 2, false, runner, sizeof(runner), strs, sizeof(strs));
	assert_string_equal(a[5], "--deb");
	assert_string_equal(a[7], "--");
	free(a);
	unsetenv("PEELBENCH_MATRIX_VMRUN");
	pb.root = root;
	mx_opts_free(&o);
	/* a build tree: its bzImage, the tree as the modules */
	assert_int_equal(parse(&o, "--kernels", "6.1,tests/", NULL), 0);
	assert_string_equal(o.kernels[1], "tests");
	assert_string_equal(o.kpath[1].image, "tests//arch/x86/boot/bzImage");
	mx_opts_free(&o);
	assert_int_equal(parse(&o, "--kernels", "6.1,./Makefile", NULL), PB_EXIT_USAGE);
	mx_opts_free(&o);
	assert_int_equal(parse(&o, "--kernels", "/a/b:/x/mods,/c:/y/mods", NULL), PB_EXIT_USAGE);
	mx_opts_free(&o);
}

static void inner(const char *dir, const char *kernel, bool check, const char *want)
{
	struct mx_opts o;
	char path[512], *got;

	assert_int_equal(parse(&o, "--inner", kernel, "--round", "1", "--repeat", "1", "-o", dir,
			       "--sweep", "backlog=0,64", check ? "--check" : NULL, NULL), 0);
	assert_int_equal(mx_inner_main(&o), 0);
	snprintf(path, sizeof(path), "%s/%s/status-r1.tsv", dir, kernel);
	got = read_all(path);
	assert_string_equal(got, want);
	free(got);
	mx_opts_free(&o);
}

/* The inner matrix with fake-peelbench for `run` and `check`: every cell
 * runs, its exit code lands in the status file, its output in its log. */
static void test_inner_runs_every_cell_and_records_its_exit(void **state)
{
	char *dir = scratch_dir(), path[512], *log;
	struct pb_result *r;
	double v;

	setenv("PEELBENCH_MATRIX_EXEC", FX "matrix/fake-peelbench", 1);
	inner(dir, "6.1", false, "backlog=0\t0\nbacklog=64\t0\n");
	mx_run_path(dir, "6.1", "backlog=64", 1, "json", path, sizeof(path));
	assert_int_equal(pb_result_load(path, &r), 0);
	assert_true(pb_result_metric(r, "peel_per_s", &v));
	assert_near(v, 1000 - 64, 0);
	pb_result_free(r);
	setenv("FAKE_FAIL_KERNEL", "7.3", 1);
	inner(dir, "7.3", true, "check\t4\nbacklog=0\t4\nbacklog=64\t4\n");
	mx_run_path(dir, "7.3", "backlog=0", 1, "log", path, sizeof(path));
	log = read_all(path);
	assert_string_equal(log, "peelbench: cannot attach fentry/sctp_assoc_migrate: -ESRCH\n");
	free(log);
	unsetenv("FAKE_FAIL_KERNEL");
	unsetenv("PEELBENCH_MATRIX_EXEC");
	rm_rf(dir);
}

/* A VM runner that plays three guests: "good" runs its cells (one ok, one
 * failing), "panic" fails to boot, "gone" is unknown to it (exit 2). */
static const char fake_runner[] =
	"#!/bin/sh\n"
	"d=$2 v=$5 r=$(echo \"$*\" | sed 's/.*--round \\([0-9]*\\).*/\\1/')\n"
	"echo \"$v r$r\" >> \"$d/calls\"\n"
	"case $v in\n"
	"good) cp \"$FX_DIR/base.json\" \"$d/good/backlog=0-r$r.json\"\n"
	"      echo 'peelbench: boom' > \"$d/good/backlog=64-r$r.log\"\n"
	"      printf 'backlog=0\\t0\\nbacklog=64\\t4\\nbacklog=0\\t' > \"$d/good/status-r$r.tsv\"\n"
	"      echo 'all done'; exit 0 ;;\n"
	"panic) echo 'Kernel panic - not syncing: fake'; exit 5 ;;\n"
	"*) echo \"no such kernel '$v'\"; exit 2 ;;\n"
	"esac\n";

static void test_batch_charges_cells_from_status_and_guest(void **state)
{
	char *dir = scratch_dir(), path[512], err[2048], *calls;
	struct mx_outcome out[12] = { 0 };
	struct mx_run w = { 0 };
	struct mx_opts o;
	struct mx_plan p;
	FILE *f, *tmp = tmpfile();
	int saved = dup(2);
	size_t i, n;

	assert_int_equal(parse(&o, "--kernels", "good,panic,gone", "--sweep", "backlog=0,64",
			       "--repeat", "2", "--no-history", NULL), 0);
	assert_int_equal(mx_plan_build(&o, &p), 0);
	w.o = &o;
	w.m.plan = &p;
	w.m.out = out;
	snprintf(w.dir, sizeof(w.dir), "%s", dir);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, o.kernels[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	snprintf(path, sizeof(path), "%s/vm-run", dir);
	f = fopen(path, "w");
	fputs(fake_runner, f);
	fclose(f);
	chmod(path, 0755);
	setenv("PEELBENCH_MATRIX_VMRUN", path, 1);
	setenv("FX_DIR", FX, 1);

	fflush(stderr);
	dup2(fileno(tmp), 2);
	assert_int_equal(mx_run_batch(&w, 1, 0), 0);
	assert_int_equal(mx_run_batch(&w, 1, 1), 0);
	assert_int_equal(mx_run_batch(&w, 1, 2), 0);
	assert_int_equal(mx_run_batch(&w, 2, 2), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(err, 1, sizeof(err) - 1, tmp);
	err[n] = '\0';
	fclose(tmp);

	assert_int_equal(mx_at(&w.m, 1, 0, 0)->state, MX_OK);
	assert_non_null(mx_at(&w.m, 1, 0, 0)->res);
	assert_int_equal(mx_at(&w.m, 1, 0, 1)->code, 4);
	assert_string_equal(mx_at(&w.m, 1, 0, 1)->reason, "run exited 4: peelbench: boom");
	for (i = 0; i < 2; i++) {
		assert_int_equal(mx_at(&w.m, 1, 1, i)->state, MX_FAILED);
		assert_int_equal(mx_at(&w.m, 1, 1, i)->code, 5);
		assert_string_equal(mx_at(&w.m, 1, 1, i)->reason, "the guest failed (boot failure, "
				    "panic or out of memory): Kernel panic - not syncing: fake");
		assert_int_equal(mx_at(&w.m, 1, 2, i)->code, 2);
		assert_string_equal(mx_at(&w.m, 2, 2, i)->reason,
				    "the VM runner refused it (unknown kernel version or bad option): "
				    "not retried after round 1: no such kernel 'gone'");
	}
	/* each failure reported as it happens; "gone" was asked once only */
	assert_int_equal(count_lines(err), 7);
	assert_non_null(strstr(err, "peelbench: matrix: good backlog=64 r1 failed (exit 4): "
			       "run exited 4: peelbench: boom\n"));
	snprintf(path, sizeof(path), "%s/calls", dir);
	calls = read_all(path);
	assert_string_equal(calls, "good r1\npanic r1\ngone r1\n");
	free(calls);
	assert_int_equal(w.done, 8);
	unsetenv("PEELBENCH_MATRIX_VMRUN");
	unsetenv("FX_DIR");
	for (i = 0; i < 12; i++)
		pb_result_free(out[i].res);
	mx_plan_free(&p);
	mx_opts_free(&o);
	rm_rf(dir);
}

/* The pooled file for the plots: metrics the medians over the repeats,
 * rounds the repeats that succeeded. */
static void test_pooled_result_is_the_median_of_the_repeats(void **state)
{
	static const char *const fx[] = { "base", "rerun", "regressed" };
	struct mx_outcome out[3] = { 0 };
	struct mx_run w = { 0 };
	struct json_object *root, *rounds;
	struct pb_result *pooled;
	struct mx_opts o;
	struct mx_plan p;
	char *dir = scratch_dir(), path[512], want[512];
	double v[2], got;
	size_t i;

	assert_int_equal(parse(&o, "--kernels", "6.1", "--repeat", "3", NULL), 0);
	assert_int_equal(mx_plan_build(&o, &p), 0);
	w.o = &o;
	w.m.plan = &p;
	w.m.out = out;
	snprintf(w.dir, sizeof(w.dir), "%s", dir);
	assert_int_equal(mx_write_pooled(&w, 0, 0, path, sizeof(path)), -1);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), FX "%s.json", fx[i]);
		assert_int_equal(pb_result_load(path, &out[i].res), 0);
		out[i].state = i == 1 ? MX_FAILED : MX_OK;
	}
	assert_true(pb_result_metric(out[0].res, "peel_per_s", &v[0]));
	assert_true(pb_result_metric(out[2].res, "peel_per_s", &v[1]));
	assert_int_equal(mx_write_pooled(&w, 0, 0, path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/pooled/6.1-default.json", dir);
	assert_string_equal(path, want);
	assert_int_equal(pb_result_load(path, &pooled), 0);
	assert_true(pb_result_metric(pooled, "peel_per_s", &got));
	assert_near(got, (v[0] + v[1]) / 2, 1e-9);
	pb_result_free(pooled);
	root = json_object_from_file(path);
	assert_true(json_object_object_get_ex(root, "rounds", &rounds));
	assert_int_equal(json_object_array_length(rounds), 2);
	json_object_put(root);
	for (i = 0; i < 3; i++)
		pb_result_free(out[i].res);
	mx_plan_free(&p);
	mx_opts_free(&o);
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
		cmocka_unit_test(test_batch_argv),
		cmocka_unit_test(test_kernel_paths),
		cmocka_unit_test(test_inner_runs_every_cell_and_records_its_exit),
		cmocka_unit_test(test_batch_charges_cells_from_status_and_guest),
		cmocka_unit_test(test_pooled_result_is_the_median_of_the_repeats),
	};

	return cmocka_run_group_tests_name("matrix", tests, NULL, NULL);
}
