// SPDX-License-Identifier: GPL-2.0
/* Calibration (user/tracer/calib.h): a second instance of the tracer's
 * BPF object, with only the programs of the pair kinds the plan uses:
 *   - a function pair (fentry/fexit or kprobe/kretprobe over on_entry /
 *     on_exit, the do_peeloff twins) on the getppid syscall's wrapper,
 *     which does almost nothing; the calling thread's task state is set
 *     to "inside a peeloff" through its pidfd, so the bodies take the
 *     path they take inside a real peeloff (state found, timestamps,
 *     duration added, nesting counted);
 *   - the syscall pair (fentry/fexit on __sys_getsockopt, or the
 *     syscall tracepoints, over syscall_enter / syscall_exit) on
 *     getsockopt(-1, SOL_SCTP, SCTP_SOCKOPT_PEELOFF), which the kernel
 *     refuses at the fd lookup (EBADF) and the programs take for a
 *     peeloff: begin, timestamps, commit.
 * Blocks of CAL_BLOCK calls come in pairs, a target block (the probed
 * call) and a control block (an as cheap call nothing of ours sees: getpid,
 * getsockname(-1)), in alternating order, each call timed on its own and
 * the task state read back after each.  Pairs run detached, attached,
 * detached (one attach: it takes 150-300 ms under TCG): added = median
 * over attached pairs of (target - control) - the same over detached
 * pairs, which cancels the two calls' own difference and slow drift;
 * self = median over attached pairs of the durations the pair recorded.
 * Both with a percentile-bootstrap 95 % CI. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "calib.h"
#include "peel.skel.h"
#include "peelbench.h"
#include "probes.h"
#include "stats.h"

#define CAL_PAIRS_ATT	12	/* block pairs attached; half as many before and after */
#define CAL_BLOCK	100
#define CAL_WARMUP	10
#define CAL_RESAMPLES	2000
#define CAL_SEED	0x63616c6962ull

/* getppid's body, nearly empty: the first of these in vmlinux BTF (6.1 and
 * 7.3 have __do_sys_getppid, ftrace-able; their __x64_sys_getppid is not
 * in BTF). */
static const char *const cal_funcs[] = {
	"__do_sys_getppid", "__x64_sys_getppid", "__arm64_sys_getppid", NULL,
};
#define CAL_SYSCALL_FUNC "__sys_getsockopt"

static const char *const kind_name[PB_PAIR_MAX] = { "fentry", "kprobe", "syscall" };

struct cal {
	struct peel_bpf *skel;
	int pidfd, tasks_fd;
	bool syscall_fentry;		/* the syscall pair is fentry, not tracepoints */
	const char *func;		/* the function pairs' target */
	struct bpf_link *link[2];	/* exit, entry */
	double *lat[2], *self;		/* one block: untraced, traced; self */
};

void calib_hook_pairs(const struct probe_plan *plan, __u32 out[PB_HOOK_MAX])
{
	__u32 h;

	for (h = 0; h < PB_HOOK_MAX; h++)
		out[h] = h == PB_PH_SYSCALL ? PB_PAIR_SYSCALL :
			 plan->hook[h].attach == PB_ATTACH_KPROBE ? PB_PAIR_KPROBE :
			 PB_PAIR_FENTRY;
}

static void mark_used(const struct probe_plan *plan, struct calib *c)
{
	__u32 pairs[PB_HOOK_MAX], h;

	calib_hook_pairs(plan, pairs);
	for (h = 0; h < PB_HOOK_MAX; h++)
		if (plan->hook[h].attach != PB_ATTACH_UNAVAILABLE)
			c->pair[pairs[h]].used = true;
}

static void pair_error(struct calib_pair *p, const char *what, int err)
{
	snprintf(p->error, sizeof(p->error), "%s: %s", what, pb_errno_name(err < 0 ? -err : err));
	p->ok = false;
}

