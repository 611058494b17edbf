# The index of everything.  `make help` lists the targets.
#
#   make deps    install the Debian packages the build and tests need
#   make build   the model library, mmuctl and the test programs
#   make test    every test (unit, sanitizers, valgrind, CLI); ends with "N passed, N failed"
#   make lint    every C file through clang with warnings as errors (RTL lint joins with rtl/)
#   make bench   model throughput figures (median of 5 runs)
#   make demo    the seeds' textbook example end to end on the model
#   make gen     regenerate the shared constants (C, Verilog, docs/constants.md)
#   make clean
.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:
.PHONY: all help deps build test lint bench demo gen clean check-gen

B        := build
GEN      := $(B)/gen
CC       ?= cc
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L
INC      := -I$(GEN) -Imodel -Ihost -Itests -Isim
DEPFLAGS  = -MMD -MP

# Variants: rel (optimised), asan (address + undefined sanitizers).
rel_CFLAGS  := -O2 -g
rel_LDFLAGS :=
asan_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan_LDFLAGS:= -fsanitize=address,undefined

MODEL_SRC := model/mmu_model.c $(GEN)/mmu_constants.c
HOST_SRC  := host/memimg.c host/mkpt.c host/cli.c
TESTS     := test_seeds test_riscv test_x86 test_tlb test_random test_mkpt test_cli
TEST_SUPPORT := tests/testmem.c sim/ptgen.c

all: build

help:
	@sed -n '1,12p' Makefile

deps: $(B)/.deps-stamp
$(B)/.deps-stamp: tools/install-deps.sh
	@mkdir -p $(B)
	bash tools/install-deps.sh
	@touch $@

# ---- generated constants ----
$(B)/gen_constants: model/gen_constants.c
	@mkdir -p $(B)
	$(CC) $(CSTD) $(WARN) -O2 -o $@ $<

$(GEN)/.stamp: model/mmu_constants.tbl $(B)/gen_constants
	@mkdir -p $(GEN)
	$(B)/gen_constants $< $(GEN) docs/constants.md
	@touch $@
$(GEN)/mmu_constants.h $(GEN)/mmu_constants.c $(GEN)/mmu_constants.vh: $(GEN)/.stamp ;
gen: $(GEN)/.stamp

# docs/constants.md is committed; this fails if it is stale.
check-gen: $(B)/gen_constants
	@mkdir -p $(B)/check
	$(B)/gen_constants model/mmu_constants.tbl $(B)/check $(B)/check/constants.md
	cmp -s $(B)/check/constants.md docs/constants.md || \
	  { echo "docs/constants.md is stale: run make gen and commit it"; exit 1; }

# ---- compile rules per variant ----
define variant
$(B)/$(1)/%.o: %.c $(GEN)/.stamp
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CSTD) $$(WARN) $$($(1)_CFLAGS) $$(INC) $$(DEPFLAGS) -c $$< -o $$@

$(B)/$(1)/libmmumodel.a: $(patsubst %.c,$(B)/$(1)/%.o,$(MODEL_SRC))
	ar rcs $$@ $$^

$(B)/$(1)/libmmuhost.a: $(patsubst %.c,$(B)/$(1)/%.o,$(HOST_SRC))
	ar rcs $$@ $$^

$(B)/$(1)/mmuctl: $(B)/$(1)/host/mmuctl.o $(B)/$(1)/libmmuhost.a $(B)/$(1)/libmmumodel.a
	$$(CC) $$($(1)_LDFLAGS) -o $$@ $$^

$(B)/$(1)/tests/%: $(B)/$(1)/tests/%.o $(B)/$(1)/tests/testmem.o $(B)/$(1)/sim/ptgen.o $(B)/$(1)/libmmuhost.a $(B)/$(1)/libmmumodel.a
	$$(CC) $$($(1)_LDFLAGS) -Wl,--wrap=calloc,--wrap=malloc,--wrap=realloc -o $$@ $$^ -lcmocka
endef
$(eval $(call variant,rel))
$(eval $(call variant,asan))

# An object's dependency on a generated header must exist before the first build.
$(foreach v,rel asan,$(eval $(B)/$(v)/model/mmu_model.o: $(GEN)/.stamp))

build: deps $(B)/rel/mmuctl $(addprefix $(B)/rel/tests/,$(TESTS)) $(B)/rel/bench_model

test: deps check-gen $(B)/rel/mmuctl $(B)/asan/mmuctl \
      $(addprefix $(B)/rel/tests/,$(TESTS)) $(addprefix $(B)/asan/tests/,$(TESTS))
	bash tools/run-tests.sh $(B) $(TESTS)

# ---- benchmarks ----
$(B)/rel/bench_model: $(B)/rel/model/bench_model.o $(B)/rel/libmmuhost.a $(B)/rel/libmmumodel.a
	$(CC) -o $@ $^

bench: deps $(B)/rel/bench_model
	$(B)/rel/bench_model

# ---- lint: every C file at the strictest warnings, also with clang ----
lint: deps $(GEN)/.stamp
	@for f in $(MODEL_SRC) $(HOST_SRC) host/mmuctl.c model/bench_model.c model/gen_constants.c tests/*.c; do \
	  clang $(CSTD) $(WARN) -Wno-unknown-warning-option $(INC) -fsyntax-only $$f || exit 1; \
	done; echo "lint: C clean under gcc and clang"

demo: deps $(B)/rel/mmuctl
	bash tools/demo.sh $(B)/rel/mmuctl

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- RTL: lint, Icarus compile, lockstep co-simulation ----
RTL_SRC := rtl/mmu_core.v rtl/mmu_ram.v rtl/mmu_plru.v
COSIM_C := sim/cosim.c sim/ptgen.c

$(B)/rel/libcosim.a: $(patsubst %.c,$(B)/rel/%.o,$(COSIM_C)) $(patsubst %.c,$(B)/rel/%.o,$(HOST_SRC) $(MODEL_SRC))
	ar rcs $@ $^

$(B)/cosim/cosim: $(RTL_SRC) sim/cosim_main.cpp sim/cosim.h $(B)/rel/libcosim.a $(GEN)/.stamp
	verilator --cc --exe --build -j 2 -O3 -Wno-fatal --top-module mmu_core \
	  -Irtl -I$(GEN) -Mdir $(B)/cosim -o cosim \
	  -CFLAGS "-O2 -I$(CURDIR)/sim -I$(CURDIR)/model -I$(CURDIR)/$(GEN) -I$(CURDIR)/host" \
	  -LDFLAGS "$(CURDIR)/$(B)/rel/libcosim.a" \
	  $(RTL_SRC) $(CURDIR)/sim/cosim_main.cpp > $(B)/cosim.log 2>&1 || { tail -30 $(B)/cosim.log; exit 1; }

cosim: deps $(B)/cosim/cosim
	$(B)/cosim/cosim --seeds 1-4 --requests 500
.PHONY: cosim
