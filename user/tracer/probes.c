// SPDX-License-Identifier: GPL-2.0
/* The probe plan (see probes.h).  Kernel differences are data here:
 *
 *   6.1  sctp_do_peeloff, sctp_copy_sock, sctp_sock_migrate all exist and
 *        have BTF: fentry/fexit everywhere.
 *   7.x  sctp_do_peeloff was made static (2025) and inlined into
 *        sctp_getsockopt_peeloff_common.constprop.0; the sk_clone() series
 *        (b7ddb55f31279 "sctp: Use sctp_clone_sock() in sctp_do_peeloff()",
 *        71068e2e1b6bd "sctp: Remove sctp_copy_sock() ...") replaced
 *        sctp_copy_sock with sctp_clone_sock, which now calls
 *        sctp_sock_migrate, inlined into it.
 *
 * Suffixed clones (.constprop.N, .isra.N, .part.N) have no BTF: they are
 * reached by kprobe under their full name.  .cold parts are never code
 * to probe. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "peelbench.h"
#include "phase_work.h"
#include "probes.h"

struct phase_spec {
	const char *name;
	const char *cands[3];		/* the phase's own function, in order */
	const char *enclosers[3];	/* callers it is inlined into */
};

#define PROBE_UNPAREN_(...) __VA_ARGS__
#define PROBE_SPEC_(id, name, args, funcs, enclosers)			\
	[PB_PH_##id] = { #name, { PROBE_UNPAREN_ funcs }, { PROBE_UNPAREN_ enclosers } },

/* The phases from bpf/peel.h's table, then the accept hook. */
static const struct phase_spec specs[PB_HOOK_MAX] = {
	PB_PHASES(PROBE_SPEC_)
	[PB_HOOK_ACCEPT] = { "accept", { "sctp_accept" } },
};

const char *probe_phase_name(__u32 hook)
{
	return hook < PB_HOOK_MAX ? specs[hook].name : "?";
}

const char *probe_attach_name(enum pb_attach a)
{
	switch (a) {
	case PB_ATTACH_FENTRY:		return "fentry";
	case PB_ATTACH_KPROBE:		return "kprobe";
	case PB_ATTACH_TRACEPOINT:	return "tracepoint";
	default:			return "unavailable";
	}
}

const char *probe_choice_attach_name(const struct probe_choice *c)
{
	return c->unknown ? "unknown" : probe_attach_name(c->attach);
}

/* The field-th whitespace-separated word of the line at p (0-based),
 * copied into out.  Returns false when the line is shorter. */
static bool line_word(const char *p, int field, char *out, size_t len)
{
	size_t n;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			return false;
		n = strcspn(p, " \t\n");
		if (!field--) {
			if (n >= len)
				return false;
			memcpy(out, p, n);
			out[n] = '\0';
			return true;
		}
		p += n;
	}
}

static const char *next_line(const char *p)
{
	p = strchr(p, '\n');
	return p ? p + 1 : NULL;
}

/* Does name (exactly) appear as word `field` of a line of text? */
static bool text_has(const char *text, int field, const char *name)
{
	size_t len = strlen(name);
	const char *p, *hit;
	char w[256];

	/* strstr first: most lines cannot match */
	for (p = text; p && (hit = strstr(p, name)); p = next_line(hit)) {
		const char *bol = hit;

		while (bol > text && bol[-1] != '\n')
			bol--;
		if ((hit[len] == ' ' || hit[len] == '\t' || hit[len] == '\n' || !hit[len]) &&
		    line_word(bol, field, w, sizeof(w)) && !strcmp(w, name))
			return true;
	}
	return false;
}

static bool is_clone_suffix(const char *s)
{
	return !strncmp(s, ".constprop.", 11) || !strncmp(s, ".isra.", 6) ||
	       !strncmp(s, ".part.", 6) || !strncmp(s, ".llvm.", 6);
}

