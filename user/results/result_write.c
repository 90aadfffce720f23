// SPDX-License-Identifier: GPL-2.0
/* Building and writing the result of `peelbench run`. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

#include "driver.h"
#include "jsonfile.h"
#include "kenv.h"
#include "machine_json.h"
#include "peelbench.h"
#include "phase.h"
#include "migration_fit.h"
#include "result_write.h"
#include "round_kernel.h"
#include "stats.h"

static void cpu_model(char *buf, size_t len, bool *hypervisor)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	*hypervisor = false;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		if (!strncmp(line, "model name", 10) && !strcmp(buf, "unknown")) {
			for (v++; isspace((unsigned char)*v); v++)
				;
			v[strcspn(v, "\n")] = '\0';
			snprintf(buf, len, "%s", v);
		}
		if (!strncmp(line, "flags", 5) && strstr(v, " hypervisor"))
			*hypervisor = true;
	}
	fclose(f);
}

void result_env_probe(struct result_env *e)
{
	const char *guest = getenv("PEELBENCH_GUEST"), *accel = getenv("PEELBENCH_ACCEL");
	struct utsname u;
	bool hv;

	memset(e, 0, sizeof(*e));
	snprintf(e->kernel, sizeof(e->kernel), "%s", uname(&u) ? "unknown" : u.release);
	cpu_model(e->cpu, sizeof(e->cpu), &hv);
	e->vcpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	/* PEELBENCH_GUEST is set by `peelbench run` before it re-executes
	 * itself in a guest (scripts/vm-run passes PEELBENCH_* through); the
	 * CPU's hypervisor flag covers a guest started any other way. */
	e->vm = (guest && !strcmp(guest, "1")) || hv;
	if (accel && *accel)
		snprintf(e->accel, sizeof(e->accel), "%s", accel);
	else if (strstr(e->cpu, "TCG"))	/* qemu -accel tcg -cpu max */
		snprintf(e->accel, sizeof(e->accel), "tcg");
	else
		snprintf(e->accel, sizeof(e->accel), "%s", e->vm ? "unknown" : "none");
	/* The machine's hypervisor is the one peelbench put between the
	 * benchmark and the host (scripts/vm-run exports PEELBENCH_ACCEL into
	 * its guests); a host that is itself virtual is described by its
	 * CPU model and label. */
	pb_machine_of_run(&e->machine, !strcmp(e->accel, "tcg") || !strcmp(e->accel, "kvm") ?
			  e->accel : "none");
}

void result_default_path(char *buf, size_t len, const struct result_env *env,
			 time_t created)
{
	struct tm tm;
	char ts[32];

	gmtime_r(&created, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "results/run-%s-%s.json", env->kernel, ts);
}

static void add_u64(struct json_object *o, const char *k, unsigned long long v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

/* Rates and means to one decimal: more digits would only be noise. */
static void add_dbl(struct json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, json_object_new_double(round(v * 10) / 10));
}

static struct json_object *config_json(const struct bench_config *c)
{
	struct json_object *o = json_object_new_object();
	const struct bench_option *opt;

	for (opt = bench_options; opt->name; opt++) {
		const void *p = (const char *)c + opt->off;

		switch (opt->type) {
		case BENCH_OPT_U64:
			add_u64(o, opt->name, *(const unsigned long long *)p);
			break;
		case BENCH_OPT_DURATION_MS: {
			/* As the option takes it back: "10000ms". */
			char v[32];

			snprintf(v, sizeof(v), "%llums", *(const unsigned long long *)p);
			json_object_object_add(o, opt->name, json_object_new_string(v));
			break;
		}
		case BENCH_OPT_DOUBLE:
			json_object_object_add(o, opt->name,
					       json_object_new_double(*(const double *)p));
			break;
		case BENCH_OPT_ENUM:
			json_object_object_add(o, opt->name,
				json_object_new_string(opt->choices[*(const int *)p]));
			break;
		case BENCH_OPT_FLAGS:
			/* sctp_peeloff(3) has no flags argument: null. */
			json_object_object_add(o, opt->name,
				c->call == BENCH_CALL_PEELOFF_FLAGS ?
				json_object_new_string(bench_flags_name(c->flags)) : NULL);
			break;
		}
	}
	return o;
}

static struct json_object *latency_json(const struct bench_lat_summary *s)
{
	struct json_object *o = json_object_new_object();

	add_u64(o, "count", s->count);
	add_u64(o, "min_ns", s->min_ns);
	add_u64(o, "p50_ns", s->p50_ns);
	add_u64(o, "p99_ns", s->p99_ns);
	add_u64(o, "p999_ns", s->p999_ns);
	add_u64(o, "max_ns", s->max_ns);
	add_dbl(o, "mean_ns", s->mean_ns);
	return o;
}

