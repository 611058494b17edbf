#!/bin/bash
# stageb-bound.sh - how fast can the hit path alone run on an iCE40UP5K?
# Places tools/stageb_probe.v (stage B of the board build, nothing else)
# at hit latencies 2, 3 and 4 (and 2 and 3 with the tag compared along the
# carry chain) with placer seeds 1-3 and prints Fmax.
# Usage: bash tools/stageb-bound.sh [OUT_DIR]   (a few minutes)
set -eu
out=${1:-build/stageb}
mkdir -p "$out"
printf 'set_io clk_i 35\nset_io din_i 3\nset_io dout_o 4\n' >"$out/probe.pcf"
# LAT:CARRY (CARRY 1: the tag compare along the carry chain)
for v in 2:0 3:0 4:0 2:1 3:1; do
	lat=${v%:*}; cc=${v#*:}; n=$lat-$cc
	yosys -q -l "$out/yosys-$n.log" -p "read_verilog rtl/mmu_ram.v rtl/mmu_pmux.v tools/stageb_probe.v;
		chparam -set LAT $lat -set CARRY $cc stageb_probe; synth_ice40 -top stageb_probe -json $out/probe-$n.json"
	line="hit latency $lat$( [ "$cc" = 1 ] && echo ', carry-chain compare' || true):"
	for seed in 1 2 3; do
		nextpnr-ice40 --up5k --package sg48 --json "$out/probe-$n.json" --pcf "$out/probe.pcf" \
			--freq 48 --seed $seed --timing-allow-fail >"$out/pnr-$n-$seed.log" 2>&1
		f=$(grep 'Max frequency' "$out/pnr-$n-$seed.log" | tail -1 | grep -o '[0-9.]* MHz' | head -1)
		line="$line $f"
	done
	lc=$(grep -o 'ICESTORM_LC: *[0-9]*' "$out/pnr-$n-1.log" | head -1 | grep -o '[0-9]*$')
	echo "$line (seeds 1-3; $lc logic cells)"
done
