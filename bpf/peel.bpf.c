// SPDX-License-Identifier: GPL-2.0
/* peelbench tracer, kernel side.
 *
 * A peeloff is the getsockopt(SOL_SCTP, SCTP_SOCKOPT_PEELOFF[_FLAGS])
 * syscall: its entry creates a per-thread state, the kernel functions
 * below it (do_peeloff, clone, migrate, assoc_migrate) add their
 * durations to that state, and the syscall exit commits them: into the
 * per-CPU histograms when the call succeeded, always into the counters,
 * and as one ring-buffer event with --events.  accept() on a one-to-one
 * socket runs the same migrate functions: sctp_accept marks its thread so
 * those are counted as accept_migrations and never as peeloff phases.
 *
 * Every kernel function has an fentry/fexit and a kprobe/kretprobe twin
 * over one body; user space (user/probes.c) picks one per kernel and
 * turns the others off with bpf_program__set_autoload(). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "peel.h"
#include "sctp_core.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load. */
const volatile __u32 targ_tgid = 0;	/* 0: every process */
const volatile bool targ_tree = false;	/* also the descendants of targ_tgid */
const volatile bool events_on = false;	/* features + ring-buffer events */
const volatile __u32 feat_hook = PB_HOOK_MAX;	/* hook whose entry reads features */
const volatile __u32 feat_sk_arg = 0;	/* its argument holding the parent sk */
const volatile __u32 feat_asoc_arg = 1;	/* ... and the association */
const volatile __u32 walk_cap = 256;	/* bound of list walks (ep->asocs, rq) */
/* Phases whose measured interval contains the feature read (bit mask):
 * the read's own time is subtracted from them. */
const volatile __u32 feat_enclosed_mask = 0;

enum task_kind { TK_PEELOFF = 1, TK_ACCEPT = 2 };

struct task_state {
	__u32 kind;
	__u32 phase_mask;
	__u64 start_ns[PB_PH_MAX];
	__u64 dur_ns[PB_PH_MAX];
	struct pb_event ev;		/* filled as the call goes */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);		/* tid */
	__type(value, struct task_state);
} tasks SEC(".maps");

/* Scratch for building a state without using 200 bytes of stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct task_state);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PB_PH_MAX * PB_HIST_BUCKETS);
	__type(key, __u32);		/* phase * PB_HIST_BUCKETS + bucket */
	__type(value, __u64);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PB_PH_MAX);
	__type(key, __u32);
	__type(value, struct pb_phase_stat);
} phase_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PB_C_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PB_MAX_ERRNO);
	__type(key, __u32);
	__type(value, __u64);
} errors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

static __always_inline void count(__u32 idx, __u32 map_max, void *map)
{
	__u64 *v;

	if (idx >= map_max)
		idx = map_max - 1;
	v = bpf_map_lookup_elem(map, &idx);
	if (v)
		*v += 1;	/* per-CPU slot: no atomic needed */
}

static __always_inline void hist_record(__u32 ph, __u64 ns)
{
	struct pb_phase_stat *st;
	__u32 key = ph * PB_HIST_BUCKETS + pb_hist_index(ns);
	__u64 *slot;

	slot = bpf_map_lookup_elem(&hists, &key);
	if (slot)
		*slot += 1;
	st = bpf_map_lookup_elem(&phase_stats, &ph);
	if (st) {
		st->count++;
		st->sum_ns += ns;
		if (ns > st->max_ns)
			st->max_ns = ns;
	}
}

/* Is the current task one we follow?  -c follows a command's whole tree:
 * /bin/sh may fork before it execs the workload. */
static __always_inline bool task_wanted(void)
{
	struct task_struct *t;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	int i;

	if (!targ_tgid || tgid == targ_tgid)
		return true;
	if (!targ_tree)
		return false;
	t = (struct task_struct *)bpf_get_current_task();
	for (i = 0; i < 8; i++) {
		t = BPF_CORE_READ(t, real_parent);
		if (!t)
			return false;
		tgid = BPF_CORE_READ(t, tgid);
		if (tgid == targ_tgid)
			return true;
		if (tgid <= 1)
			return false;
	}
	return false;
}

