#!/usr/bin/env bash
# FPGA build for a board: yosys synth_ice40, nextpnr-ice40 (placement, routing,
# timing), icepack.  Prints the utilisation and the Fmax of every clock, and
# fails if the design does not fit or misses its clock constraint.
# Usage: fpga.sh BOARD OUTDIR   (BOARD: icebreaker)
set -euo pipefail
board=${1:?board}; out=${2:?output directory}
case $board in
icebreaker)
	top=icebreaker; pcf=constraints/icebreaker.pcf; freq=12   # the 12 MHz oscillator
	src="rtl/mmu_ram.v rtl/mmu_plru.v rtl/mmu_core.v rtl/link/mmu_fifo.v
	     rtl/link/mmu_link_rx.v rtl/link/mmu_link_tx.v rtl/link/mmu_link_disp.v
	     rtl/link/mmu_board.v rtl/link/mmu_uart.v rtl/link/mmu_spram.v rtl/board/icebreaker.v"
	;;
*) echo "fpga.sh: unknown board '$board' (icebreaker)" >&2; exit 2 ;;
esac
mkdir -p "$out"
# shellcheck disable=SC2086
src=$(echo $src)
yosys -q -q -l "$out/yosys.log" -p "read_verilog -DSYNTHESIS -Ibuild/gen -Irtl -Irtl/link $src;
	synth_ice40 -abc9 -top $top -json $out/$board.json" >/dev/null
rc=0
nextpnr-ice40 --up5k --package sg48 --json "$out/$board.json" --pcf "$pcf" --freq "$freq" \
	--asc "$out/$board.asc" --report "$out/report.json" >"$out/nextpnr.log" 2>&1 || rc=$?
grep -E "ICESTORM_(LC|RAM|SPRAM):" "$out/nextpnr.log" | sed 's/^Info: *//' | tail -3
grep -E "Max frequency for clock" "$out/nextpnr.log" | tail -1 | sed 's/^[A-Za-z]*: *//'
if [ "$rc" -ne 0 ] || ! grep -q "Program finished normally" "$out/nextpnr.log"; then
	grep -E "ERROR" "$out/nextpnr.log" | head -5
	echo "fpga: $board does not place and route"; exit 1
fi
if grep -E "Max frequency for clock" "$out/nextpnr.log" | tail -1 | grep -q FAIL; then
	echo "fpga: $board misses its ${freq} MHz clock"; exit 1
fi
icepack "$out/$board.asc" "$out/$board.bin"
echo "fpga: $out/$board.bin ($(stat -c %s "$out/$board.bin") bytes)"