/* A text symbol of kallsyms named base, or base.constprop.N etc.: the
 * exact name wins, else the first suffixed one.  Writes the full name. */
static bool find_symbol(const char *kallsyms, const char *base, char *out, size_t len)
{
	size_t blen = strlen(base);
	const char *p, *hit;
	char name[256], type[4];
	bool suffixed = false;

	if (!kallsyms)
		return false;
	for (p = kallsyms; p && (hit = strstr(p, base)); p = next_line(hit)) {
		const char *bol = hit;

		while (bol > kallsyms && bol[-1] != '\n')
			bol--;
		if (!line_word(bol, 1, type, sizeof(type)) || (type[0] != 't' && type[0] != 'T') ||
		    !line_word(bol, 2, name, sizeof(name)) || strncmp(name, base, blen))
			continue;
		if (strlen(name) >= len)
			continue;
		if (!name[blen]) {
			strcpy(out, name);
			return true;
		}
		if (!suffixed && is_clone_suffix(name + blen)) {
			strcpy(out, name);
			suffixed = true;
		}
	}
	return suffixed;
}

/* Which hook already uses this symbol (PB_HOOK_MAX: none). */
static __u32 used_by(const struct probe_plan *plan, __u32 upto, const char *sym)
{
	__u32 h;

	for (h = 0; h < upto; h++)
		if (plan->hook[h].attach != PB_ATTACH_UNAVAILABLE &&
		    !strcmp(plan->hook[h].symbol, sym))
			return h;
	return PB_HOOK_MAX;
}

/* Without available_filter_functions, whether sym attaches as a, asked
 * of the kernel (src->try_attach); what it said goes into why. */
static enum probe_try confirm(const struct probe_sources *src, enum pb_attach a,
			      const char *sym, char *why, size_t size)
{
	if (!src->try_attach) {
		snprintf(why, size, "no test attach here");
		return PROBE_TRY_UNKNOWN;
	}
	return src->try_attach(a, sym, why, size);
}

/* fentry if the exact name has BTF and ftrace knows it, else kprobe.
 * Where ftrace's list cannot be read, each is promised only once a test
 * program attached; "unknown" when nothing could try. */
static void choose_attach(const struct probe_sources *src, struct probe_choice *c,
			  const char *why_prefix)
{
	bool suffixed = strchr(c->symbol, '.') != NULL;
	bool in_btf = src->btf_funcs && text_has(src->btf_funcs, 0, c->symbol);
	bool listed = src->filter_funcs && text_has(src->filter_funcs, 0, c->symbol);
	bool fentry_ok = src->fentry && !src->force_kprobe && !suffixed && in_btf;
	enum probe_try t = PROBE_TRY_NO;
	char tried[160], why[256];

	if (fentry_ok && listed) {
		c->attach = PB_ATTACH_FENTRY;
		snprintf(c->reason, sizeof(c->reason), "%sin BTF and ftrace-able", why_prefix);
		return;
	}
	if (fentry_ok && !src->filter_funcs) {
		t = confirm(src, PB_ATTACH_FENTRY, c->symbol, tried, sizeof(tried));
		if (t == PROBE_TRY_YES) {
			c->attach = PB_ATTACH_FENTRY;
			snprintf(c->reason, sizeof(c->reason),
				 "%sin BTF; no available_filter_functions, but %s", why_prefix, tried);
			return;
		}
	}
	c->unknown = t == PROBE_TRY_UNKNOWN;
	if (src->force_kprobe)
		snprintf(why, sizeof(why), "kprobe forced (--kprobe)");
	else if (suffixed)
		snprintf(why, sizeof(why), "compiler clone: no BTF, kprobe by full name");
	else if (!in_btf)
		snprintf(why, sizeof(why), "not in BTF");
	else if (src->filter_funcs)
		snprintf(why, sizeof(why), "not in available_filter_functions");
	else if (fentry_ok)
		snprintf(why, sizeof(why), "no available_filter_functions; fentry: %s", tried);
	else
		snprintf(why, sizeof(why), "no fentry support");
	c->attach = PB_ATTACH_UNAVAILABLE;
	if (!src->kprobes) {
		snprintf(c->reason, sizeof(c->reason), "%s%s, and this kernel has no kprobes",
			 why_prefix, why);
		return;
	}
	if (!src->filter_funcs) {
		t = confirm(src, PB_ATTACH_KPROBE, c->symbol, tried, sizeof(tried));
		c->unknown = t == PROBE_TRY_UNKNOWN;
		if (t == PROBE_TRY_YES)
			c->attach = PB_ATTACH_KPROBE;
		snprintf(c->reason, sizeof(c->reason), "%s%s; kprobe: %s", why_prefix, why, tried);
		return;
	}
	c->unknown = false;
	c->attach = PB_ATTACH_KPROBE;
	snprintf(c->reason, sizeof(c->reason), "%s%s", why_prefix, why);
}

