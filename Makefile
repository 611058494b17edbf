# The index of everything.  `make help` lists the targets.
#
#   make deps    install the Debian packages the build and tests need
#   make build   the model library, mmuctl and the test programs
#   make test    every test (unit, sanitizers, valgrind, CLI); ends with "N passed, N failed"
#   make lint    every C file through clang with warnings as errors (RTL lint joins with rtl/)
#   make bench   model, link and host-library figures (median of 5 runs)
#   make regress [SEEDS=9-108] [REQUESTS=5000] [REGRESS_ARGS=--back-to-back]   long co-simulation regressions
#   make coverage  RTL line coverage (lcov HTML) and functional cover points
#   make demo    the main job: the seeds' example, the virtual board, workloads on the OS layer
#   make gen     regenerate the shared constants (C, Verilog, docs/constants.md)
#   make install PREFIX=/usr/local DESTDIR=   libmmu (shared and static), headers, pkg-config, mmuctl
#   make clean
.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:
.PHONY: all help deps build test lint bench demo gen clean check-gen synth-core install

B        := build
GEN      := $(B)/gen
CC       ?= cc
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L
INC      := -I$(GEN) -Imodel -Ihost -Itests -Isim -I/usr/include/libusb-1.0
LIBS := -lusb-1.0 -lm
DEPFLAGS  = -MMD -MP

# Variants: rel (optimised), asan (address + undefined sanitizers).
rel_CFLAGS  := -O2 -g
rel_LDFLAGS :=
asan_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan_LDFLAGS:= -fsanitize=address,undefined
pic_CFLAGS  := -O2 -g -fPIC
pic_LDFLAGS :=

MODEL_SRC := model/mmu_model.c $(GEN)/mmu_constants.c
HOST_SRC  := host/memimg.c host/pte.c host/mkpt.c host/cli.c host/link.c host/board.c host/dev.c host/os.c host/workload.c host/usb.c
TESTS     := test_seeds test_riscv test_x86 test_tlb test_random test_ptgen test_mkpt test_cli test_link test_os
TEST_SUPPORT := tests/testmem.c tests/testfail.c sim/ptgen.c
# every fallible call the library makes, wrapped for the tests (tests/testfail.h)
TEST_WRAP := -Wl,--wrap=calloc,--wrap=malloc,--wrap=realloc,--wrap=socketpair,--wrap=fork,--wrap=send,--wrap=recv,--wrap=poll \
  -Wl,--wrap=mkstemp,--wrap=ftruncate,--wrap=pread,--wrap=pwrite \
  -Wl,--wrap=fopen,--wrap=fseek,--wrap=ftell,--wrap=fread,--wrap=fwrite,--wrap=fclose,--wrap=rename \
  -Wl,--wrap=libusb_init,--wrap=libusb_get_device_list,--wrap=libusb_open,--wrap=libusb_get_active_config_descriptor \
  -Wl,--wrap=libusb_claim_interface,--wrap=libusb_control_transfer,--wrap=libusb_alloc_transfer \
  -Wl,--wrap=libusb_submit_transfer,--wrap=libusb_handle_events_timeout_completed,--wrap=libusb_clear_halt
RTL_SRC   := rtl/mmu_core.v rtl/mmu_ram.v rtl/mmu_plru.v rtl/mmu_pmux.v
LINK_SRC  := rtl/link/mmu_fifo.v rtl/link/mmu_link_rx.v rtl/link/mmu_link_tx.v \
             rtl/link/mmu_link_disp.v rtl/link/mmu_spram.v rtl/link/mmu_board.v rtl/link/mmu_vboard.v \
             rtl/link/mmu_uart.v rtl/link/mmu_afifo.v rtl/link/mmu_ft245.v
BOARD_SRC := rtl/board/board_status.v rtl/board/icebreaker.v rtl/board/ft232h_board.v \
             rtl/board/icebreaker_ft232h.v

