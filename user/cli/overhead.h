/* SPDX-License-Identifier: GPL-2.0 */
/* peelbench overhead, shared by its files: cmd_overhead.c (options, the
 * tracers around the blocks), ovh_peers.c (the peer tools, each a process
 * around its block), ovh_report.c (the result, JSON and text). */
#ifndef PEELBENCH_OVERHEAD_H
#define PEELBENCH_OVERHEAD_H

#include <stdbool.h>
#include <sys/types.h>

#include "driver.h"

struct json_object;
struct tracer;

enum ovh_mode {
	M_NONE, M_HIST, M_EVENTS, M_SYSCALL, M_PEELOFF, M_FLOOR,
	M_BPFTRACE, M_FUNCLAT,
	M_BASELINE, M_BUILD,	/* --baseline: two peelbench builds' trace -p */
	M_MAX
};

_Static_assert(M_MAX <= BENCH_ARMS_MAX, "one arm per mode");

struct ovh_mode_info {
	const char *name;
	const char *what;
};
extern const struct ovh_mode_info ovh_modes[M_MAX];

struct ovh_cfg {
	unsigned int rounds;
	unsigned int block;		/* peeloffs per block; 0: sized to block_ns */
	unsigned long long block_ns;	/* --block-time */
	unsigned int warmup;
	unsigned int mode_mask;		/* bits of enum ovh_mode; none always */
	unsigned int phases;		/* --phases for hist/events/floor; 0: all */
	double min_ratio;		/* 0: no gate */
	const char *baseline;		/* --baseline: another peelbench binary */
	bool json, no_stats, calibrate;
	const char *out;
};

/* A peer tool (bpftrace, funclatency): its process while it traces a block. */
struct ovh_peer {
	pid_t pid;			/* 0: not running */
	int fd;				/* its stdout and stderr */
	bool skipped;			/* missing or cannot attach: not run */
	char reason[200];
};

#define OVH_WARM_PROGS 32

struct ovh {
	struct ovh_cfg cfg;
	struct bench_blocks bb;		/* one arm per mode asked for */
	unsigned int mode[M_MAX];	/* per arm: its mode */
	const char *arm_name[M_MAX];
	struct tracer *t[M_MAX];	/* per mode: loaded, attached only for a block */
	struct ovh_peer peer[M_MAX];	/* per peer mode */
	unsigned long long before;	/* the attached tracer's count before its block */
	unsigned int round;		/* the round running (0-based) */
	struct json_object **blk;	/* --calibrate: [round * M_MAX + mode], the
					 * tracer's summary of its block */
	bool collect;			/* the bpf_stats blocks: read the programs' stats */
	int stats_fd;			/* BPF_STATS_RUN_TIME on while open */
	int stats_err;			/* errno of bpf_enable_stats */
	struct json_object *progs[M_MAX];	/* per mode: bpf_stats, one block */
	struct {				/* a bpf_stats block's counters after */
		char name[64];			/* its warm-up, subtracted at its end */
		unsigned long long cnt, ns;
	} warm[OVH_WARM_PROGS];
	unsigned int nwarm;
	double bpf_ns_per_peel[M_MAX];
};

static inline bool ovh_is_peer(unsigned int m)
{
	return m == M_BPFTRACE || m == M_FUNCLAT || m == M_BASELINE || m == M_BUILD;
}

/* Start mode m's peer tracing this process and wait until it has attached:
 * 0, or -1 with peer[m].reason set (one line, no "peelbench:"). */
int ovh_peer_start(struct ovh *o, unsigned int m);
/* SIGINT, read what it prints, reap it; 0 when it exited 0. */
int ovh_peer_stop(struct ovh *o, unsigned int m);
/* Every peer asked for, started and stopped once: a missing tool or one
 * that cannot attach is skipped (its mode bit cleared, reason kept and
 * printed on stderr). */
void ovh_peers_probe(struct ovh *o);

/* The result object; *below: a mode's median ratio under --min-ratio. */
struct json_object *ovh_result_json(struct ovh *o, struct json_object *stats_note,
				    bool *below);
void ovh_print_text(struct json_object *res);

#endif