static void resolve_function(const struct probe_sources *src, struct probe_plan *plan, __u32 h)
{
	const struct phase_spec *s = &specs[h];
	struct probe_choice *c = &plan->hook[h];
	char prefix[288], sym[128];
	__u32 other;
	int i;

	for (i = 0; i < 3 && s->cands[i]; i++) {
		if (find_symbol(src->kallsyms, s->cands[i], c->symbol, sizeof(c->symbol))) {
			choose_attach(src, c, "");
			return;
		}
	}
	/* Inlined: measure the function it was inlined into, unless another
	 * phase already measures that one. */
	for (i = 0; i < 3 && s->enclosers[i]; i++) {
		if (!find_symbol(src->kallsyms, s->enclosers[i], sym, sizeof(sym)))
			continue;
		other = used_by(plan, h, sym);
		snprintf(c->symbol, sizeof(c->symbol), "%s", sym);
		if (other < PB_HOOK_MAX) {
			c->attach = PB_ATTACH_UNAVAILABLE;
			snprintf(c->reason, sizeof(c->reason),
				 "%s has no symbol (inlined into %s): its time is inside phase %s",
				 s->cands[0], sym, specs[other].name);
			return;
		}
		c->enclosing = true;
		snprintf(prefix, sizeof(prefix),
			 "%s is inlined: measuring the enclosing %s (adds its own work, e.g. fd install); ",
			 s->cands[0], sym);
		choose_attach(src, c, prefix);
		return;
	}
	c->symbol[0] = '\0';
	c->attach = PB_ATTACH_UNAVAILABLE;
	snprintf(c->reason, sizeof(c->reason), "%s: no such symbol in /proc/kallsyms", s->cands[0]);
}

/* The syscall phase.  fentry/fexit on __sys_getsockopt(fd, level,
 * optname, optval, optlen) (6.1, 6.12 and 7.3 all have it, global, in
 * BTF, ftrace-able): its trampoline is paid by getsockopt calls only, and
 * fexit sees both the arguments (so a non-peeloff call costs one compare)
 * and the return value.  The syscall tracepoints are the fallback that
 * works on any kernel, but enabling them sets SYSCALL_TRACEPOINT on every
 * task: every syscall on the machine then takes the slow path (measured
 * in docs/trace.md, "Overhead").  Only the exact name will do: a
 * compiler clone (.constprop, .isra) may have another argument layout. */