# Co-simulation builds: NAME, Verilator -G parameters, the same geometry for the
# checker, and the slice `make test` runs.
COSIM_VARIANTS := default small textbook sv39board seed004
default_G    :=
default_ARGS := --modes sv32,sv39,sv48,x86_64 --seeds 1-8 --requests 2000
small_G      := -GSETS=1 -GWAYS=1 -GSP_N=0 -GPWC_N=0 -GASID_BITS=2 -GPA_BITS=40
small_GEO    := --geometry 1,1,0,0,2,40
small_ARGS   := $(small_GEO) --modes sv32,sv39,sv48,x86_64 --seeds 1-4 --requests 1000
textbook_G   := -GSETS=16 -GWAYS=2 -GSP_N=2 -GPWC_N=4 -GPA_BITS=24 -GTEXTBOOK=1 -GTB_VA=28 \
                -GTB_PA=24 -GTB_PAGE=8 -GTB_LEVELS=4 -GTB_IDX0=5 -GTB_IDX1=5 -GTB_IDX2=5 -GTB_IDX3=5 -GTB_PTE=4
textbook_GEO := --geometry 16,2,2,4,8,24 --tb 28,24,8,5/5/5/5 --modes textbook
textbook_ARGS := $(textbook_GEO) --seeds 1-8 --requests 2000
# the UART board top's core (rtl/board/icebreaker.v): Sv39 only, 64x4 TLB, 2 superpage
# and 2 PWC entries, 6-bit ASIDs, 34-bit PA, blocking (4 + 4 until 2026-12-03)
sv39board_G  := -GMODES=4 -GSP_N=2 -GPWC_N=2 -GASID_BITS=6 -GPA_BITS=34 -GHUM=0
sv39board_GEO  := --geometry 64,4,2,2,6,34,4
sv39board_ARGS := $(sv39board_GEO) --modes sv39 --seeds 1-8 --requests 2000
# seed 004's machine: 14-bit VA, 12-bit PA, 64-byte pages, one level of 256
# four-byte PTEs, a 4-set 4-way TLB (sim/directed/seed004.txt)
seed004_G    := -GSETS=4 -GWAYS=4 -GSP_N=0 -GPWC_N=0 -GPA_BITS=12 -GTEXTBOOK=1 -GTB_VA=14 \
                -GTB_PA=12 -GTB_PAGE=6 -GTB_LEVELS=1 -GTB_IDX0=8 -GTB_PTE=4
seed004_GEO  := --geometry 4,4,0,0,8,12 --tb 14,12,6,8 --modes textbook
seed004_ARGS := $(seed004_GEO) --seeds 1-4 --requests 1000
# the directed tests: worked examples of the seeds and the specs, each answer
# checked against the document as well as against the model
DIRECTED_RUNS := seed004:seed004|$(seed004_GEO) --directed sim/directed/seed004.txt;\
                 seed004:seed000|$(seed004_GEO) --directed sim/directed/seed000.txt;\
                 default:faults-sv48|--modes sv48 --directed sim/directed/faults-sv48.txt;\
                 default:faults-x86_64|--modes x86_64 --directed sim/directed/faults-x86_64.txt;\
                 default:spec-sv32|--modes sv32 --directed sim/directed/spec-sv32.txt;\
                 default:spec-sv39|--modes sv39 --directed sim/directed/spec-sv39.txt;\
                 default:spec-x86_64|--modes x86_64 --directed sim/directed/spec-x86_64.txt
# the volume slice: a million random translations, every mode, waits and
# races on (about 2.5 minutes, on the second core while the FPGA builds run)
VOLUME_ARGS  := --modes sv32,sv39,sv48,x86_64 --seeds 101-125 --requests 10000
# a real program's address stream: a valgrind lackey trace of /bin/true
# (about 170,000 accesses), in every mode, on the default build and on the
# smallest (one TLB entry, no superpage or PWC entries: it walks half the time)
TRACE_ARGS   := --modes sv32,sv39,sv48,x86_64 --addr-trace $(B)/true.trace
# the request localities on dense tables (sim/ptgen.h), one build each
LOC_ARGS     := --modes sv32,sv39,sv48,x86_64 --seeds 1-3 --requests 3000 --tables dense
LOCALITY_RUNS := default:seq|$(LOC_ARGS) --locality seq;\
                 default:zipf-b2b|$(LOC_ARGS) --locality zipf --back-to-back;\
                 small:stride|$(small_GEO) $(LOC_ARGS) --locality stride:4160;\
                 sv39board:random|$(sv39board_GEO) --modes sv39 --seeds 1-6 --requests 3000 --tables dense --locality random;\
                 textbook:zipf2|$(textbook_GEO) --seeds 1-6 --requests 3000 --tables dense --locality zipf:2
