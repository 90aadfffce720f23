# peelbench — top-level build.  `make` builds ./peelbench, `make test` runs
# every test, `make deps` installs the Debian packages everything needs.
# Quiet by default; `make V=1` shows every command.

OUTPUT    := build
CLANG     ?= clang
CC        ?= cc
BPFTOOL   ?= bpftool
ARCH      := x86
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

PKGS      := libbpf json-c sqlite3 libpq libzstd
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
              -Wno-missing-field-initializers \
             $(shell pkg-config --cflags $(PKGS))

# Layers, bottom up.  Each folder compiles with the include paths of the
# layers it may use and no others, so a wrong include fails to build:
#   user/common   errors, exit codes, number parsers, statistics, SCTP here
#                 (after modprobe: sctp_avail.h), the phase names (bpf/peel.h,
#                 the header kernel and user share)
#   bench/        the load generator (common only); others include only
#                 its public header, bench/driver.h
#   user/tracer   probe plan, BPF loader, histograms (common, bpf/, skeleton)
#   user/results  result files: read, write, atomic writer (common, bench)
#   user/analysis compare, history, export tables, plots (results, common)
#   user/matrix   kernels x sweeps (analysis, results, common)
#   user/check    sctp_peeloff(3) conformance (common)
#   user/cli      main and one file per command (everything)
INC_common   := -Iuser/common -Ibpf
INC_bench    := -Ibench $(INC_common)
INC_tracer   := -Iuser/tracer $(INC_common) -Ibpf -I$(OUTPUT)
INC_results  := -Iuser/results $(INC_bench)
INC_analysis := -Iuser/analysis -Iuser/results $(INC_common)
INC_matrix   := -Iuser/matrix $(INC_analysis)
INC_check    := -Iuser/check $(INC_common)
INC_cli      := -Iuser/cli -Iuser/matrix -Iuser/check -Iuser/analysis \
                -Iuser/results -Iuser/tracer -Ibench -Iuser/common -Ibpf -I$(OUTPUT)