static void latency_metrics(struct json_object *m, const struct bench_lat_summary *s)
{
	if (!s->count)
		return;
	add_u64(m, "latency.p50_ns", s->p50_ns);
	add_u64(m, "latency.p99_ns", s->p99_ns);
	add_u64(m, "latency.p999_ns", s->p999_ns);
	add_u64(m, "latency.max_ns", s->max_ns);
	add_dbl(m, "latency.mean_ns", s->mean_ns);
}

/* phase.NAME.{p50,p99,mean}_ns from a tracer object that has
 * "phases": {NAME: {p50_ns, p99_ns, mean_ns, ...}} (user/hist.c's JSON). */
static void phase_keys(struct json_object *m, struct json_object *one, const char *phase,
		       const char *infix)
{
	static const char *const keys[] = { "p50_ns", "p99_ns", "p999_ns", "mean_ns", NULL };
	struct json_object *v;
	char name[96];
	int k;

	for (k = 0; keys[k]; k++) {
		if (!json_object_object_get_ex(one, keys[k], &v))
			continue;
		snprintf(name, sizeof(name), "phase.%s.%s%s", phase, infix, keys[k]);
		json_object_object_add(m, name, json_object_get(v));
	}
}

static void phase_metrics(struct json_object *m, struct json_object *trace)
{
	struct json_object *ph, *one, *v;
	unsigned int i;

	if (!trace || !json_object_object_get_ex(trace, "phases", &ph))
		return;
	for (i = 0; i < PB_PH_MAX; i++) {
		if (!json_object_object_get_ex(ph, pb_phase_name(i), &one))
			continue;
		if (json_object_object_get_ex(one, "count", &v) && !json_object_get_int64(v))
			continue;	/* not seen on this kernel (inlined) */
		phase_keys(m, one, pb_phase_name(i), "");
		/* phases.P.compensated (calibrated tracers): phase.P.comp.* */
		if (json_object_object_get_ex(one, "compensated", &v))
			phase_keys(m, v, pb_phase_name(i), "comp.");
	}
}

static struct json_object *metrics_of(double peel, double setup,
				      const struct bench_lat_summary *lat)
{
	struct json_object *m = json_object_new_object();

	add_dbl(m, "peel_per_s", peel);
	add_dbl(m, "setup_per_s", setup);
	latency_metrics(m, lat);
	return m;
}

/* The tracer's rounds are closed after every driver round, warm-up
 * first (bench_hooks.round_end): measured round i is its i + 1 then. */