# every lockstep run of make test but the volume slice: BUILD[:LABEL]|ARGS;...
COSIM_RUNS := default|$(default_ARGS);small|$(small_ARGS);textbook|$(textbook_ARGS);sv39board|$(sv39board_ARGS);\
              default:b2b|$(default_ARGS) --back-to-back;small:b2b|$(small_ARGS) --back-to-back;\
              seed004|$(seed004_ARGS);$(DIRECTED_RUNS);default:trace|$(TRACE_ARGS);small:trace|$(small_GEO) $(TRACE_ARGS);\
              default:trace-b2b|$(TRACE_ARGS) --back-to-back;small:trace-b2b|$(small_GEO) $(TRACE_ARGS) --back-to-back;\
              $(LOCALITY_RUNS)
$(B)/true.trace:
	@mkdir -p $(B)
	valgrind -q --tool=lackey --trace-mem=yes --log-file=$@ /bin/true


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
	$$(CC) $$($(1)_LDFLAGS) -o $$@ $$^ $$(LIBS)

$(B)/$(1)/tests/%: $(B)/$(1)/tests/%.o $(patsubst %.c,$(B)/$(1)/%.o,$(TEST_SUPPORT)) $(B)/$(1)/libmmuhost.a $(B)/$(1)/libmmumodel.a
	$$(CC) $$($(1)_LDFLAGS) $$(TEST_WRAP) -o $$@ $$^ -lcmocka $$(LIBS)
endef
$(eval $(call variant,rel))
$(eval $(call variant,asan))
$(eval $(call variant,pic))

# The usb transport's test: a virtual FTDI chip under umockdev (tests/vftdi.c).
UMOCK_CFLAGS = $(shell pkg-config --cflags umockdev-1.0 glib-2.0 gobject-2.0)
UMOCK_LIBS   = $(shell pkg-config --libs umockdev-1.0 glib-2.0 gobject-2.0) -lpthread
define usb_test
$(B)/$(1)/tests/vftdi.o $(B)/$(1)/tests/test_usb.o: WARN += $$(UMOCK_CFLAGS)
$(B)/$(1)/tests/test_usb: $(B)/$(1)/tests/test_usb.o $(B)/$(1)/tests/vftdi.o $(B)/$(1)/tests/testfail.o $(B)/$(1)/tests/testmem.o \
                         $(B)/$(1)/libmmuhost.a $(B)/$(1)/libmmumodel.a
	$$(CC) $$($(1)_LDFLAGS) $$(TEST_WRAP) -o $$@ $$^ -lcmocka $$(LIBS) $$(UMOCK_LIBS)
endef
$(eval $(call usb_test,rel))
$(eval $(call usb_test,asan))

# An object's dependency on a generated header must exist before the first build.
$(foreach v,rel asan pic,$(eval $(B)/$(v)/model/mmu_model.o: $(GEN)/.stamp))

build: deps $(B)/rel/mmuctl $(B)/rel/mmu-vboard $(B)/asan/mmu-vboard $(addprefix $(B)/rel/tests/,$(TESTS)) \
       $(B)/rel/tests/test_usb $(B)/rel/bench_model

test: deps check-gen $(B)/rel/mmuctl $(B)/asan/mmuctl $(B)/rel/mmu-vboard $(B)/asan/mmu-vboard \
      $(B)/rel/mmu-vboard-uart $(B)/rel/mmu-vboard-fifo \
      $(addprefix $(B)/rel/tests/,$(TESTS)) $(addprefix $(B)/asan/tests/,$(TESTS)) \
      $(B)/rel/tests/test_usb $(B)/asan/tests/test_usb \
      $(addprefix $(B)/cosim-,$(addsuffix /cosim,$(COSIM_VARIANTS) broken)) $(B)/true.trace
	COSIM_RUNS="$(COSIM_RUNS)" \
	  COSIM_VOLUME="default|$(VOLUME_ARGS)" bash tools/run-tests.sh $(B) $(TESTS)

