# peelbench — top-level build.  `make` builds ./peelbench, `make test` runs
# every test, `make deps` installs the Debian packages everything needs.
# Quiet by default; `make V=1` shows every command.

OUTPUT    := build
CLANG     ?= clang
CC        ?= cc
BPFTOOL   ?= bpftool
ARCH      := x86
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

PKGS      := libbpf json-c sqlite3 libpq
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
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

.PHONY: all deps test unit-test fuzz bench bench-tcg-ratio results clean
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
$(OUTPUT)/guest/path_ratio: tests/guest/path_ratio.c $(OUTPUT)/user/common/stats.o | $(OUTPUT)/.deps-ok
	$(call msg,CC-GUEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(INC_common) $(DEPFLAGS) -MF $@.d $^ -o $@ -lm

# `make test`: installs what is missing, then unit tests (cmocka, TAP) and
# guest tests (TAP, through the VM runner), under one prove run and one
# summary line.
test: $(OUTPUT)/.deps-ok
	$(Q)$(MAKE) all $(UNIT_BINS)
	$(Q)scripts/run-tests.sh $(UNIT_BINS)

unit-test: all $(UNIT_BINS)
	$(Q)PEELBENCH_NO_VM_TESTS=1 scripts/run-tests.sh $(UNIT_BINS)

# `make fuzz`: libFuzzer + ASan/UBSan on the result-file reader, for
# FUZZ_TIME seconds, seeded with the fixtures; new inputs are kept in
# build/fuzz/corpus.  stderr of the target (its one-line refusals) is
# closed; crashes are still reported.
FUZZ_TIME ?= 60
FUZZ_SRCS := fuzz/fuzz_result.c user/results/result.c user/results/json_strict.c user/common/files.c $(wildcard user/common/stats*.c) user/common/util.c
$(OUTPUT)/fuzz/fuzz_result: $(FUZZ_SRCS) user/results/result.h user/common/stats.h user/common/peelbench.h
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)/corpus
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 \
		-Wall -Wextra -Werror -Wno-unused-parameter -Iuser/results -Iuser/common \
		$(shell pkg-config --cflags json-c) $(FUZZ_SRCS) -o $@ \
		$(shell pkg-config --libs json-c) -lm

fuzz: $(OUTPUT)/fuzz/fuzz_result
	$(call msg,FUZZ,$< $(FUZZ_TIME)s)
	$(Q)$< -max_total_time=$(FUZZ_TIME) -close_fd_mask=2 -print_final_stats=1 \
		$(OUTPUT)/fuzz/corpus tests/fixtures

# `make bench`: a short kernel matrix, 6.1 against 7.3 with a small
# backlog sweep, 500 associations, 3 interleaved repeats: 6 guest boots,
# about 10 minutes on 2 cores under TCG.  Not part of `make test`.
# BENCH_KERNELS and BENCH_ARGS (more `peelbench matrix` or run options)
# change it; the results go to results/bench-TIME.
BENCH_KERNELS ?= 6.1,7.3
BENCH_ARGS    ?=
bench: all
	$(call msg,BENCH,matrix $(BENCH_KERNELS))
	$(Q)./peelbench matrix --kernels $(BENCH_KERNELS) --sweep backlog=0,1024 \
		--repeat 3 --assocs 500 -o results/bench-$$(date +%Y%m%d-%H%M%S) \
		$(BENCH_ARGS)

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

clean:
	$(call msg,CLEAN,)
	$(Q)rm -rf $(OUTPUT) peelbench

-include $(wildcard $(OUTPUT)/*/*.d $(OUTPUT)/*.d $(OUTPUT)/*/*/*.d $(OUTPUT)/*/*/*/*.d)