static void resolve_syscall(const struct probe_sources *src, struct probe_choice *c)
{
	static const char fn[] = "__sys_getsockopt";
	char sym[128], tried[160] = "", why[256];
	bool found = find_symbol(src->kallsyms, fn, sym, sizeof(sym)) && !strcmp(sym, fn);
	bool in_btf = src->btf_funcs && text_has(src->btf_funcs, 0, fn);
	bool listed = src->filter_funcs && text_has(src->filter_funcs, 0, fn);
	bool fentry_ok = src->fentry && !src->force_kprobe && found && in_btf;
	enum probe_try t = PROBE_TRY_NO;

	if (fentry_ok && !src->filter_funcs)
		t = confirm(src, PB_ATTACH_FENTRY, fn, tried, sizeof(tried));
	if (fentry_ok && (listed || t == PROBE_TRY_YES)) {
		snprintf(c->symbol, sizeof(c->symbol), "%s", fn);
		c->attach = PB_ATTACH_FENTRY;
		snprintf(c->reason, sizeof(c->reason),
			 "%s%s; level SOL_SCTP, optname 102/122; includes fd alloc/install",
			 listed ? "in BTF and ftrace-able" :
			 "in BTF; no available_filter_functions, but ", listed ? "" : tried);
		return;
	}
	if (src->force_kprobe)
		snprintf(why, sizeof(why), "--kprobe: no trampolines");
	else if (!src->fentry)
		snprintf(why, sizeof(why), "no kernel BTF");
	else if (!found)
		snprintf(why, sizeof(why), "no __sys_getsockopt in /proc/kallsyms");
	else if (!in_btf)
		snprintf(why, sizeof(why), "__sys_getsockopt not in BTF");
	else if (src->filter_funcs)
		snprintf(why, sizeof(why), "__sys_getsockopt not in available_filter_functions");
	else
		snprintf(why, sizeof(why),
			 "no available_filter_functions; fentry on __sys_getsockopt: %s", tried);
	snprintf(c->symbol, sizeof(c->symbol), "syscalls:sys_enter_getsockopt");
	if (src->syscall_tp) {
		c->attach = PB_ATTACH_TRACEPOINT;
		snprintf(c->reason, sizeof(c->reason),
			 "%s: syscall tracepoints (slow path for every syscall), level SOL_SCTP, optname 102/122; includes fd alloc/install",
			 why);
	} else {
		c->attach = PB_ATTACH_UNAVAILABLE;
		c->unknown = t == PROBE_TRY_UNKNOWN;
		if (c->unknown)
			snprintf(c->symbol, sizeof(c->symbol), "%s", fn);
		snprintf(c->reason, sizeof(c->reason),
			 "%s, and no syscalls:sys_enter_getsockopt tracepoint (tracefs not mounted or CONFIG_FTRACE_SYSCALLS off)",
			 why);
	}
}

/* Features are read where both the parent sock and the association are
 * arguments, before anything moved: the clone entry, else the migrate
 * entry; nowhere if neither is traced. */
static void choose_feat_hook(struct probe_plan *plan)
{
	plan->feat_hook = PB_HOOK_MAX;
	plan->feat_sk_arg = plan->feat_asoc_arg = 0;
	plan->feat_enclosed_mask = 0;
	if (plan->hook[PB_PH_CLONE].attach != PB_ATTACH_UNAVAILABLE) {
		plan->feat_hook = PB_PH_CLONE;
		if (!strncmp(plan->hook[PB_PH_CLONE].symbol, "sctp_copy_sock", 14)) {
			/* sctp_copy_sock(newsk, sk, asoc) */
			plan->feat_sk_arg = 1;
			plan->feat_asoc_arg = 2;
		} else {
			/* sctp_clone_sock(sk, asoc, type) */
			plan->feat_sk_arg = 0;
			plan->feat_asoc_arg = 1;
		}
	} else if (plan->hook[PB_PH_MIGRATE].attach != PB_ATTACH_UNAVAILABLE &&
		   !plan->hook[PB_PH_MIGRATE].enclosing) {
		/* sctp_sock_migrate(oldsk, newsk, assoc, type) */
		plan->feat_hook = PB_PH_MIGRATE;
		plan->feat_sk_arg = 0;
		plan->feat_asoc_arg = 2;
	}
	if (plan->feat_hook < PB_HOOK_MAX) {
		plan->feat_enclosed_mask = 1u << PB_PH_SYSCALL | 1u << PB_PH_DO_PEELOFF;
		if (plan->feat_hook == PB_PH_MIGRATE &&
		    !strncmp(plan->hook[PB_PH_CLONE].symbol, "sctp_clone_sock", 15))
			plan->feat_enclosed_mask |= 1u << PB_PH_CLONE;
	}
}

