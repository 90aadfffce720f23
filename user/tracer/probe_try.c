// SPDX-License-Identifier: GPL-2.0
/* Whether a function really attaches, asked of the kernel: a trivial BPF
 * program ("return 0") is loaded for it, attached and detached at once
 * (as libbpf-tools' fentry_can_attach does).  The probe plan asks this
 * where it cannot read available_filter_functions (no tracefs, no
 * CONFIG_FUNCTION_TRACER): BTF alone does not say that a trampoline or a
 * kprobe can be put on a function. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "probes.h"

static const struct bpf_insn ret0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

/* The fd of the loaded BTF object named name ("sctp"), or -1. */
static int module_btf_fd(const char *name)
{
	__u32 id = 0;
	char got[64];

	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0)
			continue;
		info.name = (__u64)(unsigned long)got;
		info.name_len = sizeof(got);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.kernel_btf &&
		    !strcmp(got, name))
			return fd;
		close(fd);
	}
	return -1;
}

static enum probe_try try_fentry(const char *sym, char *why, size_t size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	struct btf *vmlinux = btf__load_vmlinux_btf(), *mod = NULL;
	enum probe_try ret = PROBE_TRY_UNKNOWN;
	int id = -ENOENT, prog = -1, mod_fd = -1, link, err;

	if (!vmlinux) {
		snprintf(why, size, "no kernel BTF");
		return PROBE_TRY_NO;
	}
	id = btf__find_by_name_kind(vmlinux, sym, BTF_KIND_FUNC);
	if (id < 0 && (mod = btf__load_module_btf("sctp", vmlinux))) {
		id = btf__find_by_name_kind(mod, sym, BTF_KIND_FUNC);
		mod_fd = id > 0 ? module_btf_fd("sctp") : -1;
		if (id > 0 && mod_fd < 0) {
			snprintf(why, size, "cannot open the sctp module's BTF: %s", strerror(errno));
			goto out;
		}
	}
	if (id < 0) {
		snprintf(why, size, "not in BTF");
		ret = PROBE_TRY_NO;
		goto out;
	}
	opts.attach_btf_id = id;
	opts.attach_btf_obj_fd = mod_fd > 0 ? mod_fd : 0;
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "pb_try", "GPL", ret0, 2, &opts);
	if (prog < 0) {
		err = -prog;
		snprintf(why, size, "test program not loaded: %s", strerror(err));
		/* without the right to load BPF nothing is learnt */
		ret = err == EPERM || err == EACCES ? PROBE_TRY_UNKNOWN : PROBE_TRY_NO;
		goto out;
	}
	link = bpf_raw_tracepoint_open(NULL, prog);
	if (link < 0) {
		snprintf(why, size, "test program not attached: %s", strerror(-link));
		ret = PROBE_TRY_NO;
		goto out;
	}
	close(link);
	snprintf(why, size, "a test program attached and detached");
	ret = PROBE_TRY_YES;
out:
	if (prog >= 0)
		close(prog);
	if (mod_fd >= 0)
		close(mod_fd);
	btf__free(mod);
	btf__free(vmlinux);
	return ret;
}

static enum probe_try try_kprobe(const char *sym, char *why, size_t size)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	int prog, pfd, type, err;
	FILE *f = fopen("/sys/bus/event_source/devices/kprobe/type", "r");

	if (!f) {
		snprintf(why, size, "no kprobe PMU");
		return PROBE_TRY_NO;
	}
	err = fscanf(f, "%d", &type) != 1;
	fclose(f);
	if (err) {
		snprintf(why, size, "unreadable kprobe PMU type");
		return PROBE_TRY_UNKNOWN;
	}
	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "pb_try", "GPL", ret0, 2, NULL);
	if (prog < 0) {
		snprintf(why, size, "test program not loaded: %s", strerror(-prog));
		return -prog == EPERM || -prog == EACCES ? PROBE_TRY_UNKNOWN : PROBE_TRY_NO;
	}
	attr.type = type;
	attr.config1 = (__u64)(unsigned long)sym;
	pfd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		err = errno;
		snprintf(why, size, "kprobe not created: %s", strerror(err));
		close(prog);
		return err == EPERM || err == EACCES ? PROBE_TRY_UNKNOWN : PROBE_TRY_NO;
	}
	err = ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) ? errno : 0;
	close(pfd);
	close(prog);
	if (err) {
		snprintf(why, size, "test program not attached: %s", strerror(err));
		return PROBE_TRY_NO;
	}
	snprintf(why, size, "a test program attached and detached");
	return PROBE_TRY_YES;
}

enum probe_try probe_try_attach(enum pb_attach a, const char *sym, char *why, size_t size)
{
	if (geteuid() != 0) {
		snprintf(why, size, "not root: no test attach");
		return PROBE_TRY_UNKNOWN;
	}
	switch (a) {
	case PB_ATTACH_FENTRY:
		return try_fentry(sym, why, size);
	case PB_ATTACH_KPROBE:
		return try_kprobe(sym, why, size);
	default:
		snprintf(why, size, "no test for this attach type");
		return PROBE_TRY_UNKNOWN;
	}
}