static __always_inline struct task_state *new_state(__u32 tid, __u32 kind)
{
	struct task_state *s;
	__u32 zero = 0;

	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return NULL;
	__builtin_memset(s, 0, sizeof(*s));
	s->kind = kind;
	if (bpf_map_update_elem(&tasks, &tid, s, BPF_ANY)) {
		count(PB_C_NOSTATE, PB_C_MAX, &counters);
		return NULL;
	}
	return bpf_map_lookup_elem(&tasks, &tid);
}

/* ---- migration-cost features --------------------------------------- */

struct walk_ctx {
	struct list_head *head;
	struct list_head *pos;
	__u32 n;
};

static int walk_list_cb(__u32 i, struct walk_ctx *c)
{
	struct list_head *pos = c->pos;

	c->pos = BPF_CORE_READ(pos, next);
	if (!c->pos || c->pos == c->head)
		return 1;
	/* n = i + 1, not n++: since 6.7 the verifier checks callbacks as
	 * loops, and an exactly known counter never converges (E2BIG on 7.3) */
	c->n = i + 1;
	return 0;
}

struct skb_walk_ctx {
	struct sk_buff *head;
	struct sk_buff *pos;
	__u64 bytes;
	__u32 n;
};

static int walk_skb_cb(__u32 i, struct skb_walk_ctx *c)
{
	struct sk_buff *pos = c->pos;

	if (!pos || pos == c->head)
		return 1;
	c->bytes += BPF_CORE_READ(pos, len);
	c->n = i + 1;
	c->pos = BPF_CORE_READ(pos, next);
	return 0;
}

/* sk_rmem_alloc is #define sk_backlog.rmem_alloc (since 2.6.33, still so
 * in 7.3); the flavour reads a plain sk_rmem_alloc field should a later
 * kernel move it out of sk_backlog. */
struct sock___flat_rmem {
	atomic_t sk_rmem_alloc;
} __attribute__((preserve_access_index));

static __always_inline __s64 sk_rmem(struct sock *sk)
{
	if (bpf_core_field_exists(sk->sk_backlog.rmem_alloc))
		return BPF_CORE_READ(sk, sk_backlog.rmem_alloc.counter);
	return BPF_CORE_READ((struct sock___flat_rmem *)sk, sk_rmem_alloc.counter);
}

/* The sctp_sock of a sock is the same object (sctp_sk() is a cast). */
static __always_inline void read_features(struct pb_event *ev, struct sock *sk,
					  struct sctp_association___pb *asoc)
{
	struct sctp_sock___pb *sp = (struct sctp_sock___pb *)sk;
	struct sctp_endpoint___pb *ep;
	struct walk_ctx w = {};
	struct skb_walk_ctx sw = {};

	ev->parent_rq_len = BPF_CORE_READ(sk, sk_receive_queue.qlen);
	ev->rmem = sk_rmem(sk);
	ev->wmem = BPF_CORE_READ(sk, sk_wmem_alloc.refs.counter);

	/* Bytes queued on the parent: a capped walk of sk_receive_queue (the
	 * very list sctp_sock_migrate walks). */
	sw.head = (struct sk_buff *)&sk->sk_receive_queue;
	sw.pos = BPF_CORE_READ(sk, sk_receive_queue.next);
	bpf_loop(walk_cap, walk_skb_cb, &sw, 0);
	ev->parent_rq_bytes = sw.bytes;
	if (sw.n >= walk_cap && sw.pos && sw.pos != sw.head)
		ev->walk_capped |= 2;

	/* Associations on the parent endpoint: ep->asocs has no counter, so
	 * walk it, capped by walk_cap (sets walk_capped bit 0). */
	ep = BPF_CORE_READ(sp, ep);
	if (ep) {
		w.head = &ep->asocs;
		w.pos = w.head;
		bpf_loop(walk_cap, walk_list_cb, &w, 0);
		ev->assocs = w.n;
		if (w.n >= walk_cap)
			ev->walk_capped |= 1;
	}

