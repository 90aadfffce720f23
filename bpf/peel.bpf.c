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
const volatile __u32 walk_cap = 0;	/* bound of the ep->asocs walk; 0: no walk */
const volatile __u32 rq_walk_cap = 256;	/* bound of the sk_receive_queue walk */
/* Wake the event reader only past this much unread data (user space
 * sets a quarter of the ring). */
const volatile __u64 rb_wake_bytes = 256 * 1024;
/* Phases whose measured interval contains the feature read (bit mask):
 * the read's own time is subtracted from them. */
const volatile __u32 feat_enclosed_mask = 0;

/* Compensation (docs/trace.md, "Compensated figures"): the probe pair
 * kind of each hook, and what calibration measured for each kind: the
 * time a pair's own timestamps enclose (self) and the time it adds to
 * whatever encloses it (added).  comp_on: write compensated figures. */
const volatile __u32 hook_pair[PB_HOOK_MAX] = {};
const volatile bool comp_on = false;
const volatile __u64 comp_self_ns[PB_PAIR_MAX] = {};
const volatile __u64 comp_added_ns[PB_PAIR_MAX] = {};

enum task_wanted { TW_UNKNOWN = 0, TW_YES = 1, TW_NO = 2 };

/* Per-thread state in task-local storage (5.11+): one pointer walk per
 * hit instead of a hash lookup, created zeroed once per thread and reused
 * (no per-call insert/delete), freed by the kernel when the thread exits
 * or the map goes. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pb_task_state);
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PB_PH_MAX * PB_HIST_BUCKETS);
	__type(key, __u32);		/* phase * PB_HIST_BUCKETS + bucket */
	__type(value, __u64);
} hists SEC(".maps");

