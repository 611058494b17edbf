#!/usr/bin/env bash
# make coverage: line coverage of rtl/ over the lockstep runs of make test on
# every co-simulation build, merged; and the functional cover points of the
# volume slice (which adds its line coverage too).  Usage: coverage.sh
# BUILD_DIR "VOLUME_ARGS"
# COSIM_RUNS (from the Makefile): BUILD[:LABEL]|ARGS;...  Trace runs are left
# out.
# Waivers: sim/coverage-waivers.txt, lines "FILE|EXTENDED-REGEX|N|reason": the
# one line of FILE that matches (more or fewer is an error) and the N-1 after
# it are left out of the second lines figure.
set -uo pipefail
. "$(dirname "$0")/cosim-runs.sh"
B=$1
VOL=$2
out=$B/coverage
rm -rf "$out"
mkdir -p "$out/runs"
fail=0

# the functional table and more line coverage: the volume slice on the
# coverage build, on the other core (about 2.4 times slower than on the
# normal build: 3-4 minutes)
mkdir -p "$out/runs/volume"
# shellcheck disable=SC2086
"$B/cosim-cov-default/cosim" $VOL --cover "$out/functional.md" --out "$out/runs/volume" \
	>"$out/functional.log" 2>&1 &
vpid=$!

while IFS='|' read -r -u 3 name args; do
	case $name in *:trace | *:trace-b2b) continue ;; esac   # the address-trace replays
	d=$out/runs/${name//:/-}
	mkdir -p "$d"
	start=$SECONDS
	# shellcheck disable=SC2086
	if "$B/cosim-cov-${name%%:*}/cosim" $args --out "$d" >"$d/log" 2>&1; then
		echo "coverage run $name: $(tail -n 1 "$d/log") ($((SECONDS - start)) s)"
	else
		echo "coverage run $name FAILED:"; tail -n 5 "$d/log"; fail=1
	fi
done 3< <(cosim_runs)
if wait "$vpid"; then
	echo "functional (volume slice): $(tail -n 1 "$out/functional.log")"
else
	echo "functional (volume slice) FAILED:"; tail -n 5 "$out/functional.log"; fail=1
fi
grep -h 'Bins the spec allows' "$out/functional.md" | sed 's/^/  /' | cut -c1-160

mapfile -t dats < <(find "$out/runs" -name '*.dat' | sort)
if [ "${#dats[@]}" -eq 0 ]; then
	echo "coverage: no coverage data written"; exit 1
fi
verilator_coverage --annotate "$out/annotated" "${dats[@]}" |
	sed -n 's/^Total coverage/per coverage point (verilator_coverage, all builds merged):/p'
verilator_coverage --write-info "$out/rtl.info" "${dats[@]}"
genhtml -q -o "$out/html" "$out/rtl.info" 2>&1 | grep -v '^$' || true
# the waived lines: the same lines figure without them, and each waiver checked
waivers=sim/coverage-waivers.txt
: >"$out/waived-lines"
while IFS='|' read -r file re count reason; do
	case $file in '' | '#'*) continue ;; esac
	lines=$(grep -nE -- "$re" "$file" | cut -d: -f1)
	if [ "$(echo "$lines" | grep -c .)" != 1 ]; then
		echo "waiver must match one line of $file, not $(echo "$lines" | grep -c .): $re"; fail=1; continue
	fi
	for ((l = lines; l < lines + count; l++)); do echo "$file $l" >>"$out/waived-lines"; done
	echo "waived $file:$lines-$((lines + count - 1)): $reason"
done <"$waivers"
# one pass over the lcov data: all lines, the lines without the waived ones,
# and every line neither covered nor waived
awk -v root="$PWD/" '
	FILENAME == ARGV[1] { w[$1 " " $2] = 1; next }
	/^SF:/ { f = substr($0, 4); sub("^" root, "", f) }
	/^DA:/ { split(substr($0, 4), a, ","); key = f " " a[1]
		 all++; if (a[2] > 0) all_h++
		 if (key in w) { waived++; if (a[2] > 0) covered_waived++; next }
		 n++; if (a[2] > 0) h++; else { miss++; list = list (list == "" ? "" : " ") f ":" a[1] } }
	END { printf "lines (lcov): %.1f%% (%d of %d)\n", all ? 100 * all_h / all : 0, all_h, all
	      printf "lines (lcov) with the %d waived lines left out: %.1f%% (%d of %d)", waived, n ? 100 * h / n : 0, h, n
	      if (covered_waived) printf "; %d waived lines were covered after all", covered_waived
	      printf "\n"
	      printf "not covered and not waived: %d lines%s\n", miss, miss ? " (" list ")" : "" }' \
	"$out/waived-lines" "$out/rtl.info"
echo "coverage: $out/html/index.html (lines), $out/annotated/ (per point), $out/functional.md (functional)"
exit $fail
