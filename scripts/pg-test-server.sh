#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests (port 54329, data under /tmp) and print
# its SQLAlchemy URL. Installs Debian's postgresql if needed. Exits non-zero if impossible.
# `pg-test-server.sh stop` stops the server this script started.
set -euo pipefail
port="${DOCINTAKE_TEST_PG_PORT:-54329}"
data=/tmp/docintake-pg-test
url="postgresql+psycopg://docintake@127.0.0.1:${port}/docintake_test"
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "${1:-}" = "stop" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  [ -n "$bindir" ] && [ -f "$data/postmaster.pid" ] && run_pg "$bindir/pg_ctl" -D "$data" -m fast stop
  exit 0
fi
if command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null; then
  echo "$url"; exit 0
fi
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null
  then sudo "$@"; else return 1; fi
}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$bindir" ]; then
  as_root apt-get update -qq >&2 || exit 1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || exit 1
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql postgres
fi
if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"; [ "$(id -u)" -eq 0 ] && chown postgres "$data"
  run_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust >/dev/null
fi
run_pg "$bindir/pg_ctl" -D "$data" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" \
  -l "$data/server.log" -w start >/dev/null
"$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -qtc \
  "SELECT 1 FROM pg_roles WHERE rolname='docintake'" | grep -q 1 ||
  "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE ROLE docintake LOGIN SUPERUSER" >&2
"$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -qtc \
  "SELECT 1 FROM pg_database WHERE datname='docintake_test'" | grep -q 1 ||
  "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE docintake_test OWNER docintake" >&2
echo "$url"
