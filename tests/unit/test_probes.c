// SPDX-License-Identifier: GPL-2.0
/* user/probes.c: the plan `peelbench probes` prints for a 6.1-like and a
 * 7.3-like kernel, from kallsyms / available_filter_functions / BTF text
 * shaped like those kernels' (see docs/trace.md). */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "phase.h"
#include "probes.h"

static char k61[] =
	"ffffffffc0b1a000 t sctp_getsockopt_peeloff_common.constprop.0\t[sctp]\n"
	"ffffffffc0b1a200 t sctp_getsockopt_peeloff\t[sctp]\n"
	"ffffffffc0b1a400 T sctp_do_peeloff\t[sctp]\n"
	"ffffffffc0b1a600 t sctp_copy_sock\t[sctp]\n"
	"ffffffffc0b1a800 t sctp_sock_migrate\t[sctp]\n"
	"ffffffffc0b1aa00 t sctp_assoc_migrate\t[sctp]\n"
	"ffffffffc0b1ac00 t sctp_accept\t[sctp]\n"
	"ffffffffc0b1ae00 d sctp_do_peeloff_table\t[sctp]\n"
	"ffffffff81000000 T _stext\n"
	"ffffffff927ac640 T __sys_getsockopt\n"
	"ffffffff927ac820 T __x64_sys_getsockopt\n";
static char f61[] =
	"__sys_getsockopt\n"
	"__x64_sys_getsockopt\n"
	"sctp_getsockopt_peeloff_common.constprop.0 [sctp]\n"
	"sctp_getsockopt_peeloff [sctp]\n"
	"sctp_do_peeloff [sctp]\n"
	"sctp_copy_sock [sctp]\n"
	"sctp_sock_migrate [sctp]\n"
	"sctp_assoc_migrate [sctp]\n"
	"sctp_accept [sctp]\n";
static char b61[] =
	"__sys_getsockopt\n"
	"sctp_getsockopt_peeloff\nsctp_do_peeloff\nsctp_copy_sock\n"
	"sctp_sock_migrate\nsctp_assoc_migrate\nsctp_accept\n";

static char k73[] =
	"ffffffffc0c01000 t sctp_getsockopt_peeloff_common.constprop.0\t[sctp]\n"
	"ffffffffc0c01400 t sctp_getsockopt_peeloff_flags\t[sctp]\n"
	"ffffffffc0c02000 t sctp_clone_sock\t[sctp]\n"
	"ffffffffc0c09000 t sctp_clone_sock.cold\t[sctp]\n"
	"ffffffffc0c03000 t sctp_assoc_migrate\t[sctp]\n"
	"ffffffffc0c04000 t sctp_accept\t[sctp]\n"
	"ffffffffc0c05000 t sctp_do_peeloff_cb\t[sctp]\n"
	"ffffffffb18c0950 T do_sock_getsockopt\n"
	"ffffffffb18c4b70 T __sys_getsockopt\n";
static char f73[] =
	"do_sock_getsockopt\n"
	"__sys_getsockopt\n"
	"sctp_getsockopt_peeloff_common.constprop.0 [sctp]\n"
	"sctp_getsockopt_peeloff_flags [sctp]\n"
	"sctp_clone_sock [sctp]\n"
	"sctp_assoc_migrate [sctp]\n"
	"sctp_accept [sctp]\n";
static char b73[] = "__sys_getsockopt\nsctp_getsockopt_peeloff_flags\nsctp_clone_sock\nsctp_assoc_migrate\nsctp_accept\n";

static void src_of(struct probe_sources *s, char *k, char *f, char *b)
{
	memset(s, 0, sizeof(*s));
	s->kallsyms = k;
	s->filter_funcs = f;
	s->btf_funcs = b;
	s->fentry = true;
	s->kprobes = true;
	s->syscall_tp = true;
}

#define assert_hook(plan, h, sym, att) do {					\
	assert_string_equal((plan).hook[h].symbol, sym);			\
	assert_string_equal(probe_attach_name((plan).hook[h].attach), att);	\
} while (0)

