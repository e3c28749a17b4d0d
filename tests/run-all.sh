#!/usr/bin/env bash
# tests/run-all.sh — the one command that runs every test on a fresh Debian 12 machine:
# installs what is missing, builds, and runs the whole suite (unit, data checks, integration
# against the simulated world). With --sanitize it builds and runs under AddressSanitizer and
# UndefinedBehaviorSanitizer in build-asan/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=build
extra=()
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan
  extra=(-DMFPDOCTOR_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
  export LSAN_OPTIONS=suppressions=$here/tests/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
"$here/tests/setup.sh" "$build" "${extra[@]}"
cd "$here/$build"
ctest --output-on-failure -j2 --timeout 900