LAYERS       := common tracer results analysis matrix check cli
LDLIBS    += $(shell pkg-config --libs $(PKGS)) -lsctp -lelf -lz -lm -lpthread
DEPFLAGS   = -MMD -MP
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
              -I$(OUTPUT) -Ibpf

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
MAKEFLAGS += --no-print-directory
endif

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
SKELS     := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
USER_SRCS := $(foreach l,$(LAYERS),$(wildcard user/$(l)/*.c)) $(wildcard bench/*.c)
USER_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(USER_SRCS))
LIB_OBJS  := $(filter-out $(OUTPUT)/user/cli/main.o,$(USER_OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))
GUEST_SRCS := $(wildcard tests/guest/*.c)
GUEST_BINS := $(patsubst tests/guest/%.c,$(OUTPUT)/guest/%,$(GUEST_SRCS))

.PHONY: all deps test unit-test sanitize fuzz fuzz-replay bench bench-compare \
        bench-compensation bench-pressure bench-tcg-ratio bench-events results clean
# Keep the BPF object and skeleton: as intermediates make would delete
# them, and every build would regenerate the skeleton and relink.
.SECONDARY:
all: $(OUTPUT)/.deps-ok peelbench $(GUEST_BINS)

# The packages are checked once per change of the list, not on every build.
$(OUTPUT)/.deps-ok: scripts/deps.sh
	$(Q)scripts/deps.sh
	$(Q)mkdir -p $(@D) && touch $@

deps:
	$(Q)scripts/deps.sh

$(OUTPUT)/vmlinux.h: | $(OUTPUT)/.deps-ok
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)if [ ! -r $(VMLINUX_BTF) ]; then \
		echo "peelbench: no kernel BTF at $(VMLINUX_BTF); set VMLINUX_BTF=FILE (a vmlinux with BTF)" >&2; exit 1; fi
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(OUTPUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -MF $@.d -MT $@ -c $< -o $@.tmp.o
	$(Q)$(BPFTOOL) gen object $@ $@.tmp.o && rm -f $@.tmp.o

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# A layer's objects see only their layer's include paths.
$(foreach l,$(LAYERS),$(eval $(OUTPUT)/user/$(l)/%.o: LAYER_INC := $(INC_$(l))))
$(OUTPUT)/bench/%.o: LAYER_INC := $(INC_bench)

# Every user object may include a skeleton: build them first.
$(OUTPUT)/%.o: %.c | $(SKELS) $(OUTPUT)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LAYER_INC) $(DEPFLAGS) -c $< -o $@

peelbench: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(OUTPUT)/tests/%: tests/unit/%.c $(LIB_OBJS)
	$(call msg,CC-TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(INC_cli) -Itests/unit $(DEPFLAGS) -MF $@.d $< $(LIB_OBJS) -o $@ $(LDLIBS) -lcmocka

$(OUTPUT)/guest/%: tests/guest/%.c | $(OUTPUT)/.deps-ok
	$(call msg,CC-GUEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -MF $@.d $< -o $@ -lsctp -lpthread

# path_ratio times kernel paths with the project's own bootstrap.
$(OUTPUT)/guest/path_ratio: tests/guest/path_ratio.c $(OUTPUT)/user/common/stats.o \
		$(OUTPUT)/user/common/stats_boot.o | $(OUTPUT)/.deps-ok
	$(call msg,CC-GUEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(INC_common) $(DEPFLAGS) -MF $@.d $^ -o $@ -lm

# The host-side programs again, with ASan and UBSan, in $(SAN): the
# objects, the unit tests in $(SAN)/tests, and the binary in $(SAN)/root,
# a copy of the checkout made of symbolic links, so that the CLI tests
# (which run ./peelbench from the checkout's top) and the binary's own
# root (the folder of /proc/self/exe: scripts/, plots/) both find it.
SAN       := $(OUTPUT)/san
SANFLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
             -fno-omit-frame-pointer
SAN_OBJS  := $(patsubst %.c,$(SAN)/%.o,$(USER_SRCS))
SAN_LIB_OBJS := $(filter-out $(SAN)/user/cli/main.o,$(SAN_OBJS))
SAN_UNIT_BINS := $(patsubst tests/unit/%.c,$(SAN)/tests/%,$(UNIT_SRCS))
SAN_TOP   := $(filter-out build peelbench,$(wildcard *))

$(foreach l,$(LAYERS),$(eval $(SAN)/user/$(l)/%.o: LAYER_INC := $(INC_$(l))))
$(SAN)/bench/%.o: LAYER_INC := $(INC_bench)

$(SAN)/%.o: %.c | $(SKELS) $(OUTPUT)/.deps-ok
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) $(LAYER_INC) $(DEPFLAGS) -c $< -o $@

$(SAN)/root/peelbench: $(SAN_OBJS)
	$(call msg,LINK-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)for f in $(SAN_TOP); do ln -sfn ../../../$$f $(@D)/$$f; done
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) $^ -o $@ $(LDLIBS)

$(SAN)/tests/%: tests/unit/%.c $(SAN_LIB_OBJS)
	$(call msg,CC-TSAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) $(INC_cli) -Itests/unit $(DEPFLAGS) -MF $@.d $< $(SAN_LIB_OBJS) -o $@ $(LDLIBS) -lcmocka

# `make test`: installs what is missing, then unit tests (cmocka, TAP), the
# CLI tests, the same again under the sanitizers (scripts/run-tests.sh
# names the CLI tests it runs there), the replay of every fuzz corpus, and
# the guest tests (TAP, through the VM runner), under one prove run and
# one summary line.
test: $(OUTPUT)/.deps-ok
	$(Q)$(MAKE) all $(UNIT_BINS) $(SAN)/root/peelbench $(SAN_UNIT_BINS) $(FUZZ_BINS)
	$(Q)PEELBENCH_SAN=$(SAN) PEELBENCH_FUZZ=$(OUTPUT)/fuzz scripts/run-tests.sh $(UNIT_BINS)

# `make sanitize`: only the sanitizer half of `make test`.
sanitize: $(OUTPUT)/.deps-ok
	$(Q)$(MAKE) $(SAN)/root/peelbench $(SAN_UNIT_BINS)
	$(Q)PEELBENCH_SAN=$(SAN) PEELBENCH_ONLY_SAN=1 scripts/run-tests.sh

unit-test: all $(UNIT_BINS)
	$(Q)PEELBENCH_NO_VM_TESTS=1 scripts/run-tests.sh $(UNIT_BINS)

# Fuzzing: one libFuzzer target per parser of outside input, fuzz/fuzz_NAME.c
# (result files, history databases, matrix plans, option values, probe-plan
# inputs), linked with the library objects built by clang with ASan and
# UBSan in $(FUZZ_OUT)/obj.  Each has its seeds and the reproducers of the
# bugs it found in fuzz/corpus/NAME: `make test` replays them
# (tests/san/fuzz-replay.t); `make fuzz` runs each target FUZZ_SECONDS
# (default 60), its new inputs kept in $(FUZZ_OUT)/corpus/NAME and any
# crash in $(FUZZ_OUT)/crash-NAME-*.  stderr of the targets (their
# one-line refusals) is closed; crashes are still reported.
FUZZ_OUT   := $(OUTPUT)/fuzz
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS  := $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_NAMES))
FUZZ_OBJS  := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(filter-out user/cli/main.c,$(USER_SRCS)))
FUZZFLAGS  := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
              -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
              -Wno-missing-field-initializers \
              $(shell pkg-config --cflags $(PKGS))
FUZZ_SECONDS ?= 60

$(foreach l,$(LAYERS),$(eval $(FUZZ_OUT)/obj/user/$(l)/%.o: LAYER_INC := $(INC_$(l))))
$(FUZZ_OUT)/obj/bench/%.o: LAYER_INC := $(INC_bench)

$(FUZZ_OUT)/obj/%.o: %.c | $(SKELS) $(OUTPUT)/.deps-ok
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZFLAGS) -fsanitize=fuzzer-no-link $(LAYER_INC) $(DEPFLAGS) -c $< -o $@

$(FUZZ_OUT)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_OBJS)
	$(call msg,LD-FUZZ,$@)
	$(Q)$(CLANG) $(FUZZFLAGS) -fsanitize=fuzzer $(INC_cli) $(DEPFLAGS) -MF $@.d \
		$< $(FUZZ_OBJS) -o $@ $(LDLIBS)

fuzz-replay: $(FUZZ_BINS)
	$(Q)PEELBENCH_FUZZ=$(FUZZ_OUT) prove -v --exec '' tests/san/fuzz-replay.t

fuzz: $(FUZZ_BINS)
	$(Q)for n in $(FUZZ_NAMES); do \
		printf '  %-8s %s\n' FUZZ "$$n $(FUZZ_SECONDS)s"; \
		mkdir -p $(FUZZ_OUT)/corpus/$$n; \
		$(FUZZ_OUT)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -close_fd_mask=2 \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_OUT)/crash-$$n- \
			$(FUZZ_OUT)/corpus/$$n fuzz/corpus/$$n 2>&1 | \
			grep -E '^(stat::number_of_executed_units|stat::new_units_added|==|SUMMARY|artifact_prefix|Test unit)' \
			|| true; \
		if ls $(FUZZ_OUT)/crash-$$n-* >/dev/null 2>&1; then \
			echo "peelbench: fuzz_$$n crashed: $$(ls $(FUZZ_OUT)/crash-$$n-*)" >&2; exit 1; fi; \
	done

# `make bench`: a short kernel matrix, 6.1 against 7.3 with a small
# backlog sweep, 500 associations, 3 interleaved repeats: 6 guest boots,
# about 10 minutes on 2 cores under TCG.  Not part of `make test`.
# BENCH_KERNELS and BENCH_ARGS (more `peelbench matrix` or run options)
# change it; the results go to results/bench-TIME.
BENCH_KERNELS ?= 6.1,7.3
BENCH_ARGS    ?=
# Then one real bisect (docs/matrix.md#bisect): the first release between
# BISECT_GOOD and BISECT_BAD (6.12, 6.16, 6.17: three guest kernels) where
# BISECT_METRIC steps; "no step" (exit 1) is an answer too.  About 30
# minutes per step on 2 loaded cores under TCG (5 repeats a side).
BISECT_METRIC ?= phase.syscall.p50_ns
BISECT_GOOD   ?= 6.12
BISECT_BAD    ?= 6.17
bench: all
	$(call msg,BENCH,matrix $(BENCH_KERNELS))
	$(Q)./peelbench matrix --kernels $(BENCH_KERNELS) --sweep backlog=0,1024 \
		--repeat 3 --assocs 500 -o results/bench-$$(date +%Y%m%d-%H%M%S) \
		$(BENCH_ARGS)
	$(call msg,BENCH,bisect $(BISECT_METRIC) $(BISECT_GOOD)..$(BISECT_BAD))
	$(Q)./peelbench bisect $(BISECT_METRIC) --good $(BISECT_GOOD) --bad $(BISECT_BAD) \
		--assocs 300 -o results/bench-bisect-$$(date +%Y%m%d-%H%M%S).json; \
		rc=$$?; [ $$rc -le 1 ] || exit $$rc

# `make bench-compare`: compare's time at 10k, 100k and 1M samples a
# side, before (every bootstrap resample drawn in full) and after (drawn
# directly above PB_BOOT_DIRECT_MIN), then the coverage of the direct CIs
# (tests/oracle/bootcover.c).  See scripts/bench-compare.py for REPEAT,
# SIZES, SIZES_BEFORE.
BOOTCOVER_SRCS := tests/oracle/bootcover.c $(wildcard user/common/stats*.c)
$(OUTPUT)/oracle/bootcover: $(BOOTCOVER_SRCS) user/common/stats.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Iuser/common $(BOOTCOVER_SRCS) -o $@ -lm

bench-compare: peelbench $(OUTPUT)/oracle/bootcover
	$(call msg,BENCH,compare)
	$(Q)scripts/bench-compare.py
	$(Q)$(OUTPUT)/oracle/bootcover 50000 400

# `make results`: the published findings, docs/results.md and docs/img/*.png
# (scripts/results.sh: kernel matrix 6.1/6.12/7.3 with a backlog sweep, an
# association-count sweep, interleaved tracer overhead, plot and compare
# examples; 19 minutes on 2 shared cores under TCG).  RESULTS_ARGS: e.g.
# --quick (a smaller smoke test), -o DIR, --from DIR (page only).
RESULTS_ARGS ?=
results: all
	$(call msg,RESULTS,scripts/results.sh $(RESULTS_ARGS))
	$(Q)scripts/results.sh $(RESULTS_ARGS)

# `make bench-tcg-ratio`: does a ratio between two kernel paths survive
# TCG?  tests/guest/path_ratio natively and in a guest of the nearest Debian
# kernel, alternated (scripts/tcg-ratio.sh; 3 pairs, about 6 minutes).
bench-tcg-ratio: all
	$(call msg,BENCH,tcg-ratio)
	$(Q)scripts/tcg-ratio.sh --pairs 3

# `make bench-events`: the tracer's memory with --events against without,
# over BENCH_EVENTS_N peeloffs in a BENCH_EVENTS_KERNEL guest
# (scripts/bench-events.sh; 1,000,000 take about an hour under TCG, hence a
# documented command rather than part of `make bench`).
BENCH_EVENTS_N      ?= 1000000
BENCH_EVENTS_KERNEL ?= 6.1
bench-events: all
	$(call msg,BENCH,events $(BENCH_EVENTS_N) on $(BENCH_EVENTS_KERNEL))
	$(Q)scripts/bench-events.sh $(BENCH_EVENTS_N) $(BENCH_EVENTS_KERNEL)

# `make bench-compensation`: the compensation proof of `make test`
# (tests/vm/compensation-6.1.t and -7.3.t: the full plan against --phases
# do_peeloff / syscall, interleaved in one process) with more rounds, whose
# narrower CIs let the sensitivity checks be asserted where 21 rounds
# cannot see a wrong compensation (docs/compensation.md).
BENCH_COMP_ROUNDS ?= 45
bench-compensation: all
	$(call msg,BENCH,compensation $(BENCH_COMP_ROUNDS) rounds)
	$(Q)PEELBENCH_COMP_ROUNDS=$(BENCH_COMP_ROUNDS) prove -v --exec '' \
		tests/vm/compensation-6.1.t tests/vm/compensation-7.3.t

# `make bench-pressure`: `run` failing for lack of SCTP memory on purpose
# (net.sctp.sctp_mem lowered with --vm-sysctl in a 6.1 guest) and its
# result explaining why (tests/vm/run-pressure.bench, 2.5-6 minutes:
# over the 3 minutes a `make test` file may take; docs/run.md).
bench-pressure: all
	$(call msg,BENCH,pressure)
	$(Q)prove -v --exec '' tests/vm/run-pressure.bench

clean:
	$(call msg,CLEAN,)
	$(Q)rm -rf $(OUTPUT) peelbench

-include $(wildcard $(OUTPUT)/*/*.d $(OUTPUT)/*.d $(OUTPUT)/*/*/*.d $(OUTPUT)/*/*/*/*.d)