static void test_plan_61_is_all_fentry(void **state)
{
	struct probe_sources s;
	struct probe_plan p;

	src_of(&s, k61, f61, b61);
	probe_plan_resolve(&s, &p);
	assert_true(p.sctp_loaded);
	/* the syscall by fentry/fexit on __sys_getsockopt, not tracepoints */
	assert_hook(p, PB_PH_SYSCALL, "__sys_getsockopt", "fentry");
	assert_hook(p, PB_PH_DO_PEELOFF, "sctp_do_peeloff", "fentry");
	assert_false(p.hook[PB_PH_DO_PEELOFF].enclosing);
	assert_hook(p, PB_PH_CLONE, "sctp_copy_sock", "fentry");
	assert_hook(p, PB_PH_MIGRATE, "sctp_sock_migrate", "fentry");
	assert_hook(p, PB_PH_ASSOC_MIGRATE, "sctp_assoc_migrate", "fentry");
	assert_hook(p, PB_HOOK_ACCEPT, "sctp_accept", "fentry");
	/* features at sctp_copy_sock(newsk, sk, asoc) */
	assert_int_equal(p.feat_hook, PB_PH_CLONE);
	assert_int_equal(p.feat_sk_arg, 1);
	assert_int_equal(p.feat_asoc_arg, 2);
	assert_int_equal(p.feat_enclosed_mask, 1u << PB_PH_SYSCALL | 1u << PB_PH_DO_PEELOFF);
}

static void test_plan_73_follows_inlining(void **state)
{
	struct probe_sources s;
	struct probe_plan p;

	src_of(&s, k73, f73, b73);
	probe_plan_resolve(&s, &p);
	assert_hook(p, PB_PH_SYSCALL, "__sys_getsockopt", "fentry");
	/* sctp_do_peeloff inlined: the constprop encloser, by kprobe */
	assert_hook(p, PB_PH_DO_PEELOFF, "sctp_getsockopt_peeloff_common.constprop.0", "kprobe");
	assert_true(p.hook[PB_PH_DO_PEELOFF].enclosing);
	assert_non_null(strstr(p.hook[PB_PH_DO_PEELOFF].reason, "inlined"));
	/* the clone, never its .cold part */
	assert_hook(p, PB_PH_CLONE, "sctp_clone_sock", "fentry");
	/* sctp_sock_migrate inlined into sctp_clone_sock, already measured */
	assert_string_equal(probe_attach_name(p.hook[PB_PH_MIGRATE].attach), "unavailable");
	assert_non_null(strstr(p.hook[PB_PH_MIGRATE].reason, "inlined into sctp_clone_sock"));
	assert_non_null(strstr(p.hook[PB_PH_MIGRATE].reason, "phase clone"));
	assert_hook(p, PB_PH_ASSOC_MIGRATE, "sctp_assoc_migrate", "fentry");
	assert_hook(p, PB_HOOK_ACCEPT, "sctp_accept", "fentry");
	/* features at sctp_clone_sock(sk, asoc, type) */
	assert_int_equal(p.feat_hook, PB_PH_CLONE);
	assert_int_equal(p.feat_sk_arg, 0);
	assert_int_equal(p.feat_asoc_arg, 1);
}

static void test_plan_73_without_kprobes(void **state)
{
	struct probe_sources s;
	struct probe_plan p;

	src_of(&s, k73, f73, b73);
	s.kprobes = false;
	probe_plan_resolve(&s, &p);
	assert_string_equal(probe_attach_name(p.hook[PB_PH_DO_PEELOFF].attach), "unavailable");
	assert_non_null(strstr(p.hook[PB_PH_DO_PEELOFF].reason, "no kprobes"));
	assert_hook(p, PB_PH_CLONE, "sctp_clone_sock", "fentry");
}

static void test_force_kprobe_and_missing_btf(void **state)
{
	struct probe_sources s;
	struct probe_plan p;
	__u32 h;

	src_of(&s, k61, f61, b61);
	s.force_kprobe = true;
	probe_plan_resolve(&s, &p);
	for (h = PB_PH_DO_PEELOFF; h < PB_HOOK_MAX; h++)
		assert_string_equal(probe_attach_name(p.hook[h].attach), "kprobe");

	src_of(&s, k61, f61, NULL);	/* no module BTF */
	probe_plan_resolve(&s, &p);
	assert_hook(p, PB_PH_DO_PEELOFF, "sctp_do_peeloff", "kprobe");
	assert_non_null(strstr(p.hook[PB_PH_DO_PEELOFF].reason, "not in BTF"));
}

/* Where __sys_getsockopt cannot take a trampoline, the syscall
 * tracepoints; where neither exists, the plan says so (trace exits 3). */