/* The programs of one kind: [0] exit, [1] entry. */
static void kind_progs(struct cal *k, int kind, struct bpf_program *p[2])
{
	struct peel_bpf *s = k->skel;

	if (kind == PB_PAIR_FENTRY) {
		p[0] = s->progs.fexit_do_peeloff;
		p[1] = s->progs.fentry_do_peeloff;
	} else if (kind == PB_PAIR_KPROBE) {
		p[0] = s->progs.kretprobe_do_peeloff;
		p[1] = s->progs.kprobe_do_peeloff;
	} else if (k->syscall_fentry) {
		p[0] = s->progs.fexit_getsockopt;
		p[1] = s->progs.fentry_getsockopt;
	} else {
		p[0] = s->progs.sys_exit_getsockopt;
		p[1] = s->progs.sys_enter_getsockopt;
	}
}

/* Open and load the calibration instance with the used kinds only. */
static int cal_load(struct cal *k, const struct probe_plan *plan, struct calib *c)
{
	struct bpf_program *prog, *p[2];
	int kind, err = 0;

	k->skel = peel_bpf__open();
	if (!k->skel)
		return -errno;
	k->skel->rodata->targ_tgid = (__u32)getpid();
	bpf_map__set_max_entries(k->skel->maps.events, 4096);	/* unused */
	k->syscall_fentry = plan->hook[PB_PH_SYSCALL].attach == PB_ATTACH_FENTRY;
	bpf_object__for_each_program(prog, k->skel->obj)
		bpf_program__set_autoload(prog, false);
	for (kind = 0; kind < PB_PAIR_MAX && !err; kind++) {
		if (!c->pair[kind].used)
			continue;
		kind_progs(k, kind, p);
		bpf_program__set_autoload(p[0], true);
		bpf_program__set_autoload(p[1], true);
		if (kind == PB_PAIR_FENTRY || (kind == PB_PAIR_SYSCALL && k->syscall_fentry)) {
			const char *fn = kind == PB_PAIR_FENTRY ? k->func : CAL_SYSCALL_FUNC;

			err = bpf_program__set_attach_target(p[0], 0, fn);
			if (!err)
				err = bpf_program__set_attach_target(p[1], 0, fn);
		}
	}
	if (!err)
		err = peel_bpf__load(k->skel);
	if (err)
		return err;
	k->tasks_fd = bpf_map__fd(k->skel->maps.tasks);
	return 0;
}

static void cal_detach(struct cal *k)
{
	bpf_link__destroy(k->link[1]);
	bpf_link__destroy(k->link[0]);
	k->link[0] = k->link[1] = NULL;
}

static int cal_attach(struct cal *k, int kind)
{
	LIBBPF_OPTS(bpf_kprobe_opts, ret_opts, .retprobe = true);
	struct bpf_program *p[2];
	int i;

	kind_progs(k, kind, p);
	for (i = 0; i < 2; i++) {
		if (kind == PB_PAIR_KPROBE)
			k->link[i] = bpf_program__attach_kprobe_opts(p[i], k->func,
								   i ? NULL : &ret_opts);
		else
			k->link[i] = bpf_program__attach(p[i]);
		if (!k->link[i]) {
			int err = -errno;

			cal_detach(k);
			return err ? err : -EINVAL;
		}
	}
	return 0;
}

/* A function pair's bodies act only inside a peeloff: say we are in one. */
static int cal_enter_peeloff(struct cal *k)
{
	struct pb_task_state st;

	memset(&st, 0, sizeof(st));
	st.kind = PB_TK_PEELOFF;
	st.wanted = 1;		/* TW_YES: the pid filter is passed */
	return bpf_map_update_elem(k->tasks_fd, &k->pidfd, &st, BPF_ANY) ? -errno : 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The target call runs the probed function; the control call is as cheap
 * and runs none of ours, so that target - control, attached against
 * detached, leaves the pair's cost. */
static void trigger(int kind, bool target)
{
	int arg[3] = { 0, 0, 0 };
	socklen_t len = sizeof(arg);

	if (kind == PB_PAIR_SYSCALL && target)
		syscall(SYS_getsockopt, -1, PB_SOL_SCTP, PB_SCTP_SOCKOPT_PEELOFF, arg, &len);
	else if (kind == PB_PAIR_SYSCALL)
		syscall(SYS_getsockname, -1, arg, &len);
	else
		syscall(target ? SYS_getppid : SYS_getpid);
}

/* Before every timed call, untimed: create and close a socket (SCTP where
 * the kernel has it, else UDP), a path of the size of what runs between a
 * peeloff's nested probes.  Without it the probed call ran with the
 * pair's code and data hot (in a TCG guest: its translated blocks in the
 * jump cache, its pages in the soft TLB) and the added cost came out at
 * half what a pair adds inside a peeloff (docs/trace.md, "Calibration").
 * Target and control calls get the same, so target - control stays the
 * pair's cost. */
static void pollute(void)
{
	int fd = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);

	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd >= 0)
		close(fd);
}

