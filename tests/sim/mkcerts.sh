#!/bin/sh
# mkcerts.sh DIR -- generate the sim test PKI in DIR (ca, server, expired,
# wrongname, selfsigned; see mkcerts.py for details).  Idempotent and fast.
# Uses Debian's /usr/bin/python3 with python3-cryptography explicitly (the
# python3 first on PATH may be another interpreter without Debian packages).
set -eu
if [ $# -ne 1 ]; then echo "usage: $0 DIR" >&2; exit 2; fi
exec /usr/bin/python3 "$(dirname "$0")/mkcerts.py" "$1"