# ---- benchmarks ----
$(B)/rel/bench_model: $(B)/rel/model/bench_model.o $(B)/rel/libmmuhost.a $(B)/rel/libmmumodel.a
	$(CC) -o $@ $^ $(LIBS)

$(B)/rel/bench_link: $(B)/rel/sim/bench_link.o $(B)/rel/libmmuhost.a $(B)/rel/libmmumodel.a
	$(CC) -o $@ $^ $(LIBS)

$(B)/rel/bench_host: $(B)/rel/sim/bench_host.o $(B)/rel/libmmuhost.a $(B)/rel/libmmumodel.a
	$(CC) -o $@ $^ $(LIBS)

bench: deps $(B)/rel/bench_model $(B)/rel/bench_link $(B)/rel/bench_host $(B)/rel/mmu-vboard $(B)/rel/mmu-vboard-uart \
       $(B)/rel/mmu-vboard-fifo \
       $(B)/cosim-default/cosim $(B)/cosim-hum0/cosim $(B)/cosim-cov-default/cosim $(B)/rel/tests/test_usb \
       $(B)/cosim-sv39board/cosim $(B)/true.trace
	$(B)/rel/bench_model
	$(B)/rel/bench_host $(B)/rel/mmu-vboard
	$(B)/rel/bench_link $(B)/rel/mmu-vboard
	$(B)/rel/bench_link $(B)/rel/mmu-vboard-uart 3000
	MMU_FT_STALLS=0 $(B)/rel/bench_link $(B)/rel/mmu-vboard-fifo 10000
	@echo "the usb transport through umockdev (test_usb's fork+COW workload; every libusb call a socket round trip, so umockdev's speed, not USB's):"
	@MMU_VBOARD=$(CURDIR)/$(B)/rel/mmu-vboard $(B)/rel/tests/test_usb 2>&1 | grep '^workload' | sed 's/^/  /'
	@echo "lockstep co-simulation (default build, sv39 seeds 1-8, 5000 requests each), three runs:"
	@for flags in "--no-waits --no-races" ""; do for i in 1 2 3; do \
	  $(B)/cosim-default/cosim --modes sv39 --seeds 1-8 --requests 5000 $$flags | grep '^lockstep' | \
	  sed "s/^/  $${flags:-waits and races}: /"; done; done
	@echo "lockstep, a program's address trace sent back to back (lackey trace of /bin/true, sv39, --no-waits --back-to-back), three runs each:"
	@for b in default sv39board; do g=; [ $$b = sv39board ] && g="$(sv39board_GEO)"; for i in 1 2 3; do \
	  $(B)/cosim-$$b/cosim $$g --modes sv39 --addr-trace $(B)/true.trace --no-waits --back-to-back | \
	  grep '^lockstep' | sed "s/^/  $$b build: /"; done; done
	@echo "lockstep, the request localities on dense tables (default build, sv39 seeds 1-8, 5000 requests, --no-waits --no-races --back-to-back; hit rates fixed by the seeds):"
	@for l in mix seq stride:4160 random zipf zipf:2; do \
	  $(B)/cosim-default/cosim --modes sv39 --seeds 1-8 --requests 5000 --tables dense --locality $$l \
	    --no-waits --no-races --back-to-back | grep -E '^(lockstep|cosim sv39 +locality)' | \
	  sed -E 's/^cosim sv39 +//' | paste -d' ' - - | sed 's/^/  /'; done
	@echo "hit-under-miss: the mixed stream's answers per clock (four modes, seeds 1-8, 2000 requests each), HUM=1 then HUM=0:"
	@for b in default hum0; do \
	  $(B)/cosim-$$b/cosim --modes sv32,sv39,sv48,x86_64 --seeds 1-8 --requests 2000 | \
	  grep -oE '^cosim [a-z0-9_]+ |mixed [0-9.]+' | paste -d' ' - - | sed "s/^/  $$b: /"; done
	@echo "the slowdown from tracing and from coverage (sv39 seeds 1-8, 2000 requests each, waits and races), three runs:"
	@mkdir -p $(B)/bench-cov
	@for i in 1 2 3; do \
	  $(B)/cosim-default/cosim --modes sv39 --seeds 1-8 --requests 2000 | grep '^lockstep' | sed 's/^/  plain: /'; \
	  $(B)/cosim-default/cosim --modes sv39 --seeds 1-8 --requests 2000 --trace-from 0 --trace $(B)/bench.fst | \
	    grep '^lockstep' | sed 's/^/  FST of every clock: /'; \
	  $(B)/cosim-cov-default/cosim --modes sv39 --seeds 1-8 --requests 2000 --out $(B)/bench-cov | \
	    grep '^lockstep' | sed 's/^/  line coverage compiled in: /'; done
	@rm -rf $(B)/bench.fst $(B)/bench-cov

