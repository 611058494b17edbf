#!/usr/bin/env bash
# The co-simulation driver evaluates the Verilated core lazily (sim/cosim_main.cpp,
# Rtl::settle and Rtl::tick): this runs the same stimulus with it and with
# --strict-eval (an eval before every edge, with the clock low) and checks
# that both give the same summary and the same number of clocks.
# Usage: eval-equiv.sh COSIM ARGS...
set -uo pipefail
cosim=${1:?cosim binary}; shift
# The driver's rule rests on which outputs Verilator computes from the
# inputs (its input-combinational region, ico): only req_ready_o and
# insp_ready_o may be among them.  Read that off the generated model, when
# its layout is the one Verilator 5.006 writes.
dir=$(dirname "$cosim")
ico=$(cat "$dir"/V*__DepSet_*.cpp 2>/dev/null | grep -v '^#' |
	awk '/___ico_sequent__TOP__[0-9]*\(V.*\) \{$/ { f = 1 } f { print } f && /^}/ { f = 0 }')
if [ -n "$ico" ]; then
	outs=$(echo "$ico" | grep -oE 'vlSelf->[a-z_]+_o\b *=' | sed -E 's/vlSelf->([a-z_]+_o).*/\1/' | sort -u | tr '\n' ' ')
	echo "lazy eval: outputs computed from the inputs: ${outs:-none}"
	for o in $outs; do
		case $o in req_ready_o | insp_ready_o) ;;
		*) echo "$o depends on the inputs: the lazy driver (sim/cosim_main.cpp, Rtl::settle) must learn it"
		   echo "0 passed, 1 failed"; exit 1 ;;
		esac
	done
else
	echo "lazy eval: outputs computed from the inputs: not found in $dir (another Verilator's layout); not checked"
fi
lazy=$("$cosim" "$@" 2>&1); rl=$?
strict=$("$cosim" "$@" --strict-eval 2>&1); rs=$?
# everything but the wall time and the rates derived from it
norm() { sed -E 's/ in [0-9.]+ s: [0-9]+ per second \(([0-9]+) clocks, [0-9]+ per second\)/ (\1 clocks)/'; }
clocks() { grep -m1 '^lockstep' | sed -E 's/.*\(([0-9]+) clocks.*/\1/'; }
echo "lazy: $(echo "$lazy" | clocks) clocks, exit $rl; strict: $(echo "$strict" | clocks) clocks, exit $rs"
if [ $rl -ne 0 ] || [ $rs -ne 0 ]; then
	echo "$lazy" | tail -5
	echo "$strict" | tail -5
	echo "0 passed, 1 failed"; exit 1
fi
if [ "$(echo "$lazy" | norm)" != "$(echo "$strict" | norm)" ]; then
	diff <(echo "$lazy" | norm) <(echo "$strict" | norm) | head -20
	echo "0 passed, 1 failed"; exit 1
fi
echo "lazy = strict: same answers, same clocks"
echo "1 passed, 0 failed"