static void test_syscall_falls_back_to_tracepoints(void **state)
{
	static char k_clone[] = "ffffffff927ac640 t __sys_getsockopt.constprop.0\n"
				"ffffffffc0b1aa00 t sctp_assoc_migrate\t[sctp]\n";
	struct probe_sources s;
	struct probe_plan p;

	src_of(&s, k61, f61, b61);
	s.force_kprobe = true;
	probe_plan_resolve(&s, &p);
	assert_hook(p, PB_PH_SYSCALL, "syscalls:sys_enter_getsockopt", "tracepoint");
	assert_non_null(strstr(p.hook[PB_PH_SYSCALL].reason, "--kprobe"));

	src_of(&s, k61, f61, "sctp_do_peeloff\n");	/* vmlinux BTF without it */
	probe_plan_resolve(&s, &p);
	assert_hook(p, PB_PH_SYSCALL, "syscalls:sys_enter_getsockopt", "tracepoint");
	assert_non_null(strstr(p.hook[PB_PH_SYSCALL].reason, "not in BTF"));

	src_of(&s, k61, "sctp_do_peeloff [sctp]\n", b61);	/* not ftrace-able */
	probe_plan_resolve(&s, &p);
	assert_hook(p, PB_PH_SYSCALL, "syscalls:sys_enter_getsockopt", "tracepoint");
	assert_non_null(strstr(p.hook[PB_PH_SYSCALL].reason, "available_filter_functions"));

	src_of(&s, k_clone, f61, b61);	/* only a compiler clone: other ABI */
	probe_plan_resolve(&s, &p);
	assert_hook(p, PB_PH_SYSCALL, "syscalls:sys_enter_getsockopt", "tracepoint");

	src_of(&s, k61, f61, b61);
	s.fentry = false;
	s.syscall_tp = false;
	probe_plan_resolve(&s, &p);
	assert_string_equal(probe_attach_name(p.hook[PB_PH_SYSCALL].attach), "unavailable");
	assert_non_null(strstr(p.hook[PB_PH_SYSCALL].reason, "no kernel BTF"));
}

static void test_host_without_sctp(void **state)
{
	struct probe_sources s;
	struct probe_plan p;
	struct json_object *j, *o;
	__u32 h;

	src_of(&s, "ffffffff81000000 T _stext\n", "", "");
	s.kprobes = false;
	s.syscall_tp = false;
	probe_plan_resolve(&s, &p);
	assert_false(p.sctp_loaded);
	for (h = 0; h < PB_HOOK_MAX; h++)
		assert_string_equal(probe_attach_name(p.hook[h].attach), "unavailable");
	assert_non_null(strstr(p.hook[PB_PH_CLONE].reason, "not loaded"));
	assert_int_equal(p.feat_hook, PB_HOOK_MAX);

	j = probe_plan_json(&p);
	assert_int_equal(json_object_array_length(j), PB_HOOK_MAX);
	o = json_object_array_get_idx(j, PB_PH_MIGRATE);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "phase")), "migrate");
	assert_string_equal(json_object_get_string(json_object_object_get(o, "attach")), "unavailable");
	json_object_put(j);
}

static void test_phases_parse(void **state)
{
	unsigned int m = 0;

	/* syscall is always in: it delimits the call */
	assert_int_equal(probe_phases_parse("clone", &m), 0);
	assert_int_equal(m, 1u << PB_PH_SYSCALL | 1u << PB_PH_CLONE);
	assert_int_equal(probe_phases_parse("syscall", &m), 0);
	assert_int_equal(m, 1u << PB_PH_SYSCALL);
	assert_int_equal(probe_phases_parse("do_peeloff,migrate,assoc_migrate", &m), 0);
	assert_int_equal(m, 1u << PB_PH_SYSCALL | 1u << PB_PH_DO_PEELOFF |
			 1u << PB_PH_MIGRATE | 1u << PB_PH_ASSOC_MIGRATE);
	assert_int_equal(probe_phases_parse("all", &m), 0);
	assert_int_equal(m, (1u << PB_PH_MAX) - 1);
	/* accept is a hook, not a phase; bad names change nothing */
	m = 7;
	assert_int_equal(probe_phases_parse("accept", &m), -1);
	assert_int_equal(probe_phases_parse("clone,nosuch", &m), -1);
	assert_int_equal(probe_phases_parse("", &m), -1);
	assert_int_equal(probe_phases_parse(",", &m), -1);
	assert_int_equal(m, 7);
}

/* One table (bpf/peel.h PB_PHASES): the plan, the parser, the user-side
 * names and the choices in help and error lines agree. */
