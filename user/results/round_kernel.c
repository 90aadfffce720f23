// SPDX-License-Identifier: GPL-2.0
/* rounds[].kernel and driver.failures (round_kernel.h). */
#include <string.h>

#include "round_kernel.h"

static void add_ll(struct json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static struct json_object *deltas_json(const struct pb_kstat_delta *d, int n)
{
	struct json_object *o = json_object_new_object();

	for (int i = 0; i < n; i++)
		add_ll(o, d[i].name, d[i].d);
	return o;
}

struct json_object *round_kernel_json(const struct bench_round *rd)
{
	struct json_object *o = json_object_new_object(), *mem = json_object_new_object();
	struct pb_kstat_delta d[PB_KSTAT_MAX];
	char why[768];
	int n = pb_kstat_diff(&rd->k0, &rd->k1, d, PB_KSTAT_MAX);

	json_object_object_add(o, "delta", deltas_json(d, n));
	add_ll(mem, "start_pages", pb_kstat_get(&rd->k0, "proto.SCTP.memory", -1));
	add_ll(mem, "peak_pages", rd->sctp_mem_peak);
	add_ll(mem, "end_pages", pb_kstat_get(&rd->k1, "proto.SCTP.memory", -1));
	add_ll(mem, "pressure_pages", pb_kstat_get(&rd->k0, "sctp_mem.pressure", -1));
	add_ll(mem, "max_pages", pb_kstat_get(&rd->k0, "sctp_mem.max", -1));
	json_object_object_add(mem, "pressure_seen", json_object_new_boolean(rd->sctp_pressure));
	json_object_object_add(o, "sctp_mem", mem);
	if (bench_round_explain(rd, why, sizeof(why)))
		json_object_object_add(o, "explain", json_object_new_string(why));
	return o;
}

static bool stage_in(const char *stage, const char *const *set)
{
	for (; *set; set++)
		if (stage && !strcmp(stage, *set))
			return true;
	return false;
}

static struct json_object *failure_json(const struct bench_config *c,
					const struct bench_round *rd, unsigned long long round,
					const struct bench_failure *f)
{
	static const char *const ping_sent[] = { "ping_recv", "pong_send", "pong_recv", "queue", NULL };
	static const char *const pong_sent[] = { "pong_recv", "queue", NULL };
	struct json_object *o = json_object_new_object();
	struct json_object *sent = json_object_new_object(), *got = json_object_new_object();
	struct pb_kstat_delta d[16];
	bool queued = strcmp(f->info.stage ? f->info.stage : "", "queue_send") != 0;

	add_ll(o, "round", (long long)round);
	add_ll(o, "index", (long long)f->index);
	add_ll(o, "assoc_id", f->assoc_id);
	json_object_object_add(o, "error", json_object_new_string(f->error));
	json_object_object_add(o, "stage", json_object_new_string(f->info.stage ? f->info.stage : "?"));
	json_object_object_add(o, "peeled", json_object_new_boolean(f->peeled));
	add_ll(sent, "queued_before_peel", queued ? (long long)c->assoc_queue : 0);
	json_object_object_add(sent, "ping", json_object_new_boolean(stage_in(f->info.stage, ping_sent)));
	json_object_object_add(sent, "pong", json_object_new_boolean(stage_in(f->info.stage, pong_sent)));
	add_ll(sent, "msg_size", (long long)c->msg_size);
	json_object_object_add(o, "sent", sent);
	json_object_object_add(got, "ping", json_object_new_boolean(f->info.ping_seen));
	json_object_object_add(got, "pong", json_object_new_boolean(
		f->info.stage && !strcmp(f->info.stage, "queue")));
	add_ll(got, "queued", (long long)f->info.queued);
	add_ll(got, "load", (long long)f->info.load);
	json_object_object_add(o, "received", got);
	json_object_object_add(o, "counters_moved", deltas_json(d, bench_round_trouble(rd, d, 16)));
	return o;
}

struct json_object *failures_json(const struct bench_config *c, const struct bench_result *r)
{
	struct json_object *arr = json_object_new_array();

	for (unsigned long long i = 0; i < r->nrounds; i++)
		for (unsigned int k = 0; k < r->rounds[i].nfail; k++)
			json_object_array_add(arr, failure_json(c, &r->rounds[i], i + 1,
								&r->rounds[i].fail[k]));
	return arr;
}
