/* SPDX-License-Identifier: GPL-2.0 */
/* Types and constants shared by bpf/peel.bpf.c and user space: the phase
 * table, hooks, counters, the ring-buffer event and the histogram layout.
 * No includes: the includer provides __u32/__u64/__s32 (vmlinux.h on the
 * kernel side, <linux/types.h> in user space). */
#ifndef PEELBENCH_PEEL_H
#define PEELBENCH_PEEL_H

/* The phases, in path order: the one list.  The enum below, the BPF
 * programs of each phase (peel.bpf.c) and how user space attaches them
 * (user/tracer/trace.c), the names user space prints and parses
 * (--phases, result files) and the kernel functions the probe plan looks
 * for (user/tracer/probes.c) are all generated from it:
 *
 *   X(ID, name, args, (its own functions, first found wins),
 *                     (callers it is inlined into, measured instead))
 *
 * name is the phase's printed name and the suffix of its programs
 * (fentry_NAME, kprobe_NAME, ...).  args: 3 where the entry program
 * passes the first three arguments on (the migration-cost features are
 * read at the clone or the migrate), else 0: the verifier refuses some
 * prototypes, e.g. sctp_do_peeloff's struct socket **.
 *
 * syscall has no function here: it is timed on __sys_getsockopt or the
 * getsockopt tracepoints (probes.c, resolve_syscall) by programs of its
 * own, and it is always traced, as it delimits a call. */
#define PB_PHASES(X)							\
	X(SYSCALL,	syscall,	0, (), ())			\
	PB_FUNC_PHASES(X)

/* The phases timed on a kernel function: those --phases chooses from.
 * The clone is sctp_copy_sock up to 6.x, sctp_clone_sock from 7.x. */
#define PB_FUNC_PHASES(X)						\
	X(DO_PEELOFF,	do_peeloff,	0, ("sctp_do_peeloff"),		\
	  ("sctp_getsockopt_peeloff_common"))				\
	X(CLONE,	clone,		3, ("sctp_copy_sock", "sctp_clone_sock"), ()) \
	X(MIGRATE,	migrate,	3, ("sctp_sock_migrate"),	\
	  ("sctp_clone_sock", "sctp_do_peeloff"))			\
	X(ASSOC_MIGRATE, assoc_migrate,	0, ("sctp_assoc_migrate"), ())

/* PB_HOOK_ACCEPT is a hook without a histogram (sctp_accept): it only
 * tells accept() migrations apart. */
#define PB_PHASE_ENUM_(id, name, args, funcs, enclosers) PB_PH_##id,
enum pb_phase {
	PB_PHASES(PB_PHASE_ENUM_)
	PB_PH_MAX,
	PB_HOOK_ACCEPT = PB_PH_MAX,
	PB_HOOK_MAX,
};

#define PB_SOL_SCTP			132
#define PB_SCTP_SOCKOPT_PEELOFF		102
#define PB_SCTP_SOCKOPT_PEELOFF_FLAGS	122

/* Counters (pb_totals.counters, per CPU). */
enum pb_counter {
	PB_C_ATTEMPTS = 0,	/* peeloff getsockopt calls that returned */
	PB_C_OK,		/* ... with ret >= 0 */
	PB_C_ACCEPT_MIGRATIONS,	/* sctp_assoc_migrate under sctp_accept */
	PB_C_DROPS,		/* ring buffer full: event lost */
	PB_C_NOSTATE,		/* task-state map full: call not traced */
	PB_C_MAX,
};

/* Errno slots (map "errors"): index = -ret, kernel errnos are < 4096. */
#define PB_MAX_ERRNO	4096

/* Log-linear histogram: values below 64 ns have their own bucket; above,
 * each power of two [2^e, 2^(e+1)) is split in 64 equal sub-buckets, so a
 * bucket's width is at most 1/64 of its lower bound.  e runs 6..36, so the
 * last bucket ends at 2^37 ns (137 s): 1 ns .. 100 s is covered; larger
 * values land in the last bucket. */
#define PB_HIST_SUB_BITS	6
#define PB_HIST_SUB		(1u << PB_HIST_SUB_BITS)	/* 64 */
#define PB_HIST_MAX_EXP		36
#define PB_HIST_BUCKETS		((PB_HIST_MAX_EXP - PB_HIST_SUB_BITS + 2) * PB_HIST_SUB) /* 2048 */
#define PB_HIST_LIMIT		(1ull << (PB_HIST_MAX_EXP + 1))