static void test_phase_table(void **state)
{
	unsigned int m;
	__u32 ph;

	for (ph = 0; ph < PB_PH_MAX; ph++) {
		assert_string_equal(probe_phase_name(ph), pb_phase_name(ph));
		assert_int_equal(probe_phases_parse(pb_phase_name(ph), &m), 0);
		assert_int_equal(m, 1u << PB_PH_SYSCALL | 1u << ph);
	}
	assert_string_equal(probe_phase_name(PB_HOOK_ACCEPT), "accept");
	assert_string_equal(pb_phase_name(PB_PH_MAX), "?");
	assert_string_equal(PROBE_PHASE_CHOICES,
			    "syscall, do_peeloff, clone, migrate, assoc_migrate, all");
	assert_string_equal(PROBE_FUNC_PHASE_CHOICES,
			    "do_peeloff, clone, migrate, assoc_migrate, all");
}

static void test_phases_select_61(void **state)
{
	struct probe_sources s;
	struct probe_plan p;
	unsigned int m;

	src_of(&s, k61, f61, b61);
	probe_plan_resolve(&s, &p);
	assert_int_equal(probe_phases_parse("migrate", &m), 0);
	probe_plan_select(&p, m);
	assert_hook(p, PB_PH_SYSCALL, "__sys_getsockopt", "fentry");
	assert_hook(p, PB_PH_MIGRATE, "sctp_sock_migrate", "fentry");
	assert_string_equal(probe_attach_name(p.hook[PB_PH_DO_PEELOFF].attach), "unavailable");
	assert_string_equal(p.hook[PB_PH_DO_PEELOFF].reason, "not selected (--phases)");
	assert_string_equal(probe_attach_name(p.hook[PB_PH_CLONE].attach), "unavailable");
	assert_string_equal(probe_attach_name(p.hook[PB_PH_ASSOC_MIGRATE].attach), "unavailable");
	/* accept() migrations are counted at assoc_migrate: gone with it */
	assert_string_equal(probe_attach_name(p.hook[PB_HOOK_ACCEPT].attach), "unavailable");
	assert_non_null(strstr(p.hook[PB_HOOK_ACCEPT].reason, "assoc_migrate"));
	/* without the clone, features move to sctp_sock_migrate(oldsk, newsk, asoc) */
	assert_int_equal(p.feat_hook, PB_PH_MIGRATE);
	assert_int_equal(p.feat_sk_arg, 0);
	assert_int_equal(p.feat_asoc_arg, 2);
	assert_int_equal(p.feat_enclosed_mask, 1u << PB_PH_SYSCALL | 1u << PB_PH_DO_PEELOFF);
}

static void test_phases_select_73_syscall_only(void **state)
{
	struct probe_sources s;
	struct probe_plan p;
	unsigned int m;

	src_of(&s, k73, f73, b73);
	probe_plan_resolve(&s, &p);
	assert_int_equal(probe_phases_parse("syscall", &m), 0);
	probe_plan_select(&p, m);
	assert_hook(p, PB_PH_SYSCALL, "__sys_getsockopt", "fentry");
	assert_string_equal(p.hook[PB_PH_CLONE].reason, "not selected (--phases)");
	/* an inlined phase keeps its own reason */
	assert_non_null(strstr(p.hook[PB_PH_MIGRATE].reason, "inlined into sctp_clone_sock"));
	assert_int_equal(p.feat_hook, PB_HOOK_MAX);
	assert_int_equal(p.feat_enclosed_mask, 0);

	/* all: the plan as resolved */
	probe_plan_resolve(&s, &p);
	assert_int_equal(probe_phases_parse("all", &m), 0);
	probe_plan_select(&p, m);
	assert_hook(p, PB_PH_CLONE, "sctp_clone_sock", "fentry");
	assert_hook(p, PB_HOOK_ACCEPT, "sctp_accept", "fentry");
	assert_int_equal(p.feat_hook, PB_PH_CLONE);
}

/* A kernel without tracefs: what the planted test attaches say.  fentry
 * attaches to sctp_sock_migrate and __sys_getsockopt only; a kprobe to
 * everything but sctp_accept. */
static unsigned int tries;
static enum probe_try planted(enum pb_attach a, const char *sym, char *why, size_t size)
{
	tries++;
	snprintf(why, size, "planted %s", a == PB_ATTACH_FENTRY ? "fentry" : "kprobe");
	if (a == PB_ATTACH_FENTRY)
		return !strcmp(sym, "sctp_sock_migrate") || !strcmp(sym, "__sys_getsockopt") ?
		       PROBE_TRY_YES : PROBE_TRY_NO;
	return strcmp(sym, "sctp_accept") ? PROBE_TRY_YES : PROBE_TRY_NO;
}