/* The compensated durations' histograms, laid out as hists (comp_on). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PB_PH_MAX * PB_HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} comp_hists SEC(".maps");

/* Per-phase totals and the counters in one per-CPU value: the commit at
 * syscall exit looks it up once. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pb_totals);
} totals SEC(".maps");

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

/* A counter outside the syscall commit (rare paths). */
static __always_inline void count_c(__u32 c)
{
	struct pb_totals *tot;
	__u32 zero = 0;

	tot = bpf_map_lookup_elem(&totals, &zero);
	if (tot && c < PB_C_MAX)
		tot->counters[c]++;
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

static __always_inline struct pb_task_state *cur_state(void)
{
	return bpf_task_storage_get(&tasks, bpf_get_current_task_btf(), NULL, 0);
}

/* The calling thread's state, created on first use; NULL when the thread
 * is not followed (the answer is kept: the parent walk runs once). */
static __always_inline struct pb_task_state *wanted_state(void)
{
	struct pb_task_state *s;

	s = bpf_task_storage_get(&tasks, bpf_get_current_task_btf(), NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s) {
		count_c(PB_C_NOSTATE);
		return NULL;
	}
	if (s->wanted == TW_UNKNOWN)
		s->wanted = task_wanted() ? TW_YES : TW_NO;
	return s->wanted == TW_YES ? s : NULL;
}

/* Start a peeloff call: only what the commit reads is reset (the state is
 * reused, and clearing all of it costs more than the whole program). */
static __always_inline void begin_peeloff(struct pb_task_state *s)
{
	__u32 ph;

	s->kind = PB_TK_PEELOFF;
	s->phase_mask = 0;
	for (ph = 0; ph < PB_PH_MAX; ph++) {
		s->start_ns[ph] = 0;
		s->dur_ns[ph] = 0;
		s->nested[ph][PB_PAIR_FENTRY] = 0;
		s->nested[ph][PB_PAIR_KPROBE] = 0;
	}
	s->ev.assoc_id = 0;
	s->ev.flags = 0;
	s->ev.feat_ok = 0;
	s->ev.walk_capped = 0;
	s->ev.feat_ns = 0;
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
	if (ev->parent_rq_len)
		bpf_loop(rq_walk_cap, walk_skb_cb, &sw, 0);
	ev->parent_rq_bytes = sw.bytes;
	if (sw.n >= rq_walk_cap && sw.pos && sw.pos != sw.head)
		ev->walk_capped |= 2;

	/* Associations on the parent endpoint: ep->asocs has no counter, so
	 * walk it, capped by walk_cap (sets walk_capped bit 0).  One probe
	 * read per association: with 300 of them this walk was 90 % of the
	 * tracer's cost under --events, so it runs only when asked for
	 * (--walk-cap N; assocs_walked tells user space). */
	ep = walk_cap ? BPF_CORE_READ(sp, ep) : NULL;
	if (ep) {
		w.head = &ep->asocs;
		w.pos = w.head;
		bpf_loop(walk_cap, walk_list_cb, &w, 0);
		ev->assocs = w.n;
		if (w.n >= walk_cap)
			ev->walk_capped |= 1;
		ev->walk_capped |= 4;
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
	struct pb_task_state *s;
	__u64 t0, sk, asoc;

	if (hook == PB_HOOK_ACCEPT) {
		s = wanted_state();
		if (s && s->kind == PB_TK_IDLE)
			s->kind = PB_TK_ACCEPT;
		return 0;
	}
	s = cur_state();
	if (!s || s->kind == PB_TK_IDLE)
		return 0;
	if (s->kind == PB_TK_ACCEPT) {
		if (hook == PB_PH_ASSOC_MIGRATE)
			count_c(PB_C_ACCEPT_MIGRATIONS);
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

/* A pair of hook just ran whole: count it in every phase still open
 * around it (its own is closed by now). */
static __always_inline void count_nested(struct pb_task_state *s, __u32 hook)
{
	__u32 ph, k = hook_pair[hook] == PB_PAIR_KPROBE;

	for (ph = 0; ph < PB_PH_MAX; ph++)
		if (s->start_ns[ph])
			s->nested[ph][k]++;
}

static __always_inline int on_exit(__u32 hook)
{
	struct pb_task_state *s;
	__u64 now = bpf_ktime_get_ns();

	s = cur_state();
	if (!s)
		return 0;
	if (hook == PB_HOOK_ACCEPT) {
		if (s->kind == PB_TK_ACCEPT)
			s->kind = PB_TK_IDLE;
		return 0;
	}
	if (s->kind != PB_TK_PEELOFF || hook >= PB_PH_MAX || !s->start_ns[hook])
		return 0;
	s->dur_ns[hook] += now - s->start_ns[hook];
	s->start_ns[hook] = 0;
	s->phase_mask |= 1u << hook;
	count_nested(s, hook);
	return 0;
}

/* ---- the syscall ----------------------------------------------------
 * Two attachments over one body: fentry/fexit on __sys_getsockopt (the
 * plan's choice where it has BTF), or the syscall tracepoints. */

static __always_inline bool is_peeloff(int level, int optname)
{
	return level == PB_SOL_SCTP && (optname == PB_SCTP_SOCKOPT_PEELOFF ||
					optname == PB_SCTP_SOCKOPT_PEELOFF_FLAGS);
}

static __always_inline int syscall_enter(int level, int optname, void *optval)
{
	struct pb_task_state *s;

	if (!is_peeloff(level, optname))
		return 0;
	s = wanted_state();
	if (!s)
		return 0;
	begin_peeloff(s);
	/* sctp_peeloff_arg_t { assoc_id; sd; }, and the _flags variant
	 * { sctp_peeloff_arg_t p_arg; unsigned flags; }: for the event only */
	if (events_on) {
		bpf_probe_read_user(&s->ev.assoc_id, sizeof(s->ev.assoc_id), optval);
		if (optname == PB_SCTP_SOCKOPT_PEELOFF_FLAGS)
			bpf_probe_read_user(&s->ev.flags, sizeof(s->ev.flags), optval + 8);
	}
	s->start_ns[PB_PH_SYSCALL] = bpf_ktime_get_ns();
	return 0;
}

/* A phase's duration less its own pair's self time and the added cost
 * of the pairs that ran inside it; 0 rather than below. */
static __always_inline __u64 compensate(struct pb_task_state *s, __u32 ph, __u64 d)
{
	__u64 cost = comp_self_ns[hook_pair[ph] < PB_PAIR_MAX ? hook_pair[ph] : 0] +
		     s->nested[ph][PB_PAIR_FENTRY] * comp_added_ns[PB_PAIR_FENTRY] +
		     s->nested[ph][PB_PAIR_KPROBE] * comp_added_ns[PB_PAIR_KPROBE];

	return d > cost ? d - cost : 0;
}

/* One duration into a phase's histogram slot and totals. */
static __always_inline void commit_one(void *map, struct pb_phase_stat *st, __u32 ph, __u64 d)
{
	__u32 key = ph * PB_HIST_BUCKETS + pb_hist_index(d);
	__u64 *slot = bpf_map_lookup_elem(map, &key);

	if (slot)
		*slot += 1;	/* per-CPU slot: no atomic needed */
	st->count++;
	st->sum_ns += d;
	if (d > st->max_ns)
		st->max_ns = d;
}

/* Everything of a call, committed at once: per-CPU totals, one histogram
 * slot per measured phase, counters, the event. */
static __always_inline int syscall_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns(), d, c;
	__u32 ph, zero = 0;
	struct pb_task_state *s;
	struct pb_totals *tot;
	struct pb_event *e;

	s = cur_state();
	if (!s || s->kind != PB_TK_PEELOFF || !s->start_ns[PB_PH_SYSCALL])
		return 0;
	s->kind = PB_TK_IDLE;
	s->dur_ns[PB_PH_SYSCALL] = now - s->start_ns[PB_PH_SYSCALL];
	s->start_ns[PB_PH_SYSCALL] = 0;
	s->phase_mask |= 1u << PB_PH_SYSCALL;

	tot = bpf_map_lookup_elem(&totals, &zero);
	if (!tot)
		return 0;
	tot->counters[PB_C_ATTEMPTS]++;
	if (ret < 0)
		count((__u32)-ret, PB_MAX_ERRNO, &errors);
	else
		tot->counters[PB_C_OK]++;

	for (ph = 0; ph < PB_PH_MAX; ph++) {
		if (!(s->phase_mask & (1u << ph)))
			continue;
		d = s->dur_ns[ph];
		if ((feat_enclosed_mask & (1u << ph)) && d > s->ev.feat_ns)
			d -= s->ev.feat_ns;
		s->ev.dur_ns[ph] = d;
		c = comp_on ? compensate(s, ph, d) : 0;
		s->ev.comp_ns[ph] = c;
		/* Histograms hold successful peelofs only, so that every
		 * phase's count is comparable (a failing call stops early). */
		if (ret < 0)
			continue;
		commit_one(&hists, &tot->ph[ph], ph, d);
		if (comp_on)
			commit_one(&comp_hists, &tot->comp[ph], ph, c);
	}

	if (events_on) {
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e) {
			tot->counters[PB_C_DROPS]++;
		} else {
			__builtin_memcpy(e, &s->ev, sizeof(*e));
			e->ts_ns = now;
			e->pid = id >> 32;
			e->tid = (__u32)id;
			e->ret = (__s32)ret;
			e->phase_mask = s->phase_mask;
			/* No wakeup per event: each is an irq_work and a task
			 * wakeup run inside this program (bpf_stats: ~67 us of
			 * emulated time per hit, 6.1 under TCG).  The reader
			 * drains the ring every poll (tracer_poll), and is
			 * woken only when the ring fills up. */
			bpf_ringbuf_submit(e, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >
					   rb_wake_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
		}
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getsockopt")
int sys_enter_getsockopt(struct trace_event_raw_sys_enter *ctx)
{
	return syscall_enter((int)ctx->args[1], (int)ctx->args[2], (void *)ctx->args[3]);
}

SEC("tracepoint/syscalls/sys_exit_getsockopt")
int sys_exit_getsockopt(struct trace_event_raw_sys_exit *ctx)
{
	return syscall_exit(ctx->ret);
}

/* __sys_getsockopt(int fd, int level, int optname, char __user *optval,
 * int __user *optlen): the same in 6.1, 6.12 and 7.3 BTF. */
SEC("fentry")
int BPF_PROG(fentry_getsockopt, int fd, int level, int optname, char *optval)
{
	return syscall_enter(level, optname, optval);
}

SEC("fexit")
int BPF_PROG(fexit_getsockopt, int fd, int level, int optname, char *optval,
	     int *optlen, int ret)
{
	/* the arguments are here too: other getsockopt calls stop at once */
	if (!is_peeloff(level, optname))
		return 0;
	return syscall_exit(ret);
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

#define PHASE_TWINS(id, name, args, funcs, enclosers) TWINS##args(name, PB_PH_##id)
PB_FUNC_PHASES(PHASE_TWINS)
TWINS0(accept, PB_HOOK_ACCEPT)
