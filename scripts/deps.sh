#!/bin/bash
# scripts/deps.sh — install the Debian 12 packages kylecode needs, only the
# missing ones. Idempotent: when everything is installed it does nothing
# (not even `apt-get update`). Needs root (or sudo) only when something is
# missing.
#   scripts/deps.sh [--check]    --check: list what is missing, exit 1 if any
set -euo pipefail

REQUIRED="build-essential cmake pkg-config clang libcurl4-openssl-dev libcjson-dev
libyaml-dev libseccomp-dev libcap-dev libnng-dev libcriterion-dev libmicrohttpd-dev
bubblewrap python3-jinja2 python3-yaml valgrind git"
# Sandbox drivers beyond the default jail: installed when the archive has
# them, a warning otherwise (kylecode doctor reports what works).
OPTIONAL="runsc docker.io"

check=0
case "${1:-}" in
--check) check=1 ;;
-h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
"") ;;
*) echo "usage: scripts/deps.sh [--check]" >&2; exit 2 ;;
esac

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=""
for p in $REQUIRED; do installed "$p" || missing="$missing $p"; done
optmissing=""
for p in $OPTIONAL; do installed "$p" || optmissing="$optmissing $p"; done

if [ $check = 1 ]; then
	[ -n "$missing$optmissing" ] && echo "missing:$missing${optmissing:+ (optional:$optmissing)}"
	[ -z "$missing" ]
	exit
fi
if [ -z "$missing$optmissing" ]; then
	echo "deps: all packages installed"
	exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root to install:$missing$optmissing" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
echo "deps: installing:$missing$optmissing"
$SUDO apt-get update -qq
if [ -n "$missing" ]; then
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi
for p in $optmissing; do
	$SUDO apt-get install -y -qq --no-install-recommends "$p" ||
		echo "deps: warning: optional package $p is not installable here (driver unavailable)" >&2
done