static enum probe_try cannot_tell(enum pb_attach a, const char *sym, char *why, size_t size)
{
	snprintf(why, size, "test program not loaded: Operation not permitted");
	return PROBE_TRY_UNKNOWN;
}

static void test_no_tracefs_promises_only_what_attached(void **state)
{
	struct probe_sources s;
	struct probe_plan p;

	src_of(&s, k61, NULL, b61);
	s.try_attach = planted;
	s.syscall_tp = false;	/* no tracefs, no syscall tracepoints */
	probe_plan_resolve(&s, &p);
	assert_hook(p, PB_PH_SYSCALL, "__sys_getsockopt", "fentry");
	assert_non_null(strstr(p.hook[PB_PH_SYSCALL].reason, "planted fentry"));
	assert_hook(p, PB_PH_MIGRATE, "sctp_sock_migrate", "fentry");
	/* fentry refused: a kprobe that attached */
	assert_hook(p, PB_PH_DO_PEELOFF, "sctp_do_peeloff", "kprobe");
	assert_string_equal(p.hook[PB_PH_DO_PEELOFF].reason,
			    "no available_filter_functions; fentry: planted fentry; kprobe: planted kprobe");
	assert_hook(p, PB_PH_CLONE, "sctp_copy_sock", "kprobe");
	/* neither attached: unavailable, and not "unknown" */
	assert_hook(p, PB_HOOK_ACCEPT, "sctp_accept", "unavailable");
	assert_string_equal(probe_choice_attach_name(&p.hook[PB_HOOK_ACCEPT]), "unavailable");

	/* with tracefs nothing is tried */
	tries = 0;
	src_of(&s, k61, f61, b61);
	s.try_attach = planted;
	probe_plan_resolve(&s, &p);
	assert_int_equal(tries, 0);
	assert_hook(p, PB_PH_DO_PEELOFF, "sctp_do_peeloff", "fentry");
}

static void test_no_tracefs_and_no_test_is_unknown(void **state)
{
	enum probe_try (*how[])(enum pb_attach, const char *, char *, size_t) = { NULL, cannot_tell };
	struct probe_sources s;
	struct probe_plan p;
	struct json_object *j;
	__u32 h;

	for (int i = 0; i < 2; i++) {
		src_of(&s, k61, NULL, b61);
		s.syscall_tp = false;
		s.try_attach = how[i];
		probe_plan_resolve(&s, &p);
		for (h = 0; h < PB_HOOK_MAX; h++) {
			assert_int_equal(p.hook[h].attach, PB_ATTACH_UNAVAILABLE);
			assert_string_equal(probe_choice_attach_name(&p.hook[h]), "unknown");
		}
		assert_string_equal(p.hook[PB_PH_SYSCALL].symbol, "__sys_getsockopt");
		assert_int_equal(p.feat_hook, PB_HOOK_MAX);
		j = probe_plan_json(&p);
		assert_string_equal(json_object_get_string(json_object_object_get(
			json_object_array_get_idx(j, PB_PH_CLONE), "attach")), "unknown");
		json_object_put(j);
	}
	assert_non_null(strstr(p.hook[PB_PH_CLONE].reason, "Operation not permitted"));
	/* and without kprobes: unknown still, fentry could not be tried */
	src_of(&s, k61, NULL, b61);
	s.kprobes = false;
	probe_plan_resolve(&s, &p);
	assert_string_equal(probe_choice_attach_name(&p.hook[PB_PH_CLONE]), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_61_is_all_fentry),
		cmocka_unit_test(test_plan_73_follows_inlining),
		cmocka_unit_test(test_plan_73_without_kprobes),
		cmocka_unit_test(test_force_kprobe_and_missing_btf),
		cmocka_unit_test(test_syscall_falls_back_to_tracepoints),
		cmocka_unit_test(test_host_without_sctp),
		cmocka_unit_test(test_phases_parse),
		cmocka_unit_test(test_phase_table),
		cmocka_unit_test(test_phases_select_61),
		cmocka_unit_test(test_phases_select_73_syscall_only),
		cmocka_unit_test(test_no_tracefs_promises_only_what_attached),
		cmocka_unit_test(test_no_tracefs_and_no_test_is_unknown),
	};

	return cmocka_run_group_tests_name("probes", tests, NULL, NULL);
}
