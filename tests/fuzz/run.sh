#!/usr/bin/env bash
# tests/fuzz/run.sh — builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and
# runs each for SECONDS (default 30) from its seed corpus. A crash keeps its input in
# build-fuzz/crashes/ and fails the run. Usage: tests/fuzz/run.sh [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-30}
command -v clang >/dev/null || { echo "fuzz: clang not installed"; exit 1; }
CC=clang cmake -S "$here" -B "$here/build-fuzz" -DMFPDOCTOR_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build-fuzz" -j"$(nproc)" >/dev/null
mkdir -p "$here/build-fuzz/crashes"
passed=0; failed=0
export ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$here/tests/lsan.supp:print_suppressions=0
for t in fuzz_smtp fuzz_explain fuzz_web fuzz_caps; do
  work=$(mktemp -d)
  cp "$here/tests/fuzz/corpus/$t/"* "$work/"
  if "$here/build-fuzz/tests/fuzz/$t" -max_total_time="$secs" -max_len=8192 -timeout=10 \
       -artifact_prefix="$here/build-fuzz/crashes/$t-" "$work" >"$here/build-fuzz/$t.log" 2>&1; then
    echo "ok   $t ($(grep -E "^#[0-9]+.*DONE" "$here/build-fuzz/$t.log" | tail -1 | cut -c1-60))"
    passed=$((passed + 1))
  else
    echo "FAIL $t: see build-fuzz/$t.log"; tail -30 "$here/build-fuzz/$t.log"
    failed=$((failed + 1))
  fi
  rm -rf "$work"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