/* floor(log2(v)) for v > 0, without builtins: the BPF backend has no clz. */
static inline __u32 pb_log2_u64(__u64 v)
{
	__u32 r = 0, s;

	s = (v > 0xFFFFFFFFull) << 5; v >>= s; r |= s;
	s = (v > 0xFFFF) << 4; v >>= s; r |= s;
	s = (v > 0xFF) << 3; v >>= s; r |= s;
	s = (v > 0xF) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	r |= (__u32)(v >> 1);
	return r;
}

static inline __u32 pb_hist_index(__u64 v)
{
	__u32 e;

	if (v < PB_HIST_SUB)
		return (__u32)v;
	if (v >= PB_HIST_LIMIT)
		return PB_HIST_BUCKETS - 1;
	e = pb_log2_u64(v);
	return (e - PB_HIST_SUB_BITS + 1) * PB_HIST_SUB +
	       (__u32)((v >> (e - PB_HIST_SUB_BITS)) & (PB_HIST_SUB - 1));
}

/* Probe pairs, by what their timestamps cost (user/tracer/calib.c measures
 * each at start): a function's fentry/fexit or kprobe/kretprobe pair over
 * on_entry/on_exit, and the syscall phase's own pair (fentry/fexit on
 * __sys_getsockopt or the syscall tracepoints, over syscall_enter/exit). */
enum pb_pair {
	PB_PAIR_FENTRY = 0,
	PB_PAIR_KPROBE,
	PB_PAIR_SYSCALL,
	PB_PAIR_MAX,
};

/* Per-phase totals (successful peeloffs). */
struct pb_phase_stat {
	__u64 count;
	__u64 sum_ns;
	__u64 max_ns;
};

/* Map "totals": one per-CPU value, so that the syscall-exit commit looks
 * it up once for all phases and counters. */
struct pb_totals {
	struct pb_phase_stat ph[PB_PH_MAX];
	struct pb_phase_stat comp[PB_PH_MAX];	/* compensated (comp_on) */
	__u64 counters[PB_C_MAX];
};

/* One successful or failed peeloff, sent at syscall exit with --events. */
struct pb_event {
	__u64 ts_ns;			/* bpf_ktime_get_ns() at syscall exit */
	__u32 pid;			/* tgid */
	__u32 tid;
	__s32 assoc_id;			/* from the caller's optval */
	__u32 flags;			/* SCTP_SOCKOPT_PEELOFF_FLAGS flags */
	__s32 ret;			/* getsockopt return value */
	__u32 phase_mask;		/* bit p: dur_ns[p] was measured */
	__u64 dur_ns[PB_PH_MAX];
	__u64 comp_ns[PB_PH_MAX];	/* dur_ns less the probes' own cost */
	/* Migration-cost features, read at the clone (else migrate) entry,
	 * i.e. before the association's data moves.  feat_ok = 0: not read. */
	__u32 feat_ok;
	__u32 parent_rq_len;		/* parent sk_receive_queue.qlen */
	__u64 parent_rq_bytes;		/* sum of skb->len, walk capped */
	__s64 rmem;			/* parent sk_rmem_alloc */
	__s64 wmem;			/* parent sk_wmem_alloc */
	__u32 asoc_lobby;		/* asoc->ulpq.lobby.qlen */
	__u32 asoc_reasm;		/* ulpq.reasm + reasm_uo qlen */
	__u32 asoc_outq;		/* outqueue.out_qlen (bytes queued) */
	__u32 asoc_transmitted;		/* outqueue.outstanding_bytes (in flight) */
	__u32 assocs;			/* associations on the parent ep */
	__u32 walk_capped;		/* bit 0: assocs, bit 1: rq bytes capped;
					 * bit 2: ep->asocs walked (--walk-cap) */
	__u64 feat_ns;			/* time spent reading the features,
					 * subtracted from enclosing phases */
};

/* What a thread is doing, kept in task storage (bpf/peel.bpf.c). */
enum pb_task_kind { PB_TK_IDLE = 0, PB_TK_PEELOFF = 1, PB_TK_ACCEPT = 2 };

/* The per-thread state (map "tasks"); user space reads and writes it
 * only to calibrate (user/tracer/calib.c, by pidfd). */
struct pb_task_state {
	__u32 kind;			/* PB_TK_IDLE between calls */
	__u32 wanted;			/* task_wanted(), computed once per task */
	__u32 phase_mask;
	__u32 pad;
	__u64 start_ns[PB_PH_MAX];
	__u64 dur_ns[PB_PH_MAX];
	/* probe pairs of each kind that ran inside each phase, this call */
	__u32 nested[PB_PH_MAX][PB_PAIR_MAX];
	struct pb_event ev;		/* filled as the call goes */
};

#endif