# ---- lint: RTL under Verilator -Wall (core at five geometries, the board at two) and Icarus; C under clang ----
RTL_LINT_CFGS := default small textbook max board
max_G := -GSETS=256 -GWAYS=16 -GSP_N=16 -GPWC_N=16 -GASID_BITS=16
board_G := -GSP_N=2 -GPWC_N=2 -GASID_BITS=6 -GPA_BITS=34 -GINSPECT=0 -GHUM=0
lint-rtl: $(GEN)/.stamp
	@p=0; f=0; for c in $(RTL_LINT_CFGS); do \
	  case $$c in default) g="";; small) g="$(small_G)";; textbook) g="$(textbook_G)";; max) g="$(max_G)";; board) g="$(board_G)";; esac; \
	  if verilator --lint-only -Wall -I$(GEN) -Irtl $$g rtl/lint.vlt $(RTL_SRC) >$(B)/lint-$$c.log 2>&1; \
	  then echo "verilator -Wall $$c: clean"; p=$$((p+1)); else cat $(B)/lint-$$c.log; f=$$((f+1)); fi; done; \
	for c in default board; do \
	  case $$c in default) g="";; board) g="-GMODES=4 -GSP_N=2 -GPWC_N=2 -GASID_BITS=6 -GPA_BITS=34";; esac; \
	  if verilator --lint-only -Wall -I$(GEN) -Irtl -Irtl/link --top-module mmu_vboard $$g rtl/lint.vlt $(RTL_SRC) $(LINK_SRC) >$(B)/lint-link-$$c.log 2>&1; \
	  then echo "verilator -Wall link $$c: clean"; p=$$((p+1)); else cat $(B)/lint-link-$$c.log; f=$$((f+1)); fi; done; \
	for t in icebreaker icebreaker_ft232h; do \
	  if verilator --lint-only -Wall -I$(GEN) -Irtl -Irtl/link --top-module $$t rtl/lint.vlt $(RTL_SRC) $(LINK_SRC) $(BOARD_SRC) >$(B)/lint-$$t.log 2>&1; \
	  then echo "verilator -Wall $$t top: clean"; p=$$((p+1)); else cat $(B)/lint-$$t.log; f=$$((f+1)); fi; done; \
	if iverilog -g2005 -I$(GEN) -Irtl -Irtl/link -o $(B)/icarus.vvp $(RTL_SRC) $(LINK_SRC) $(BOARD_SRC) >$(B)/icarus.log 2>&1; \
	then echo "iverilog -g2005: compiles"; p=$$((p+1)); else cat $(B)/icarus.log; f=$$((f+1)); fi; \
	echo "$$p passed, $$f failed"; [ $$f -eq 0 ]
.PHONY: lint-rtl

# The valid/ready checks in the RTL, under Icarus: silent when the rule is
# kept, firing when a waiting request changes.
rtl-handshake: $(GEN)/.stamp
	@iverilog -g2005 -I$(GEN) -Irtl -o $(B)/tb_handshake.vvp sim/tb_handshake.v $(RTL_SRC)
	@p=0; f=0; \
	if vvp -n $(B)/tb_handshake.vvp | grep -q 'answered' && ! vvp -n $(B)/tb_handshake.vvp | grep -q ASSERTION; \
	then echo "icarus: rule kept, no assertion"; p=$$((p+1)); else echo "icarus: unexpected assertion"; f=$$((f+1)); fi; \
	if vvp -n $(B)/tb_handshake.vvp +break | grep -q 'ASSERTION mmu_core: request'; \
	then echo "icarus: rule broken, assertion fired"; p=$$((p+1)); else echo "icarus: assertion did not fire"; f=$$((f+1)); fi; \
	echo "$$p passed, $$f failed"; [ $$f -eq 0 ]
