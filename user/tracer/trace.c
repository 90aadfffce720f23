// SPDX-License-Identifier: GPL-2.0
/* The tracer library (user/trace.h): checks the environment, resolves the
 * probe plan, then the libbpf-bootstrap lifecycle: open the skeleton,
 * configure rodata and autoload from the plan, load, attach, poll, and
 * detach (the reading of the maps is trace_report.c).  Links are owned by
 * file descriptors only (nothing pinned): when the process dies, however
 * it dies, the kernel detaches everything. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "peelbench.h"
#include "probes.h"
#include "sctp_avail.h"
#include "trace.h"
#include "trace_priv.h"

struct hook_progs {
	struct bpf_program *entry[2];	/* fentry, kprobe */
	struct bpf_program *exit[2];	/* fexit, kretprobe */
	struct bpf_link **entry_link[2];
	struct bpf_link **exit_link[2];
};

static void hook_progs(struct peel_bpf *s, __u32 h, struct hook_progs *p)
{
#define SET(NAME)								\
	*p = (struct hook_progs){						\
		{ s->progs.fentry_##NAME, s->progs.kprobe_##NAME },		\
		{ s->progs.fexit_##NAME, s->progs.kretprobe_##NAME },		\
		{ &s->links.fentry_##NAME, &s->links.kprobe_##NAME },		\
		{ &s->links.fexit_##NAME, &s->links.kretprobe_##NAME } }
	switch (h) {
	case PB_PH_SYSCALL:
		/* fentry/fexit on __sys_getsockopt; slot 1 is the tracepoints */
		*p = (struct hook_progs){
			{ s->progs.fentry_getsockopt, s->progs.sys_enter_getsockopt },
			{ s->progs.fexit_getsockopt, s->progs.sys_exit_getsockopt },
			{ &s->links.fentry_getsockopt, &s->links.sys_enter_getsockopt },
			{ &s->links.fexit_getsockopt, &s->links.sys_exit_getsockopt } };
		break;
#define CASE(id, name, args, funcs, enclosers) case PB_PH_##id: SET(name); break;
	PB_FUNC_PHASES(CASE)
	default:			SET(accept); break;
	}
#undef CASE
#undef SET
}

/* The program libbpf last complained about: libbpf unloads every program
 * when one fails, so its warnings are the only way to name the culprit. */
static char failed_prog[64];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[512];
	const char *p;
	va_list aq;

	if (level == LIBBPF_WARN) {
		va_copy(aq, ap);
		vsnprintf(line, sizeof(line), fmt, aq);
		va_end(aq);
		if ((p = strstr(line, "prog '")) && (strstr(line, "failed") || strstr(line, "error")))
			sscanf(p, "prog '%63[^']'", failed_prog);
	}
	/* libbpf's multi-line logs only with -v; our own error is one line */
	if (!pb.verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---- environment checks ---------------------------------------------- */

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

static bool can_trace(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &hdr, d))
		return geteuid() == 0;
	/* CAP_BPF (39) + CAP_PERFMON (38) since 5.8, or CAP_SYS_ADMIN */
	return has_cap(d, CAP_SYS_ADMIN) || (has_cap(d, 39) && has_cap(d, 38));
}

/* The plan for this machine; loads sctp first when it is missing. */
static int resolve_plan(const struct trace_opts *opts, struct probe_plan *plan)
{
	struct probe_sources src;

	probe_sources_read(&src);
	if (!src.kallsyms || !strstr(src.kallsyms, "sctp_assoc_migrate")) {
		pb_debug("sctp not loaded: loading it");
		pb_sctp_avail(AF_INET);
		probe_sources_free(&src);
		probe_sources_read(&src);
	}
	src.force_kprobe = opts->force_kprobe;
	probe_plan_resolve(&src, plan);
	probe_sources_free(&src);
	if (opts->phases)
		probe_plan_select(plan, opts->phases);
	if (!plan->sctp_loaded) {
		pb_err("sctp is not available: the module is not loaded and 'modprobe sctp' failed");
		return PB_EXIT_ENV;
	}
	if (plan->hook[PB_PH_SYSCALL].attach == PB_ATTACH_UNAVAILABLE) {
		pb_err("cannot count peeloffs: %s", plan->hook[PB_PH_SYSCALL].reason);
		return PB_EXIT_ENV;
	}
	return PB_EXIT_OK;
}

/* ---- configure, load, attach ------------------------------------------ */

static void configure(struct tracer *t)
{
	struct peel_bpf *s = t->skel;
	struct hook_progs p;
	__u32 h;
	int k;

	s->rodata->targ_tgid = (__u32)t->opts.pid;
	s->rodata->targ_tree = t->opts.follow_children;
	s->rodata->events_on = t->opts.events;
	s->rodata->feat_hook = t->plan.feat_hook;
	s->rodata->feat_sk_arg = t->plan.feat_sk_arg;
	s->rodata->feat_asoc_arg = t->plan.feat_asoc_arg;
	s->rodata->feat_enclosed_mask = t->plan.feat_enclosed_mask;
	s->rodata->walk_cap = t->opts.walk_cap;
	calib_configure(s, &t->plan, &t->calib);
	if (!t->opts.events)
		bpf_map__set_max_entries(s->maps.events, 4096);	/* unused: keep it small */
	s->rodata->rb_wake_bytes = bpf_map__max_entries(s->maps.events) / 4;

	/* the syscall phase: fentry/fexit on __sys_getsockopt, or tracepoints */
	k = t->plan.hook[PB_PH_SYSCALL].attach == PB_ATTACH_FENTRY;
	bpf_program__set_autoload(s->progs.fentry_getsockopt, k);
	bpf_program__set_autoload(s->progs.fexit_getsockopt, k);
	bpf_program__set_autoload(s->progs.sys_enter_getsockopt, !k);
	bpf_program__set_autoload(s->progs.sys_exit_getsockopt, !k);

	for (h = PB_PH_DO_PEELOFF; h < PB_HOOK_MAX; h++) {
		const struct probe_choice *c = &t->plan.hook[h];

		hook_progs(s, h, &p);
		for (k = 0; k < 2; k++) {
			bool on = (k == 0 && c->attach == PB_ATTACH_FENTRY) ||
				  (k == 1 && c->attach == PB_ATTACH_KPROBE);

			bpf_program__set_autoload(p.entry[k], on);
			bpf_program__set_autoload(p.exit[k], on);
		}
	}
}

/* After open: fentry targets resolve against module BTF (libbpf >= 0.6
 * looks in /sys/kernel/btf/<module> too). */
static int set_targets(struct tracer *t)
{
	struct hook_progs p;
	__u32 h;
	int err;

	for (h = PB_PH_SYSCALL; h < PB_HOOK_MAX; h++) {
		const struct probe_choice *c = &t->plan.hook[h];

		if (c->attach != PB_ATTACH_FENTRY)
			continue;
		hook_progs(t->skel, h, &p);
		err = bpf_program__set_attach_target(p.entry[0], 0, c->symbol);
		if (!err)
			err = bpf_program__set_attach_target(p.exit[0], 0, c->symbol);
		if (err) {
			pb_err("cannot find BTF for fentry/%s: %s", c->symbol, pb_errno_name(err));
			return PB_EXIT_RUNTIME;
		}
	}
	return PB_EXIT_OK;
}

static const char *prog_kind(const struct bpf_program *prog)
{
	switch (bpf_program__type(prog)) {
	case BPF_PROG_TYPE_TRACEPOINT:
		return "tracepoint";
	case BPF_PROG_TYPE_KPROBE:
		return strncmp(bpf_program__name(prog), "kretprobe", 9) ? "kprobe" : "kretprobe";
	default:
		return bpf_program__expected_attach_type(prog) == BPF_TRACE_FEXIT ? "fexit" : "fentry";
	}
}

/* The kernel symbol a program is meant for, for error messages. */
static const char *prog_target(struct tracer *t, const struct bpf_program *prog)
{
	struct hook_progs p;
	__u32 h;
	int k;

	for (h = PB_PH_DO_PEELOFF; h < PB_HOOK_MAX; h++) {
		hook_progs(t->skel, h, &p);
		for (k = 0; k < 2; k++)
			if (p.entry[k] == prog || p.exit[k] == prog)
				return t->plan.hook[h].symbol;
	}
	return bpf_program__name(prog);
}

static int load(struct tracer *t)
{
	struct bpf_program *prog;
	int err;

	failed_prog[0] = '\0';
	err = peel_bpf__load(t->skel);
	if (!err)
		return PB_EXIT_OK;
	bpf_object__for_each_program(prog, t->skel->obj) {
		if (strcmp(bpf_program__name(prog), failed_prog))
			continue;
		pb_err("cannot load %s/%s (program %s): -%s%s", prog_kind(prog),
		       prog_target(t, prog), bpf_program__name(prog), pb_errno_name(err),
		       pb.verbose ? "" : " (-v shows libbpf's log)");
		return PB_EXIT_RUNTIME;
	}
	pb_err("cannot load the BPF object: -%s%s", pb_errno_name(err),
	       pb.verbose ? "" : " (-v shows libbpf's log)");
	return PB_EXIT_RUNTIME;
}

static int attach_one(struct bpf_program *prog, struct bpf_link **slot,
		      const char *kind, const char *sym, bool kprobe, bool ret)
{
	LIBBPF_OPTS(bpf_kprobe_opts, kopts, .retprobe = ret);
	struct bpf_link *l;

	l = kprobe ? bpf_program__attach_kprobe_opts(prog, sym, &kopts)
		   : bpf_program__attach(prog);
	if (!l) {
		pb_err("cannot attach %s/%s: -%s", kind, sym, pb_errno_name(errno));
		return PB_EXIT_RUNTIME;
	}
	*slot = l;
	return PB_EXIT_OK;
}

static int attach(struct tracer *t)
{
	struct peel_bpf *s = t->skel;
	struct hook_progs p;
	int err, k;
	__u32 h;

	err = 0;
	if (t->plan.hook[PB_PH_SYSCALL].attach == PB_ATTACH_FENTRY) {
		hook_progs(s, PB_PH_SYSCALL, &p);
		err = attach_one(p.exit[0], p.exit_link[0], "fexit", "__sys_getsockopt",
				 false, false);
		if (!err)
			err = attach_one(p.entry[0], p.entry_link[0], "fentry",
					 "__sys_getsockopt", false, false);
	} else {
		err = attach_one(s->progs.sys_exit_getsockopt, &s->links.sys_exit_getsockopt,
				 "tracepoint", "syscalls:sys_exit_getsockopt", false, false);
		if (!err)
			err = attach_one(s->progs.sys_enter_getsockopt,
					 &s->links.sys_enter_getsockopt, "tracepoint",
					 "syscalls:sys_enter_getsockopt", false, false);
	}
	for (h = PB_PH_DO_PEELOFF; !err && h < PB_HOOK_MAX; h++) {
		const struct probe_choice *c = &t->plan.hook[h];

		if (c->attach == PB_ATTACH_UNAVAILABLE)
			continue;
		k = c->attach == PB_ATTACH_KPROBE;
		hook_progs(s, h, &p);
		/* exit first: an entry without its exit would leave stale starts */
		err = attach_one(p.exit[k], p.exit_link[k], k ? "kretprobe" : "fexit",
				 c->symbol, k, true);
		if (!err)
			err = attach_one(p.entry[k], p.entry_link[k], k ? "kprobe" : "fentry",
					 c->symbol, k, false);
	}
	return err;
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct tracer *t = ctx;
	struct pb_event e;

	if (len < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));	/* ring-buffer records are 8-aligned */
	tev_add(t, &e, calib_usable(&t->calib));
	return 0;
}

int tracer_open(const struct trace_opts *opts, struct tracer **out)
{
	struct tracer *t;
	struct utsname u;
	int err;

	*out = NULL;
	if (!can_trace()) {
		pb_err("tracing needs root, or CAP_BPF and CAP_PERFMON");
		return PB_EXIT_ENV;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		pb_err("kernel BTF (/sys/kernel/btf/vmlinux) is missing: CO-RE needs CONFIG_DEBUG_INFO_BTF");
		return PB_EXIT_ENV;
	}
	if (opts->pid > 0 && kill(opts->pid, 0) && errno == ESRCH) {
		pb_err("no process with pid %d", (int)opts->pid);
		return PB_EXIT_USAGE;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		pb_err("out of memory");
		return PB_EXIT_RUNTIME;
	}
	t->opts = *opts;
	t->rounds = json_object_new_array();
	t->last = calloc(1, sizeof(*t->last));
	t->ncpu = libbpf_num_possible_cpus();
	if (!uname(&u))
		snprintf(t->kernel, sizeof(t->kernel), "%s", u.release);
	libbpf_set_print(libbpf_print);

	err = resolve_plan(opts, &t->plan);
	if (err)
		goto fail;
	if (opts->calibrate)
		calib_run(&t->plan, &t->calib);	/* before anything of ours is attached */
	if (!t->last || t->ncpu <= 0) {
		pb_err("out of memory");
		err = PB_EXIT_RUNTIME;
		goto fail;
	}

	t->skel = peel_bpf__open();
	if (!t->skel) {
		pb_err("cannot open the BPF object: %s", pb_errno_name(errno));
		err = PB_EXIT_ENV;
		goto fail;
	}
	configure(t);
	err = set_targets(t);
	if (err)
		goto fail;
	err = load(t);
	if (err)
		goto fail;
	if (!opts->defer_attach) {
		err = attach(t);
		if (err)
			goto fail;
	}
	if (opts->events) {
		err = tev_open(t, opts->events_path);
		if (err)
			goto fail;
		t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event, t, NULL);
		if (!t->rb) {
			pb_err("cannot open the ring buffer: %s", pb_errno_name(errno));
			err = PB_EXIT_RUNTIME;
			goto fail;
		}
	}
	*out = t;
	return PB_EXIT_OK;
fail:
	tracer_close(t);
	return err;
}

int tracer_poll(struct tracer *t, int timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	int n;

	if (!t->rb) {
		if (timeout_ms > 0)
			nanosleep(&ts, NULL);
		return 0;
	}
	/* The BPF side wakes us only when the ring is a quarter full: wait
	 * for that or the timeout, then drain whatever is there. */
	n = ring_buffer__poll(t->rb, timeout_ms);
	if (n >= 0 || n == -EINTR)
		n = ring_buffer__consume(t->rb);
	if (n == -EINTR)
		return 0;
	if (n < 0) {
		pb_err("cannot read the ring buffer: %s", pb_errno_name(n));
		return n;
	}
	return n;
}

void tracer_detach(struct tracer *t)
{
	const struct bpf_object_skeleton *sk;
	int i;

	if (!t || !t->skel)
		return;
	sk = t->skel->skeleton;
	for (i = 0; i < sk->prog_cnt; i++) {
		bpf_link__destroy(*sk->progs[i].link);
		*sk->progs[i].link = NULL;
	}
}

int tracer_attach(struct tracer *t)
{
	int err = attach(t);

	if (err)
		tracer_detach(t);
	return err;
}

int tracer_prog_stats(struct tracer *t, tracer_prog_fn fn, void *ctx)
{
	struct bpf_prog_info info;
	struct bpf_program *prog;
	__u32 len;
	int n = 0, fd;

	if (!t || !t->skel)
		return -1;
	bpf_object__for_each_program(prog, t->skel->obj) {
		fd = bpf_program__fd(prog);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		fn(ctx, bpf_program__name(prog), info.run_cnt, info.run_time_ns);
		n++;
	}
	return n;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	peel_bpf__destroy(t->skel);	/* destroys the links: detaches */
	json_object_put(t->rounds);
	free(t->last);
	tev_close(t);
	free(t);
}
