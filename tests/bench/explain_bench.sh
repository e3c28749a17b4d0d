#!/bin/sh
# tests/bench/explain_bench.sh — start-up plus lookup time of `mfpdoctor explain`: an enhanced code
# (5.7.139: SMTP registries + mail services), a vendor code narrowed to one vendor (only that
# profile is parsed) and an un-narrowed vendor code (every vendor profile is parsed).
# Uses hyperfine when installed, else a timed loop. Prints figures; target: a few milliseconds.
# Usage: tests/bench/explain_bench.sh [path/to/mfpdoctor] [runs]
set -eu
BIN=${1:-${MFPDOCTOR_BIN:-build/mfpdoctor}}
RUNS=${2:-200}
[ -x "$BIN" ] || { echo "no executable at $BIN (give its path as the first argument)"; exit 77; }
export NO_COLOR=1
run_case() {
	label=$1; shift
	if command -v hyperfine >/dev/null 2>&1; then
		hyperfine -N --warmup 5 --runs "$RUNS" -i --style basic -n "$label" "$BIN $*" 2>/dev/null | grep -E "Time|Range" | sed "s/^/$label: /"
	else
		start=$(date +%s%N)
		i=0
		while [ $i -lt "$RUNS" ]; do
			"$BIN" "$@" >/dev/null 2>&1 || true
			i=$((i + 1))
		done
		end=$(date +%s%N)
		echo "$label: $(( (end - start) / RUNS / 1000 )) us per run (mean of $RUNS, including start-up)"
	fi
}
run_case "explain 5.7.139" explain 5.7.139
run_case "explain --vendor xerox 017-715" explain --vendor xerox 017-715
run_case "explain 017-715 (all vendors)" explain 017-715
run_case "explain reply line" explain "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
run_case "mfpdoctor --version (start-up only)" --version