	if (asoc) {
		ev->asoc_lobby = BPF_CORE_READ(asoc, ulpq.lobby.qlen);
		ev->asoc_reasm = BPF_CORE_READ(asoc, ulpq.reasm.qlen);
		if (bpf_core_field_exists(asoc->ulpq.reasm_uo))
			ev->asoc_reasm += BPF_CORE_READ(asoc, ulpq.reasm_uo.qlen);
		ev->asoc_outq = BPF_CORE_READ(asoc, outqueue.out_qlen);
		ev->asoc_transmitted = BPF_CORE_READ(asoc, outqueue.outstanding_bytes);
	}
	ev->feat_ok = 1;
}

/* ---- the shared bodies ---------------------------------------------- */

static __always_inline int on_entry(__u32 hook, __u64 a0, __u64 a1, __u64 a2)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct task_state *s;
	__u64 t0, sk, asoc;

	if (hook == PB_HOOK_ACCEPT) {
		if (task_wanted() && !bpf_map_lookup_elem(&tasks, &tid))
			new_state(tid, TK_ACCEPT);
		return 0;
	}
	s = bpf_map_lookup_elem(&tasks, &tid);
	if (!s)
		return 0;
	if (s->kind == TK_ACCEPT) {
		if (hook == PB_PH_ASSOC_MIGRATE)
			count(PB_C_ACCEPT_MIGRATIONS, PB_C_MAX, &counters);
		return 0;
	}
	if (hook >= PB_PH_MAX)
		return 0;
	if (events_on && hook == feat_hook && !s->ev.feat_ok) {
		t0 = bpf_ktime_get_ns();
		sk = feat_sk_arg == 0 ? a0 : feat_sk_arg == 1 ? a1 : a2;
		asoc = feat_asoc_arg == 0 ? a0 : feat_asoc_arg == 1 ? a1 : a2;
		read_features(&s->ev, (struct sock *)sk,
			      (struct sctp_association___pb *)asoc);
		s->ev.feat_ns = bpf_ktime_get_ns() - t0;
	}
	s->start_ns[hook] = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_exit(__u32 hook)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct task_state *s;
	__u64 now = bpf_ktime_get_ns();

	s = bpf_map_lookup_elem(&tasks, &tid);
	if (!s)
		return 0;
	if (hook == PB_HOOK_ACCEPT) {
		if (s->kind == TK_ACCEPT)
			bpf_map_delete_elem(&tasks, &tid);
		return 0;
	}
	if (s->kind != TK_PEELOFF || hook >= PB_PH_MAX || !s->start_ns[hook])
		return 0;
	s->dur_ns[hook] += now - s->start_ns[hook];
	s->start_ns[hook] = 0;
	s->phase_mask |= 1u << hook;
	return 0;
}

/* ---- the syscall ---------------------------------------------------- */