void probe_plan_resolve(const struct probe_sources *src, struct probe_plan *plan)
{
	struct probe_choice *c;
	char sym[128];
	__u32 h;

	memset(plan, 0, sizeof(*plan));
	for (h = 0; h < PB_HOOK_MAX; h++)
		plan->hook[h].phase = specs[h].name;
	plan->feat_hook = PB_HOOK_MAX;
	plan->sctp_loaded = find_symbol(src->kallsyms, "sctp_assoc_migrate", sym, sizeof(sym));

	resolve_syscall(src, &plan->hook[PB_PH_SYSCALL]);

	for (h = PB_PH_DO_PEELOFF; h < PB_HOOK_MAX; h++) {
		if (!plan->sctp_loaded) {
			c = &plan->hook[h];
			c->symbol[0] = '\0';
			c->attach = PB_ATTACH_UNAVAILABLE;
			snprintf(c->reason, sizeof(c->reason), "the sctp module is not loaded");
			continue;
		}
		resolve_function(src, plan, h);
	}

	choose_feat_hook(plan);
}

int probe_phases_parse(const char *list, unsigned int *mask)
{
	const char *names[PB_PH_MAX + 1];
	unsigned int m;
	__u32 ph;

	for (ph = 0; ph < PB_PH_MAX; ph++)
		names[ph] = specs[ph].name;
	names[PB_PH_MAX] = "all";
	if (pb_parse_name_mask(list, names, PB_PH_MAX + 1, &m))
		return -1;
	if (m & (1u << PB_PH_MAX))
		m = (1u << PB_PH_MAX) - 1;
	*mask = m | 1u << PB_PH_SYSCALL;
	return 0;
}

bool probe_phases_opt(const char *list, void *field)
{
	return !probe_phases_parse(list, field);
}

void probe_plan_select(struct probe_plan *plan, unsigned int mask)
{
	struct probe_choice *c;
	__u32 h;

	for (h = PB_PH_DO_PEELOFF; h < PB_PH_MAX; h++) {
		c = &plan->hook[h];
		if ((mask & (1u << h)) || c->attach == PB_ATTACH_UNAVAILABLE)
			continue;
		c->attach = PB_ATTACH_UNAVAILABLE;
		snprintf(c->reason, sizeof(c->reason), "not selected (--phases)");
	}
	/* accept() migrations are told apart at assoc_migrate's entry */
	c = &plan->hook[PB_HOOK_ACCEPT];
	if (plan->hook[PB_PH_ASSOC_MIGRATE].attach == PB_ATTACH_UNAVAILABLE &&
	    c->attach != PB_ATTACH_UNAVAILABLE) {
		c->attach = PB_ATTACH_UNAVAILABLE;
		snprintf(c->reason, sizeof(c->reason),
			 "counted at assoc_migrate, which is not traced");
	}
	choose_feat_hook(plan);
}

/* ---- this machine ---------------------------------------------------- */