.PHONY: rtl-handshake

lint: deps $(GEN)/.stamp lint-rtl
	@for f in $(MODEL_SRC) $(HOST_SRC) host/mmuctl.c model/bench_model.c sim/bench_link.c sim/bench_host.c model/gen_constants.c tests/*.c; do \
	  clang $(CSTD) $(WARN) -Wno-unknown-warning-option $(INC) $(UMOCK_CFLAGS) -fsyntax-only $$f || exit 1; \
	done; echo "lint: C clean under gcc and clang"

# The board's bitstream: synthesis, place and route with timing, icepack
# (tools/fpga.sh); fails if it does not fit or misses its clock.
BOARD ?= icebreaker
fpga: deps $(GEN)/.stamp
	bash tools/fpga.sh $(BOARD) $(B)/fpga-$(BOARD)
prog: fpga
	iceprog $(B)/fpga-$(BOARD)/$(BOARD).bin
.PHONY: fpga prog

# Area of the core alone (docs/results.md); a few minutes.
synth-core: deps $(GEN)/.stamp
	@mkdir -p $(B)/synth
	yosys -q -l $(B)/synth/yosys.log -s tools/synth_core.ys
	@grep -A30 '=== mmu_core ===' $(B)/synth/yosys.log | grep -E 'SB_LUT4|SB_RAM40|SB_DFF|SB_CARRY|cells'

# ---- install: libmmu.so and libmmu.a (model + host), the public headers, libmmu.pc, the programs ----
PREFIX  ?= /usr/local
DESTDIR ?=
LIBMMU_VERSION := 0.1.0
PUBLIC_H := host/mmu.h $(GEN)/mmu_constants.h model/mmu_model.h host/dev.h host/board.h \
            host/usb.h host/os.h host/workload.h
$(B)/rel/libmmu.a: $(patsubst %.c,$(B)/rel/%.o,$(MODEL_SRC) $(HOST_SRC))
	rm -f $@
	ar rcs $@ $^
# The shared library exports only the public headers' names (tools/libmmu.map).
LIBMMU_SO := libmmu.so.$(LIBMMU_VERSION)
LIBMMU_SONAME := libmmu.so.$(firstword $(subst ., ,$(LIBMMU_VERSION)))
$(B)/pic/$(LIBMMU_SO): $(patsubst %.c,$(B)/pic/%.o,$(MODEL_SRC) $(HOST_SRC)) tools/libmmu.map
	$(CC) -shared -Wl,-soname,$(LIBMMU_SONAME) -Wl,--version-script=tools/libmmu.map -Wl,--no-undefined \
	  -o $@ $(filter %.o,$^) $(LIBS)
$(B)/libmmu.pc: tools/libmmu.pc.in
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(LIBMMU_VERSION)|' $< > $@
install: deps $(B)/rel/libmmu.a $(B)/pic/$(LIBMMU_SO) $(B)/libmmu.pc $(B)/rel/mmuctl $(B)/rel/mmu-vboard
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/mmu $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(B)/rel/libmmu.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(B)/pic/$(LIBMMU_SO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf $(LIBMMU_SO) $(DESTDIR)$(PREFIX)/lib/$(LIBMMU_SONAME)
	ln -sf $(LIBMMU_SONAME) $(DESTDIR)$(PREFIX)/lib/libmmu.so
	install -m 644 $(B)/libmmu.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 644 $(PUBLIC_H) $(DESTDIR)$(PREFIX)/include/mmu/
	install -m 755 $(B)/rel/mmuctl $(B)/rel/mmu-vboard $(DESTDIR)$(PREFIX)/bin/

demo: deps $(B)/rel/mmuctl $(B)/rel/mmu-vboard
	bash tools/demo.sh $(B)/rel/mmuctl

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- RTL: lint, Icarus compile, lockstep co-simulation ----
FORCE:
.PHONY: FORCE
COSIM_C := sim/cosim.c sim/ptgen.c

$(B)/rel/libcosim.a: $(patsubst %.c,$(B)/rel/%.o,$(COSIM_C)) $(patsubst %.c,$(B)/rel/%.o,$(HOST_SRC) $(MODEL_SRC))
	ar rcs $@ $^

# A build's Verilator flags, rewritten only when they change, so that a
# changed geometry in this file rebuilds it (a stale binary run with the
# new --geometry would diverge at once).
define cosim_variant
$(B)/cosim-$(1)/flags: FORCE
	@mkdir -p $$(@D); f='$$($(1)_G) $$($(1)_VFLAGS)'; echo "$$$$f" | cmp -s - $$@ || echo "$$$$f" > $$@
$(B)/cosim-$(1)/cosim: $(RTL_SRC) sim/cosim.vlt sim/cosim_main.cpp sim/cosim.h $(B)/rel/libcosim.a $(GEN)/.stamp $(B)/cosim-$(1)/flags
	@rm -f $$@  # Verilator's makefile does not know libcosim.a: force the relink
	verilator --cc --exe --build -j 2 -O3 -Wno-fatal --top-module mmu_core $$($(1)_G) $$($(1)_VFLAGS) \
	  -Irtl -I$(GEN) -Mdir $(B)/cosim-$(1) -o cosim \
	  -CFLAGS "-O2 -DCOSIM_HUM=$$(if $$(findstring -GHUM=0,$$($(1)_G)),0,1) -DCOSIM_BREAKABLE=$$(if $$(findstring -DMMU_BREAKABLE,$$($(1)_G)),1,0) -I$(CURDIR)/sim -I$(CURDIR)/model -I$(CURDIR)/$(GEN) -I$(CURDIR)/host" \
	  -LDFLAGS "$(CURDIR)/$(B)/rel/libcosim.a $(LIBS)" \
	  sim/cosim.vlt $(RTL_SRC) $(CURDIR)/sim/cosim_main.cpp > $(B)/cosim-$(1).log 2>&1 || { tail -30 $(B)/cosim-$(1).log; exit 1; }
endef
$(foreach v,$(COSIM_VARIANTS),$(eval $(call cosim_variant,$(v))))
# the default and broken builds can dump an FST window (cosim --replay FILE)
default_VFLAGS := --trace-fst
broken_VFLAGS := --trace-fst
# every build again with Verilator line coverage (make coverage): cosim-cov-NAME
$(foreach v,$(COSIM_VARIANTS),$(eval cov-$(v)_G := $($(v)_G))$(eval cov-$(v)_VFLAGS := --coverage-line)\
  $(eval $(call cosim_variant,cov-$(v))))
# the default geometry with the deliberately broken variants compiled in
# (selected at run time by --break N; tools/broken.sh)
broken_G := -DMMU_BREAKABLE
$(eval $(call cosim_variant,broken))
# the default geometry without hit-under-miss (make bench: what HUM gains)
hum0_G := -GHUM=0
$(eval $(call cosim_variant,hum0))

cosim: deps $(addprefix $(B)/cosim-,$(addsuffix /cosim,$(COSIM_VARIANTS)))
	@for v in $(COSIM_VARIANTS); do \
	  case $$v in default) a="$(default_ARGS)";; small) a="$(small_ARGS)";; textbook) a="$(textbook_ARGS)";; sv39board) a="$(sv39board_ARGS)";; seed004) a="$(seed004_ARGS)";; esac; \
	  echo "== cosim $$v"; $(B)/cosim-$$v/cosim $$a || exit 1; done
.PHONY: cosim

# The same stimulus under Verilator and Icarus: identical transaction logs
# (tools/txlog.sh, sim/tb_txlog.v; in make test with 2000 requests a mode)
txlog: deps $(B)/cosim-default/cosim
	bash tools/txlog.sh $(B) $(or $(REQUESTS),2000)
.PHONY: txlog

# Coverage: Verilator line coverage of rtl/ over the runs of make test on
# every build (the trace runs left out: too slow with coverage), merged, per
# point and as lcov HTML, with the reviewed waivers of sim/coverage-waivers.txt
# applied to a second figure; and the functional cover points of the volume
# slice (a million translations) as a table (tools/coverage.sh, a quarter hour).
coverage: deps $(addprefix $(B)/cosim-cov-,$(addsuffix /cosim,$(COSIM_VARIANTS))) $(B)/cosim-default/cosim
	COSIM_RUNS="$(COSIM_RUNS)" bash tools/coverage.sh $(B) "$(VOLUME_ARGS)"
.PHONY: coverage

# Long random regressions: every co-simulation build over SEEDS (default
# 9-108) with REQUESTS requests a seed (default 5000); the same checks as
# make test, more stimulus.  A failing seed leaves its reproducer next to
# its cosim program.
SEEDS    ?= 9-108
REQUESTS ?= 5000
# more cosim options for every build of make regress, e.g. --back-to-back
REGRESS_ARGS ?=
regress: deps $(addprefix $(B)/cosim-,$(addsuffix /cosim,$(COSIM_VARIANTS)))
	@f=0; for v in $(COSIM_VARIANTS); do \
	  case $$v in default) a="$(default_ARGS)";; small) a="$(small_ARGS)";; textbook) a="$(textbook_ARGS)";; sv39board) a="$(sv39board_ARGS)";; seed004) a="$(seed004_ARGS)";; esac; \
	  echo "== cosim $$v"; $(B)/cosim-$$v/cosim $$a --seeds $(SEEDS) --requests $(REQUESTS) $(REGRESS_ARGS) || f=1; done; \
	  if [ $$f -eq 0 ]; then echo "regress: every seed clean"; else echo "regress: FAILED (reproducers in $(B)/cosim-*/)"; exit 1; fi
