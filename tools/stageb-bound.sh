#!/bin/bash
# stageb-bound.sh - how fast can the hit path alone run on an iCE40UP5K?
# Places tools/stageb_probe.v (stage B of the board build, nothing else)
# at hit latencies 2, 3 and 4 with placer seeds 1-3 and prints Fmax.
# Usage: bash tools/stageb-bound.sh [OUT_DIR]   (a few minutes)
set -eu
out=${1:-build/stageb}
mkdir -p "$out"
printf 'set_io clk_i 35\nset_io din_i 3\nset_io dout_o 4\n' >"$out/probe.pcf"
for lat in 2 3 4; do
	yosys -q -l "$out/yosys-$lat.log" -p "read_verilog rtl/mmu_ram.v rtl/mmu_pmux.v tools/stageb_probe.v;
		chparam -set LAT $lat stageb_probe; synth_ice40 -top stageb_probe -json $out/probe-$lat.json"
	line="hit latency $lat:"
	for seed in 1 2 3; do
		nextpnr-ice40 --up5k --package sg48 --json "$out/probe-$lat.json" --pcf "$out/probe.pcf" \
			--freq 48 --seed $seed --timing-allow-fail >"$out/pnr-$lat-$seed.log" 2>&1
		f=$(grep 'Max frequency' "$out/pnr-$lat-$seed.log" | tail -1 | grep -o '[0-9.]* MHz' | head -1)
		line="$line $f"
	done
	lc=$(grep -o 'ICESTORM_LC: *[0-9]*' "$out/pnr-$lat-1.log" | head -1 | grep -o '[0-9]*$')
	echo "$line (seeds 1-3; $lc logic cells)"
done
