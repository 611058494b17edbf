#!/usr/bin/env bash
# The co-simulation's command line: every bad argument, and a geometry that
# is not the build's, stops the run with exit status 2 and a message naming
# the argument, before any clock; good ones run.
# Usage: cosim-args.sh BUILD_DIR   (needs cosim-default, cosim-sv39board, cosim-broken)
set -u
B=${1:?build directory}
passed=0; failed=0
# expect STATUS PATTERN BINARY ARGS...: the exit status, and stderr matching PATTERN
expect() {
	local want=$1 pat=$2 bin=$3; shift 3
	local err rc
	err=$("$B/$bin/cosim" "$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" -eq "$want" ] && echo "$err" | grep -qE -e "$pat"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $bin $* -> status $rc (want $want), stderr: ${err:-<none>}"
	fi
}
expect 2 "--requests 'abc'" cosim-default --requests abc
expect 2 "--requests '0'" cosim-default --requests 0
expect 2 "--requests '-5'" cosim-default --requests -5
expect 2 "--seeds '5-2'" cosim-default --seeds 5-2
expect 2 "--seeds 'x'" cosim-default --seeds x
expect 2 "--seeds '1-'" cosim-default --seeds 1-
expect 2 "--trace-from 'soon'" cosim-default --trace-from soon
expect 2 "no broken variants" cosim-default --break 1
expect 2 "--break '10'" cosim-broken --break 10
expect 2 "unknown mode 'sv57'" cosim-default --modes sv57
expect 2 "unknown locality 'lru'" cosim-default --locality lru
expect 2 "stride must be" cosim-default --locality stride:0
expect 2 "exponent" cosim-default --locality zipf:9
expect 2 "--tables takes" cosim-default --tables full
expect 2 "usage" cosim-default --no-such-option
expect 2 "usage" cosim-default --requests
expect 2 "--geometry wants" cosim-default --geometry 64,4
expect 2 "built with PWC_N=8, the run was given 4" cosim-default --geometry 64,4,8,4,8,56
expect 2 "built with SP_N=2, the run was given 8" cosim-sv39board --geometry 64,4,8,2,6,34,4
expect 2 "cannot read the reproducer" cosim-default --replay /nonexistent/x.repro
expect 2 "No such file" cosim-default --addr-trace /nonexistent/trace
# and good ones run: the build's own geometry by default, or repeated
expect 0 "" cosim-sv39board --modes sv39 --seeds 1 --requests 200
expect 0 "" cosim-sv39board --geometry 64,4,2,2,6,34,4 --modes sv39 --seeds 2-3 --requests 200
expect 0 "" cosim-broken --break 0 --modes sv39 --seeds 1 --requests 200
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