/* One block: CAL_BLOCK timed calls into lat; self[] = what the pair
 * recorded for each (a function pair accumulates, the syscall pair's is
 * per call).  The state is read after every call of every block. */
static void cal_block(struct cal *k, int kind, bool target, double *lat, double *self)
{
	struct pb_task_state st;
	__u64 prev = 0, d;
	double t0;
	int i;

	for (i = 0; i < CAL_WARMUP; i++) {
		pollute();
		trigger(kind, target);
	}
	memset(&st, 0, sizeof(st));
	if (!bpf_map_lookup_elem(k->tasks_fd, &k->pidfd, &st))
		prev = st.dur_ns[PB_PH_DO_PEELOFF];
	for (i = 0; i < CAL_BLOCK; i++) {
		pollute();
		t0 = now_ns();
		trigger(kind, target);
		lat[i] = now_ns() - t0;
		memset(&st, 0, sizeof(st));
		bpf_map_lookup_elem(k->tasks_fd, &k->pidfd, &st);
		if (kind == PB_PAIR_SYSCALL) {
			d = st.dur_ns[PB_PH_SYSCALL];
		} else {
			d = st.dur_ns[PB_PH_DO_PEELOFF] - prev;
			prev = st.dur_ns[PB_PH_DO_PEELOFF];
		}
		if (self)
			self[i] = (double)d;
	}
}

static void median_ci(const double *v, size_t n, double *med, double *lo, double *hi)
{
	struct pb_ci ci = { 0, 0 };

	*med = pb_median(v, n);
	pb_bootstrap_stat(v, n, PB_STAT_MEDIAN, CAL_RESAMPLES, 0.95, CAL_SEED, &ci);
	*lo = ci.lo;
	*hi = ci.hi;
}

/* median(a) - median(b) and its percentile-bootstrap 95 % CI. */
static void median_diff_ci(const double *a, size_t na, const double *b, size_t nb,
			   double *med, double *lo, double *hi)
{
	double ra[CAL_PAIRS_ATT], rb[CAL_PAIRS_ATT], *st = calloc(CAL_RESAMPLES, sizeof(double));
	struct pb_rng rng;
	size_t i, r;

	*med = pb_median(a, na) - pb_median(b, nb);
	*lo = *hi = *med;
	if (!st)
		return;
	pb_rng_seed(&rng, CAL_SEED);
	for (r = 0; r < CAL_RESAMPLES; r++) {
		for (i = 0; i < na; i++)
			ra[i] = a[pb_rng_below(&rng, na)];
		for (i = 0; i < nb; i++)
			rb[i] = b[pb_rng_below(&rng, nb)];
		st[r] = pb_median(ra, na) - pb_median(rb, nb);
	}
	*lo = pb_quantile(st, CAL_RESAMPLES, 0.025);
	*hi = pb_quantile(st, CAL_RESAMPLES, 0.975);
	free(st);
}

/* One pair of blocks, control and target in alternating order; returns
 * median target - median control, and the target's self median. */
static int cal_pair(struct cal *k, int kind, int i, bool attached, double *diff, double *self)
{
	int a, err;

	if (kind != PB_PAIR_SYSCALL && (err = cal_enter_peeloff(k)))
		return err;
	for (a = 0; a < 2; a++) {
		bool target = a ^ (i & 1);

		cal_block(k, kind, target, k->lat[target], target && attached ? k->self : NULL);
	}
	*diff = pb_median(k->lat[1], CAL_BLOCK) - pb_median(k->lat[0], CAL_BLOCK);
	*self = attached ? pb_median(k->self, CAL_BLOCK) : 0;
	return 0;
}

/* Detached, attached, detached (one attach: under TCG an attach or a
 * detach takes 150-300 ms); fills p or its error. */
