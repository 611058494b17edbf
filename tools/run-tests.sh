#!/usr/bin/env bash
# Run every test suite three ways - optimised, under ASan+UBSan, under valgrind
# memcheck - and end with the total as "N passed, N failed".
# A suite that crashes or prints no cmocka summary counts as one failure.
# Usage: run-tests.sh BUILD_DIR SUITE...
set -u
. "$(dirname "$0")/cosim-runs.sh"
B=$1; shift
suites=("$@")
passed=0; failed=0; log=$(mktemp)
# the virtual board the link tests start (host/board.c)
MMU_VBOARD=$(cd "$B/rel" && pwd)/mmu-vboard
export MMU_VBOARD
# every result line ends with its check's wall time: since it started
start=$SECONDS; since=$SECONDS

run_suite() { # label, command...
	local label=$1; shift
	since=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	local p f
	p=$(grep -aoE '\[  PASSED  \] [0-9]+ test' "$log" | grep -oE '[0-9]+' | tail -1)
	f=$(grep -aoE '\[  FAILED  \] [0-9]+ test' "$log" | grep -oE '[0-9]+' | tail -1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	printf '%-28s %3d passed, %d failed (%d s)\n' "$label" "$p" "$f" $((SECONDS - since))
	if [ "$f" -ne 0 ]; then
		sed 's/^/    /' "$log" | grep -vE '^\s+\[ (RUN|      OK)' | tail -60
	fi
}

# A suite that ends with the plain line "N passed, N failed" (RTL lint, co-simulation).
report_plain() { # label, exit status, log file
	local label=$1 rc=$2 file=$3 line p f
	line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed' "$file" | tail -1)
	p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}')
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	printf '%-28s %3d passed, %d failed (%d s)\n' "$label" "$p" "$f" $((SECONDS - since))
	grep -aE '^(cosim|lockstep|txlog|verilator|iverilog|icarus|break|no break|lazy)' "$file" | sed 's/^/    /'
	if [ "$f" -ne 0 ]; then sed 's/^/    /' "$file" | tail -40; fi
}
run_plain() { # label, command...
	local label=$1; shift
	since=$SECONDS
	"$@" >"$log" 2>&1
	report_plain "$label" $? "$log"
}

# Two background lanes from the start, reported at the end: both iCEBreaker
# bitstreams one after the other (minutes of placement and routing each:
# each must fit the UP5K and meet its clocks), and the co-simulation's
# volume slice (COSIM_VOLUME="NAME|ARGS": a million random translations).
# The suites below leave a core idle much of the time (they wait on
# sockets, umockdev and child processes), which the lanes take.
bg=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$bg"' EXIT
bg_run() { # name, command...: log, exit status and seconds into $bg
	local name=$1 t0=$SECONDS rc=0; shift
	"$@" >"$bg/$name.log" 2>&1 || rc=$?
	echo "$rc" >"$bg/$name.rc"; echo $((SECONDS - t0)) >"$bg/$name.s"
}
( for board in icebreaker icebreaker-ft232h; do
	bg_run "$board" bash tools/fpga.sh "$board" "$B/fpga-$board"
  done ) &
