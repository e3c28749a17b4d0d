#!/usr/bin/env bash
# tests/demo.sh — the main job against the bundled simulated world, on a fresh Debian 12 machine:
# installs what is missing, builds, starts the simulated mail service, runs mfpdoctor and shows
# the report. Extra arguments go to mfpdoctor (e.g. --format md, --verbose).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/tests/setup.sh" --demo build >&2
exec /usr/bin/python3 "$here/tests/sim/demo.py" "$here/build/mfpdoctor" "$@"