static void cal_measure(struct cal *k, int kind, struct calib_pair *p)
{
	double diff[2][CAL_PAIRS_ATT], self[CAL_PAIRS_ATT], unused;
	size_t n[2] = { 0, 0 };
	int per, i, err = 0;

	for (per = 0; per < 3 && !err; per++) {
		bool att = per == 1;

		if (att && (err = cal_attach(k, kind))) {
			pair_error(p, "cannot attach", err);
			return;
		}
		for (i = 0; i < (att ? CAL_PAIRS_ATT : CAL_PAIRS_ATT / 2) && !err; i++)
			err = cal_pair(k, kind, i, att, &diff[att][n[att]],
				       att ? &self[n[att]] : &unused), n[att]++;
		if (att)
			cal_detach(k);
	}
	if (err) {
		pair_error(p, "cannot set the task state", err);
		return;
	}
	median_diff_ci(diff[1], n[1], diff[0], n[0], &p->added_ns, &p->added_lo, &p->added_hi);
	median_ci(self, n[1], &p->self_ns, &p->self_lo, &p->self_hi);
	p->rounds = CAL_PAIRS_ATT;
	p->n = CAL_PAIRS_ATT * CAL_BLOCK;
	p->ok = true;
}

/* The first of cal_funcs that vmlinux BTF has, or NULL. */
static const char *cal_func(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const char *f = NULL;
	int i;

	if (!btf)
		return NULL;
	for (i = 0; cal_funcs[i] && !f; i++)
		if (btf__find_by_name_kind(btf, cal_funcs[i], BTF_KIND_FUNC) > 0)
			f = cal_funcs[i];
	btf__free(btf);
	return f;
}

static void describe(struct calib *c, const char *func, bool syscall_fentry)
{
	int kind;

	for (kind = 0; kind < PB_PAIR_MAX; kind++) {
		struct calib_pair *p = &c->pair[kind];

		if (kind == PB_PAIR_SYSCALL) {
			snprintf(p->func, sizeof(p->func), "%s", syscall_fentry ? CAL_SYSCALL_FUNC :
				 "syscalls:sys_{enter,exit}_getsockopt");
			p->trigger = "getsockopt(-1, SOL_SCTP, SCTP_SOCKOPT_PEELOFF): EBADF";
		} else {
			snprintf(p->func, sizeof(p->func), "%s", func ? func : "none");
			p->trigger = "getppid()";
		}
	}
}

void calib_run(const struct probe_plan *plan, struct calib *c)
{
	struct cal k = { .pidfd = -1 };
	double t0 = now_ns();
	int kind, err;

	memset(c, 0, sizeof(*c));
	c->done = true;
	mark_used(plan, c);
	k.func = cal_func();
	describe(c, k.func, plan->hook[PB_PH_SYSCALL].attach == PB_ATTACH_FENTRY);
	k.lat[0] = calloc(CAL_BLOCK, sizeof(double));
	k.lat[1] = calloc(CAL_BLOCK, sizeof(double));
	k.self = calloc(CAL_BLOCK, sizeof(double));
	k.pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	err = !k.lat[0] || !k.lat[1] || !k.self ? -ENOMEM :
	      k.pidfd < 0 ? -errno : !k.func ? -ENOENT :
	      syscall(SYS_gettid) != getpid() ? -EPERM : cal_load(&k, plan, c);
	for (kind = 0; kind < PB_PAIR_MAX; kind++) {
		if (!c->pair[kind].used)
			continue;
		if (err)
			pair_error(&c->pair[kind], "cannot load the calibration programs", err);
		else
			cal_measure(&k, kind, &c->pair[kind]);
		if (!c->pair[kind].ok)
			pb_debug("calibration of %s pairs: %s", kind_name[kind], c->pair[kind].error);
	}
	peel_bpf__destroy(k.skel);
	if (k.pidfd >= 0)
		close(k.pidfd);
	free(k.lat[0]);
	free(k.lat[1]);
	free(k.self);
	c->seconds = (now_ns() - t0) / 1e9;
}