static char *slurp(const char *path)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap), *nb;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 4096) {
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static const char *tracefs_dir(void)
{
	if (!access("/sys/kernel/tracing/events", F_OK))
		return "/sys/kernel/tracing";
	if (!access("/sys/kernel/debug/tracing/events", F_OK))
		return "/sys/kernel/debug/tracing";
	return NULL;
}

static void add_btf_funcs(const struct btf *btf, __u32 from, char **buf, size_t *len)
{
	__u32 id, n = btf__type_cnt(btf);
	const struct btf_type *t;
	const char *name;
	FILE *f;

	f = open_memstream(buf, len);
	if (!f)
		return;
	for (id = from; id < n; id++) {
		t = btf__type_by_id(btf, id);
		if (!t || !btf_is_func(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (name && (!strncmp(name, "sctp_", 5) || !strcmp(name, "__sys_getsockopt")))
			fprintf(f, "%s\n", name);
	}
	fclose(f);
}

/* sctp_* functions in the sctp module's BTF, or in vmlinux's when sctp is
 * built in, and __sys_getsockopt (the syscall phase). */
static char *read_btf_funcs(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf(), *mod;
	char *a = NULL, *b = NULL, *out;
	size_t alen = 0, blen = 0;

	if (!vmlinux)
		return NULL;
	add_btf_funcs(vmlinux, 1, &a, &alen);
	mod = btf__load_module_btf("sctp", vmlinux);
	if (mod) {
		add_btf_funcs(mod, btf__type_cnt(vmlinux), &b, &blen);
		btf__free(mod);
	}
	btf__free(vmlinux);
	out = malloc(alen + blen + 1);
	if (out)
		snprintf(out, alen + blen + 1, "%s%s", a ? a : "", b ? b : "");
	free(a);
	free(b);
	return out;
}

void probe_sources_read(struct probe_sources *src)
{
	const char *tfs = tracefs_dir();
	char path[256];

	memset(src, 0, sizeof(*src));
	src->kallsyms = slurp("/proc/kallsyms");
	if (tfs) {
		snprintf(path, sizeof(path), "%s/available_filter_functions", tfs);
		src->filter_funcs = slurp(path);
		snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_getsockopt", tfs);
		src->syscall_tp = !access(path, F_OK);
		snprintf(path, sizeof(path), "%s/events/syscalls/sys_exit_getsockopt", tfs);
		src->syscall_tp = src->syscall_tp && !access(path, F_OK);
	}
	src->fentry = !access("/sys/kernel/btf/vmlinux", R_OK);
	src->btf_funcs = src->fentry ? read_btf_funcs() : NULL;
	/* The kprobe PMU (4.17+) is what libbpf attaches through. */
	src->kprobes = !access("/sys/bus/event_source/devices/kprobe/type", F_OK);
	src->try_attach = probe_try_attach;
}

void probe_sources_free(struct probe_sources *src)
{
	free(src->kallsyms);
	free(src->filter_funcs);
	free(src->btf_funcs);
	memset(src, 0, sizeof(*src));
}

void probe_plan_print(const struct probe_plan *plan, FILE *f)
{
	__u32 h;

	fprintf(f, "%-14s %-46s %-12s %s\n", "PHASE", "SYMBOL", "ATTACH", "REASON");
	for (h = 0; h < PB_HOOK_MAX; h++) {
		const struct probe_choice *c = &plan->hook[h];

		fprintf(f, "%-14s %-46s %-12s %s\n", c->phase, c->symbol[0] ? c->symbol : "-",
			probe_choice_attach_name(c), c->reason);
	}
}

struct json_object *probe_plan_json(const struct probe_plan *plan)
{
	struct json_object *arr = json_object_new_array();
	__u32 h;

	for (h = 0; h < PB_HOOK_MAX; h++) {
		const struct probe_choice *c = &plan->hook[h];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "phase", json_object_new_string(c->phase));
		json_object_object_add(o, "symbol", c->symbol[0] ?
				       json_object_new_string(c->symbol) : NULL);
		json_object_object_add(o, "attach", json_object_new_string(probe_choice_attach_name(c)));
		json_object_object_add(o, "enclosing", json_object_new_boolean(c->enclosing));
		/* the work this phase's time covers here (phase_work.h), for
		 * the reader; compare and matrix derive it from symbol */
		if (h < PB_PH_MAX && c->attach != PB_ATTACH_UNAVAILABLE &&
		    pb_symbol_work(c->symbol)) {
			char w[128];

			pb_work_name(pb_symbol_work(c->symbol), w, sizeof(w));
			json_object_object_add(o, "covers", json_object_new_string(w));
		}
		json_object_object_add(o, "reason", json_object_new_string(c->reason));
		json_object_array_add(arr, o);
	}
	return arr;
}
