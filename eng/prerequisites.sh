#!/usr/bin/env bash
# Makes sure this machine has what AspireJobs runs on: the .NET 10 SDK, clang (the worker is
# compiled natively), PostgreSQL's server programs and redis-server, and for the tests chromium. Installs what is missing with apt-get when run as root; otherwise
# says what to install. Prints nothing when all is there.
#   --run: for running only. Where a container runtime answers, the AppHost runs PostgreSQL and
#          Redis as containers, so their programs are not needed. (The tests always need them.)
set -euo pipefail

missing=0
apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing: $1 — install it (for example: sudo apt-get install -y $2), then run this again." >&2
    missing=1
    return
  fi
  echo "installing $2 ..." >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1; then
    # A fresh machine may have no package lists yet.
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "missing: the .NET 10 SDK — see https://dot.net/download" >&2
  missing=1
fi

# Native AOT links the worker with the platform's C toolchain: clang, and zlib.
if ! command -v clang >/dev/null 2>&1; then
  apt_install "clang (links the natively compiled worker)" clang
fi

if [ ! -e /usr/include/zlib.h ]; then
  apt_install "zlib's development files (links the natively compiled worker)" zlib1g-dev
fi

containers_answer() {
  { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; } ||
    { command -v podman >/dev/null 2>&1 && podman info >/dev/null 2>&1; }
}

if [ "${1:-}" = "--run" ] && containers_answer; then
  exit "$missing"
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && ! command -v postgres >/dev/null 2>&1 \
   && [ -z "${ASPIREJOBS_POSTGRES_BIN:-}" ]; then
  apt_install "PostgreSQL server programs (initdb, postgres)" postgresql
fi

if ! command -v redis-server >/dev/null 2>&1; then
  apt_install "redis-server" redis-server
fi

# The dashboard's browser tests drive Debian's chromium.
if [ "${1:-}" != "--run" ] && ! command -v chromium >/dev/null 2>&1; then
  apt_install "chromium (for the dashboard's browser tests)" chromium
fi

exit "$missing"