bool calib_usable(const struct calib *c)
{
	int kind;

	if (!c->done)
		return false;
	for (kind = 0; kind < PB_PAIR_MAX; kind++)
		if (c->pair[kind].used && !c->pair[kind].ok)
			return false;
	return true;
}

static __u64 ns_const(double v)
{
	return v > 0 ? (__u64)(v + 0.5) : 0;
}

void calib_configure(struct peel_bpf *skel, const struct probe_plan *plan,
		     const struct calib *c)
{
	__u32 pairs[PB_HOOK_MAX], h;
	int kind;

	calib_hook_pairs(plan, pairs);
	for (h = 0; h < PB_HOOK_MAX; h++)
		skel->rodata->hook_pair[h] = pairs[h];
	if (!calib_usable(c))
		return;
	skel->rodata->comp_on = true;
	for (kind = 0; kind < PB_PAIR_MAX; kind++) {
		if (!c->pair[kind].used)
			continue;
		skel->rodata->comp_self_ns[kind] = ns_const(c->pair[kind].self_ns);
		skel->rodata->comp_added_ns[kind] = ns_const(c->pair[kind].added_ns);
	}
}

static struct json_object *ci_json(double lo, double hi)
{
	struct json_object *a = json_object_new_array();

	json_object_array_add(a, json_object_new_double(lo));
	json_object_array_add(a, json_object_new_double(hi));
	return a;
}

static struct json_object *pair_json(const struct calib_pair *p, const char *attach)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "attach", json_object_new_string(attach));
	json_object_object_add(o, "function", json_object_new_string(p->func));
	json_object_object_add(o, "trigger", json_object_new_string(p->trigger));
	if (!p->ok) {
		json_object_object_add(o, "error", json_object_new_string(p->error));
		return o;
	}
	json_object_object_add(o, "blocks", json_object_new_int64(p->rounds));
	json_object_object_add(o, "n", json_object_new_int64(p->n));
	json_object_object_add(o, "added_ns", json_object_new_double(p->added_ns));
	json_object_object_add(o, "added_ci95", ci_json(p->added_lo, p->added_hi));
	json_object_object_add(o, "self_ns", json_object_new_double(p->self_ns));
	json_object_object_add(o, "self_ci95", ci_json(p->self_lo, p->self_hi));
	return o;
}

struct json_object *calib_json(const struct calib *c)
{
	struct json_object *o, *pairs;
	int kind;

	if (!c->done)
		return NULL;
	o = json_object_new_object();
	pairs = json_object_new_object();
	for (kind = 0; kind < PB_PAIR_MAX; kind++) {
		const struct calib_pair *p = &c->pair[kind];
		const char *attach = kind_name[kind];

		if (!p->used)
			continue;
		if (kind == PB_PAIR_SYSCALL)
			attach = strchr(p->func, ':') ? "tracepoint" : "fentry";
		json_object_object_add(pairs, kind_name[kind], pair_json(p, attach));
	}
	json_object_object_add(o, "pairs", pairs);
	json_object_object_add(o, "compensated", json_object_new_boolean(calib_usable(c)));
	json_object_object_add(o, "seconds", json_object_new_double(c->seconds));
	return o;
}

static double get_dbl(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

void calib_print_json(struct json_object *cal, FILE *f)
{
	struct json_object *pairs, *v;
	bool first = true;

	if (!cal || !json_object_object_get_ex(cal, "pairs", &pairs))
		return;
	fprintf(f, "calibration");
	json_object_object_foreach(pairs, name, p) {
		fprintf(f, "%s %s", first ? "" : ";", name);
		first = false;
		if (json_object_object_get_ex(p, "error", &v)) {
			fprintf(f, " failed (%s)", json_object_get_string(v));
			continue;
		}
		if (json_object_object_get_ex(p, "attach", &v) && strcmp(name, "syscall") == 0)
			fprintf(f, " (%s)", json_object_get_string(v));
		fprintf(f, " pair +%.0f ns added, %.0f ns self", get_dbl(p, "added_ns"),
			get_dbl(p, "self_ns"));
	}
	fprintf(f, "; %.2f s%s\n", get_dbl(cal, "seconds"),
		json_object_object_get_ex(cal, "compensated", &v) && json_object_get_boolean(v) ?
		"" : "; no compensated figures");
}
