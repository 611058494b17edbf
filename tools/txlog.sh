#!/usr/bin/env bash
# The same stimulus under Verilator and under Icarus Verilog: the default
# co-simulation build writes a transaction log per mode (cosim --log: the
# memory image, then every control operation, request, memory write and
# response in order; one request at a time, no racing invalidations), the
# Icarus bench sim/tb_txlog.v replays its inputs on rtl/ and writes the log
# it gets, and the two logs and their SHA-256 hashes must be identical.
# Usage: txlog.sh BUILD_DIR [REQUESTS]   (ends with "N passed, N failed")
set -u
B=${1:?build dir}; n=${2:-300}
iverilog -g2005 -I"$B/gen" -Irtl -o "$B/tb_txlog.vvp" sim/tb_txlog.v rtl/mmu_core.v rtl/mmu_ram.v \
	rtl/mmu_plru.v rtl/mmu_pmux.v || { echo "0 passed, 1 failed"; exit 1; }
p=0; f=0
for mode in sv32 sv39 sv48 x86_64; do
	v=$B/txlog-$mode.verilator; i=$B/txlog-$mode.icarus
	"$B/cosim-default/cosim" --modes "$mode" --seeds 1 --requests "$n" --log "$v" >/dev/null &&
		vvp -n "$B/tb_txlog.vvp" +in="$v" +out="$i" >/dev/null
	hv=$(sha256sum <"$v" | cut -c1-16); hi=$(sha256sum <"$i" | cut -c1-16)
	if [ "$hv" = "$hi" ]; then
		echo "txlog $mode: $(grep -c '^R' "$v") responses, hash $hv under both"; p=$((p + 1))
	else
		line=$(cmp "$v" "$i" 2>&1 | sed -n 's/.*line \([0-9]*\).*/\1/p')
		echo "txlog $mode: Verilator $hv, Icarus $hi; first difference at line ${line:-?}:"
		echo "  verilator: $(sed -n "${line:-1}p" "$v")"
		echo "  icarus:    $(sed -n "${line:-1}p" "$i")"
		f=$((f + 1))
	fi
done
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
