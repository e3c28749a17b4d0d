#!/usr/bin/env bash
# tests/setup.sh — everything a fresh Debian 12 machine needs to build and test mfpdoctor:
# installs the Debian packages (only the missing ones), then configures and builds.
# Usage: tests/setup.sh [--demo] [BUILD_DIR [extra cmake args...]]   (default BUILD_DIR: build)
#   --demo: only what the demo needs (no test tools: swaks, Postfix, Chromium, clang...)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
demo=0
if [ "${1:-}" = "--demo" ]; then demo=1; shift; fi
build=${1:-build}
shift || true

# to build, and to run the simulated world (SNMP agent, web server, SMTP personas, certificates)
packages=(build-essential cmake pkg-config libcurl4-openssl-dev libssl-dev libsnmp-dev libjansson-dev
          libxml2-dev libcmocka-dev openssl python3 python3-cryptography snmp snmpsim libcsv-dev)
if [ "$demo" -eq 0 ]; then
  # to run every test: reference clients, a real MTA, the browser for the HTML check, fuzzing
  packages+=(python3-aiosmtpd swaks msmtp libnet-ssleay-perl postfix sasl2-bin libsasl2-modules iproute2 hyperfine time
             chromium clang curl poppler-utils nagios4-core icinga2-bin)
  # the man page, the shell completions and the .deb (test_manpage, test_completion, test_install_*)
  packages+=(man-db groff-base bash-completion zsh dpkg-dev file lintian)
fi
if [ "$demo" -eq 0 ] && [ -f "$here/tests/sim/PACKAGES" ]; then
  while read -r p; do
    p=${p%%#*}; p=${p//[[:space:]]/}
    [ -n "$p" ] && packages+=("$p")
  done < "$here/tests/sim/PACKAGES"
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  # Postfix is only run as private test instances: no system mail configuration.
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
cmake -S "$here" -B "$here/$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$here/$build" -j"$(nproc)" >/dev/null
echo "setup: built $here/$build/mfpdoctor"