fpga_pid=$!
vol_pid=
if [ -n "${COSIM_VOLUME:-}" ]; then
	vol_name=${COSIM_VOLUME%%|*}; vol_args=${COSIM_VOLUME#*|}
	# shellcheck disable=SC2086
	bg_run volume "$B/cosim-$vol_name/cosim" $vol_args &
	vol_pid=$!
fi

for s in "${suites[@]}"; do
	MMUCTL=$B/rel/mmuctl run_suite "$s" "$B/rel/tests/$s"
done
# A check that passes or fails as a whole (its last lines are shown).
report_check() { # label, exit status, log file
	local label=$1 rc=$2 file=$3
	if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	printf '%-28s %3d passed, %d failed (%d s)\n' "$label" $((rc == 0)) $((rc != 0)) $((SECONDS - since))
	grep -aE 'ICESTORM|Max frequency|^synth_ice40|^placement|^fpga:' "$file" | sed 's/^/    /'
	if [ "$rc" -ne 0 ]; then sed 's/^/    /' "$file" | tail -20; fi
}
run_check() { # label, command...
	local label=$1; shift
	since=$SECONDS
	"$@" >"$log" 2>&1
	report_check "$label" $? "$log"
}

# the link tests again on the real iCEBreaker top (UART PHY, SPRAM) in simulation
LINK_BOARD=uart LINK_FUZZ=3000 MMU_VBOARD=$(cd "$B/rel" && pwd)/mmu-vboard-uart \
	run_suite "test_link (icebreaker top)" "$B/rel/tests/test_link"
# and on the FT232H top (FT245 sync FIFO PHY across two clocks; the chip's
# side stalls at random and checks the protocol)
LINK_BOARD=fifo LINK_FUZZ=3000 MMU_VBOARD=$(cd "$B/rel" && pwd)/mmu-vboard-fifo \
	run_suite "test_link (ft232h top)" "$B/rel/tests/test_link"
# the usb transport through libusb against virtual FTDI/bulk devices (umockdev),
# in front of the virtual board and of the iCEBreaker top with its UART
run_suite "test_usb" "$B/rel/tests/test_usb"
MMU_VBOARD=$(cd "$B/rel" && pwd)/mmu-vboard-uart run_suite "test_usb (icebreaker top)" "$B/rel/tests/test_usb"
MMU_VBOARD=$(cd "$B/rel" && pwd)/mmu-vboard-fifo run_suite "test_usb (ft232h top)" "$B/rel/tests/test_usb"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:verify_asan_link_order=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suite "test_usb (asan+ubsan)" "$B/asan/tests/test_usb"
if command -v valgrind >/dev/null; then
	# every libusb call is a round trip to umockdev's thread, a hundred times
	# slower under valgrind: USB_QUICK puts short batches in place of the workloads
	USB_QUICK=1 TEST_TIME_SCALE=10 LD_PRELOAD=libumockdev-preload.so.0 run_suite "test_usb (valgrind)" \
		valgrind -q --error-exitcode=77 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --trace-children=yes \
		--trace-children-skip='*/sh,*/rm,*/mmu-vboard*' "$B/rel/tests/test_usb"
fi
# the OS layer on the virtual board: the fault cases and a shorter integrity run
OS_DEVICE=sim OS_OPS=5000 run_suite "test_os (sim)" "$B/rel/tests/test_os"
# make install into a scratch DESTDIR; a program built with pkg-config alone runs
run_check "install (pkg-config)" bash tools/test-install.sh "$B"
run_plain "rtl lint" make -s lint-rtl
run_plain "rtl handshake checks" make -s rtl-handshake
# the co-simulation must catch each deliberately broken variant of the core
run_plain "cosim broken variants" bash tools/broken.sh "$B/cosim-broken/cosim" \
	--modes sv32,sv39,sv48,x86_64 --seeds 1-8 --requests 2000
# bad arguments and a geometry that is not the build's stop a run at once
run_plain "cosim arguments" bash tools/cosim-args.sh "$B"
# the driver's lazy evaluation of the core against an eval before every edge
run_plain "cosim lazy eval = strict" bash tools/eval-equiv.sh "$B/cosim-default/cosim" \
	--modes sv32,sv39,sv48,x86_64 --seeds 1-2 --requests 1000
while IFS='|' read -r -u 3 name args; do   # NAME is BUILD or BUILD:LABEL
	# shellcheck disable=SC2086
	run_plain "cosim $name" "$B/cosim-${name%%:*}/cosim" $args
done 3< <(cosim_runs)
# the same stimulus under Icarus Verilog: identical transaction logs
run_plain "cosim log: verilator = icarus" bash tools/txlog.sh "$B" 2000
for s in "${suites[@]}"; do
	MMUCTL=$B/asan/mmuctl ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_suite "$s (asan+ubsan)" "$B/asan/tests/$s"
done
if command -v valgrind >/dev/null; then
	for s in "${suites[@]}"; do
		MMUCTL=$B/rel/mmuctl run_suite "$s (valgrind)" valgrind -q --error-exitcode=77 \
			--leak-check=full --errors-for-leak-kinds=definite,indirect \
			--trace-children=yes --trace-children-skip='*/sh,*/rm,*/mmu-vboard' "$B/rel/tests/$s"
	done
else
	echo "valgrind not installed: run make deps"; failed=$((failed + 1))
fi
# the background lanes, started first (a lane that left no status failed)
bg_status() { cat "$bg/$1.rc" 2>/dev/null || echo 1; }
bg_since() { echo $((SECONDS - $(cat "$bg/$1.s" 2>/dev/null || echo 0))); }
if [ -n "$vol_pid" ]; then
	wait "$vol_pid"
	since=$(bg_since volume)
	report_plain "cosim $vol_name (volume)" "$(bg_status volume)" "$bg/volume.log"
fi
wait "$fpga_pid"
for board in icebreaker icebreaker-ft232h; do
	since=$(bg_since "$board")
	report_check "fpga $board" "$(bg_status "$board")" "$bg/$board.log"
done
echo "wall time $((SECONDS - start)) s (the bitstreams and the volume slice overlap the rest)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