.PHONY: regress

# ---- the virtual board: the board RTL behind standard input/output ----
# vboard_rule NAME TOP DEFINE: build/rel/NAME, sim/vboard_main.cpp around
# TOP, compiled with -DDEFINE (sim/vboard_main.cpp says what each plays)
define vboard_rule
$(B)/rel/$(1): $(RTL_SRC) $(LINK_SRC) $(BOARD_SRC) rtl/link/mmu_crc16.vh sim/vboard_main.cpp $(GEN)/.stamp
	verilator --cc --exe --build -j 2 -O3 -Wno-fatal --top-module $(2) -D$(3) \
	  -Irtl -Irtl/link -I$(GEN) -Mdir $(B)/$(1) -o $(1) -CFLAGS "-O2 -D$(3)" \
	  $(RTL_SRC) $(LINK_SRC) $(BOARD_SRC) $(CURDIR)/sim/vboard_main.cpp > $(B)/$(1).log 2>&1 || { tail -30 $(B)/$(1).log; exit 1; }
	@mkdir -p $$(dir $$@)
	cp $(B)/$(1)/$(1) $$@
endef
$(eval $(call vboard_rule,mmu-vboard,mmu_vboard,VBOARD_STREAM))
$(eval $(call vboard_rule,mmu-vboard-uart,icebreaker,VBOARD_UART))
$(eval $(call vboard_rule,mmu-vboard-fifo,ft232h_board,VBOARD_FIFO))
$(B)/asan/mmu-vboard: $(B)/rel/mmu-vboard
	@mkdir -p $(@D)
	ln -sf ../rel/mmu-vboard $@
vboard: deps $(B)/rel/mmu-vboard $(B)/asan/mmu-vboard $(B)/rel/mmu-vboard-uart $(B)/rel/mmu-vboard-fifo
.PHONY: vboard

# The link fuzz at full length: a million random and mutated frames against the
# virtual board (make test runs 20,000).
fuzz: deps $(B)/rel/mmu-vboard $(B)/rel/tests/test_link
	LINK_FUZZ=1000000 MMU_VBOARD=$(CURDIR)/$(B)/rel/mmu-vboard $(B)/rel/tests/test_link
.PHONY: fuzz
