// SPDX-License-Identifier: GPL-2.0
/* Why a round had failures: the counters that moved while it ran
 * (bench_round_explain, driver.h).
 *
 * SCTP charges every association's queued and in-flight data to one
 * counter, sctp_memory_allocated (pages, /proc/net/protocols "memory").
 * Past net.sctp.sctp_mem[1] the kernel is under memory pressure
 * (sk_enter_memory_pressure, "press" yes): it shrinks windows, and past
 * sctp_mem[2] it drops what it cannot charge, which the peer sees as lost
 * packets, retransmissions and, at the end of a round trip's wait,
 * ETIMEDOUT.  The sysctl's defaults scale with the machine's memory, so a
 * small guest reaches them with a few thousand busy associations. */
#include <stdio.h>
#include <string.h>

#include "driver.h"

/* The counters that say packets were lost, retried or refused. */
static const char *const trouble[] = {
	"SctpT3Retransmits", "SctpFastRetransmits", "SctpT3RtxExpireds",
	"SctpInPktDiscards", "SctpInDataChunkDiscards", "SctpOutOfBlues",
	"SctpAborteds", "SctpChecksumErrors", NULL,
};

static long long delta(const struct bench_round *rd, const char *name)
{
	return pb_kstat_get(&rd->k1, name, 0) - pb_kstat_get(&rd->k0, name, 0);
}

int bench_round_trouble(const struct bench_round *rd, struct pb_kstat_delta *out, int max)
{
	int n = 0;

	for (int i = 0; trouble[i] && n < max; i++) {
		long long d = delta(rd, trouble[i]);

		if (d) {
			out[n].name = trouble[i];
			out[n++].d = d;
		}
	}
	return n;
}

/* "SctpT3Retransmits +120, SctpInPktDiscards +4" of the trouble counters
 * that moved; "" when none did. */
static void moved(const struct bench_round *rd, char *buf, size_t len)
{
	struct pb_kstat_delta d[16];
	int n = bench_round_trouble(rd, d, 16);
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s %+lld",
					off ? ", " : "", d[i].name, d[i].d);
}

const char *bench_round_explain(const struct bench_round *rd, char *buf, size_t len)
{
	long long press = pb_kstat_get(&rd->k0, "sctp_mem.pressure", -1);
	long long max = pb_kstat_get(&rd->k0, "sctp_mem.max", -1);
	long long start = pb_kstat_get(&rd->k0, "proto.SCTP.memory", -1);
	bool pressure = rd->sctp_pressure ||
			(press > 0 && rd->sctp_mem_peak >= press);
	char what[256];

	if (!rd->errors)
		return NULL;
	moved(rd, what, sizeof(what));
	if (rd->aborted && rd->errors == rd->aborted) {
		snprintf(buf, len, "%llu failures, one per peer that --abort-peers aborted "
			 "(as asked)", rd->errors);
	} else if (pressure && start >= 0 && rd->sctp_mem_peak - start >= rd->sctp_mem_peak / 2) {
		snprintf(buf, len,
			 "%llu failures under SCTP memory pressure that this round's own %llu "
			 "associations created: %lld pages at the peak against net.sctp.sctp_mem "
			 "pressure %lld, max %lld (%s); use fewer --assocs per round, or raise "
			 "net.sctp.sctp_mem to '%lld %lld %lld' (in a guest: --vm-sysctl "
			 "net.sctp.sctp_mem='%lld %lld %lld', or a larger --vm-mem)",
			 rd->errors, rd->up, rd->sctp_mem_peak, press, max,
			 *what ? what : "no loss counter moved",
			 2 * rd->sctp_mem_peak, 3 * rd->sctp_mem_peak, 4 * rd->sctp_mem_peak,
			 2 * rd->sctp_mem_peak, 3 * rd->sctp_mem_peak, 4 * rd->sctp_mem_peak);
	} else if (pressure) {
		snprintf(buf, len,
			 "%llu failures under SCTP memory pressure, most of it not from this "
			 "round (%lld pages at the start, %lld at the peak, pressure %lld; %s)",
			 rd->errors, start, rd->sctp_mem_peak, press,
			 *what ? what : "no loss counter moved");
	} else if (*what) {
		snprintf(buf, len, "%llu failures; no SCTP memory pressure, but the kernel "
			 "counted %s during the round", rd->errors, what);
	} else {
		snprintf(buf, len, "%llu failures; no SCTP memory pressure and no loss "
			 "counter moved (see driver.failures)", rd->errors);
	}
	return buf;
}