SEC("tracepoint/syscalls/sys_enter_getsockopt")
int sys_enter_getsockopt(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	int level = (int)ctx->args[1], optname = (int)ctx->args[2];
	void *optval = (void *)ctx->args[3];
	struct task_state *s;

	if (level != PB_SOL_SCTP || (optname != PB_SCTP_SOCKOPT_PEELOFF &&
				     optname != PB_SCTP_SOCKOPT_PEELOFF_FLAGS))
		return 0;
	if (!task_wanted())
		return 0;
	s = new_state(tid, TK_PEELOFF);
	if (!s)
		return 0;
	/* sctp_peeloff_arg_t { assoc_id; sd; }, and the _flags variant
	 * { sctp_peeloff_arg_t p_arg; unsigned flags; } */
	bpf_probe_read_user(&s->ev.assoc_id, sizeof(s->ev.assoc_id), optval);
	if (optname == PB_SCTP_SOCKOPT_PEELOFF_FLAGS)
		bpf_probe_read_user(&s->ev.flags, sizeof(s->ev.flags), optval + 8);
	s->start_ns[PB_PH_SYSCALL] = bpf_ktime_get_ns();
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_getsockopt")
int sys_exit_getsockopt(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns(), d;
	__u32 tid = (__u32)id, ph;
	long ret = ctx->ret;
	struct task_state *s;
	struct pb_event *e;

	s = bpf_map_lookup_elem(&tasks, &tid);
	if (!s || s->kind != TK_PEELOFF || !s->start_ns[PB_PH_SYSCALL])
		return 0;
	s->dur_ns[PB_PH_SYSCALL] = now - s->start_ns[PB_PH_SYSCALL];
	s->phase_mask |= 1u << PB_PH_SYSCALL;

	count(PB_C_ATTEMPTS, PB_C_MAX, &counters);
	if (ret < 0)
		count((__u32)-ret, PB_MAX_ERRNO, &errors);
	else
		count(PB_C_OK, PB_C_MAX, &counters);

	for (ph = 0; ph < PB_PH_MAX; ph++) {
		if (!(s->phase_mask & (1u << ph)))
			continue;
		d = s->dur_ns[ph];
		if ((feat_enclosed_mask & (1u << ph)) && d > s->ev.feat_ns)
			d -= s->ev.feat_ns;
		s->ev.dur_ns[ph] = d;
		/* Histograms hold successful peelofs only, so that every
		 * phase's count is comparable (a failing call stops early). */
		if (ret >= 0)
			hist_record(ph, d);
	}

	if (events_on) {
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e) {
			count(PB_C_DROPS, PB_C_MAX, &counters);
		} else {
			__builtin_memcpy(e, &s->ev, sizeof(*e));
			e->ts_ns = now;
			e->pid = id >> 32;
			e->tid = tid;
			e->ret = (__s32)ret;
			e->phase_mask = s->phase_mask;
			bpf_ringbuf_submit(e, 0);
		}
	}
	bpf_map_delete_elem(&tasks, &tid);
	return 0;
}

/* ---- kernel functions: fentry/fexit and kprobe/kretprobe twins -------
 * The fentry programs read only the arguments they need, and only where
 * every prototype they may attach to has a struct pointer or a scalar
 * there: the verifier refuses e.g. sctp_do_peeloff's struct socket **. */

#define TWINS3(name, hook)							\
SEC("fentry")								\
int BPF_PROG(fentry_##name, __u64 a0, __u64 a1, __u64 a2)		\
{ return on_entry(hook, a0, a1, a2); }					\
SEC("fexit")								\
int BPF_PROG(fexit_##name)						\
{ return on_exit(hook); }						\
SEC("kprobe")								\
int BPF_KPROBE(kprobe_##name)						\
{ return on_entry(hook, PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx),	\
		  PT_REGS_PARM3(ctx)); }				\
SEC("kretprobe")							\
int BPF_KRETPROBE(kretprobe_##name)					\
{ return on_exit(hook); }

#define TWINS0(name, hook)							\
SEC("fentry")								\
int BPF_PROG(fentry_##name)						\
{ return on_entry(hook, 0, 0, 0); }					\
SEC("fexit")								\
int BPF_PROG(fexit_##name)						\
{ return on_exit(hook); }						\
SEC("kprobe")								\
int BPF_KPROBE(kprobe_##name)						\
{ return on_entry(hook, 0, 0, 0); }					\
SEC("kretprobe")							\
int BPF_KRETPROBE(kretprobe_##name)					\
{ return on_exit(hook); }

TWINS0(do_peeloff, PB_PH_DO_PEELOFF)
TWINS3(clone, PB_PH_CLONE)
TWINS3(migrate, PB_PH_MIGRATE)
TWINS0(assoc_migrate, PB_PH_ASSOC_MIGRATE)
TWINS0(accept, PB_HOOK_ACCEPT)
