# Sourced by tools/run-tests.sh and tools/coverage.sh.
# cosim_runs: COSIM_RUNS (from the Makefile: "BUILD[:LABEL]|ARGS;...") as
# lines "NAME|ARGS", NAME without leading blanks; BUILD is ${NAME%%:*}.
cosim_runs() {
	local r name runs
	IFS=';' read -r -a runs <<<"${COSIM_RUNS:-}"
	for r in "${runs[@]}"; do
		name=${r%%|*}
		name=${name#"${name%%[![:space:]]*}"}
		printf '%s|%s\n' "$name" "${r#*|}"
	done
}