static struct json_object *rounds_json(const struct bench_config *c,
				       const struct bench_result *r, struct json_object *trace)
{
	struct json_object *arr = json_object_new_array(), *trounds = NULL;
	unsigned long long i, off = c->warmup ? 1 : 0;

	if (trace)
		json_object_object_get_ex(trace, "rounds", &trounds);
	for (i = 0; i < r->nrounds; i++) {
		const struct bench_round *rd = &r->rounds[i];
		struct json_object *o = json_object_new_object();
		struct json_object *m = metrics_of(rd->peel_per_s, rd->setup_per_s, &rd->sum);

		if (trounds && i + off < json_object_array_length(trounds))
			phase_metrics(m, json_object_array_get_idx(trounds, i + off));
		json_object_object_add(o, "metrics", m);
		add_u64(o, "assocs", rd->up);
		add_u64(o, "peeled", rd->peeled);
		add_u64(o, "verified", rd->verified);
		add_u64(o, "errors", rd->errors);
		add_u64(o, "aborted", rd->aborted);
		add_u64(o, "backlog", rd->backlog);
		add_u64(o, "load_sent", rd->load_sent);
		add_u64(o, "load_dropped", rd->load_dropped);
		add_u64(o, "load_failed", rd->load_failed);
		add_dbl(o, "setup_ms", rd->setup_s * 1000);
		add_dbl(o, "peel_ms", rd->peel_s * 1000);
		json_object_object_add(o, "complete", json_object_new_boolean(!rd->interrupted));
		json_object_object_add(o, "kernel", round_kernel_json(rd));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* {NAME: count} */
static struct json_object *errors_json(const struct bench_errors *e)
{
	struct json_object *o = json_object_new_object();
	int i;

	for (i = 0; i < e->len; i++)
		add_u64(o, e->e[i].name, e->e[i].n);
	return o;
}

static struct json_object *driver_json(const struct bench_config *c,
				       const struct bench_result *r,
				       unsigned long long tracer_ok, bool traced)
{
	struct json_object *o = json_object_new_object(), *mem = json_object_new_object();

	add_u64(o, "assocs", r->assocs);
	add_u64(o, "peeled", r->peeled);
	add_u64(o, "verified", r->verified);
	json_object_object_add(o, "errors", errors_json(&r->errs));
	add_dbl(o, "setup_per_s", r->setup_per_s);
	add_dbl(o, "peel_per_s", r->peel_per_s);
	json_object_object_add(o, "latency", latency_json(&r->sum));
	add_u64(o, "rounds", r->nrounds);
	add_u64(o, "warmup_peeled", r->warmup_peeled);
	json_object_object_add(o, "warmup_errors", errors_json(&r->warmup_errs));
	json_object_object_add(o, "failures", failures_json(c, r));
	add_u64(o, "port", r->port);
	add_u64(o, "src_addrs", r->src_addrs);
	add_dbl(mem, "user_bytes_per_assoc", r->user_bytes_per_assoc);
	add_dbl(mem, "kernel_bytes_per_assoc", r->kernel_bytes_per_assoc);
	json_object_object_add(o, "memory", mem);
	/* Descriptors still open at the end that were not before: sockets
	 * the driver failed to close (0 unless something is wrong). */
	json_object_object_add(o, "fds_leaked",
		json_object_new_int64(r->fds_start >= 0 && r->fds_end >= 0 ?
				      r->fds_end - r->fds_start : -1));
	if (traced) {
		/* Every successful peeloff the driver made, warm-up included,
		 * is one the tracer must have seen. */
		add_u64(o, "tracer_peeloff_ok", tracer_ok);
		json_object_object_add(o, "tracer_agrees", json_object_new_boolean(
			tracer_ok == r->peeled + r->warmup_peeled));
	}
	return o;
}

static struct json_object *samples_json(const struct bench_result *r)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array_ext((int)r->lat.len);
	size_t i;

	for (i = 0; i < r->lat.len; i++)
		json_object_array_add(arr, json_object_new_int64((int64_t)r->lat.ns[i]));
	json_object_object_add(o, "latency_ns", arr);
	return o;
}

struct json_object *result_build(const struct bench_config *c,
				 const struct bench_result *r,
				 const struct result_env *env,
				 struct json_object *trace, const char *path,
				 unsigned long long tracer_ok, bool traced,
				 time_t created)
{
	struct json_object *o = json_object_new_object(), *tool = json_object_new_object();
	struct json_object *e = json_object_new_object(), *m;
	struct pb_migration_fit fit;
	struct tm tm;
	char ts[32];

	gmtime_r(&created, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "schema", json_object_new_string("peelbench-result/1"));
	json_object_object_add(o, "complete", json_object_new_boolean(r->complete));
	json_object_object_add(o, "created", json_object_new_string(ts));
	json_object_object_add(tool, "name", json_object_new_string("peelbench run"));
	json_object_object_add(tool, "version", json_object_new_string(PEELBENCH_VERSION));
	json_object_object_add(o, "tool", tool);

	json_object_object_add(e, "kernel", json_object_new_string(env->kernel));
	json_object_object_add(e, "cpu", json_object_new_string(env->cpu));
	json_object_object_add(e, "vcpus", json_object_new_int(env->vcpus));
	json_object_object_add(e, "vm", json_object_new_boolean(env->vm));
	json_object_object_add(e, "accel", json_object_new_string(env->accel));
	json_object_object_add(e, "machine", pb_machine_json(&env->machine));
	kenv_add(e);
	json_object_object_add(o, "env", e);

	json_object_object_add(o, "config", config_json(c));
	m = metrics_of(r->peel_per_s, r->setup_per_s, &r->sum);
	phase_metrics(m, trace);
	/* A sidecar that cannot be read leaves the fit out; its reader has
	 * said why in one line. */
	if (!pb_migration_fit(trace, path, &fit) && fit.ok) {
		add_dbl(m, "migrate.per_queued_msg_ns", fit.fit.slope);
		json_object_object_add(trace, "migration_fit", pb_migration_fit_json(&fit));
	}
	json_object_object_add(o, "metrics", m);
	json_object_object_add(o, "rounds", rounds_json(c, r, trace));
	json_object_object_add(o, "samples", samples_json(r));
	json_object_object_add(o, "driver", driver_json(c, r, tracer_ok, traced));
	if (trace)
		json_object_object_add(o, "trace", trace);
	return o;
}

int result_write(const char *path, struct json_object *obj)
{
	return pb_write_json_atomic(path, obj);
}
