#!/usr/bin/env bash
# Set up, then run the whole test suite: lint and type checks, fast unit tests, and the
# integration tests that use the real tesseract and a real PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
# The end-to-end tests drive Debian's chromium (Playwright never downloads a browser here).
DOCINTAKE_EXTRA_DEBS="${DOCINTAKE_EXTRA_DEBS:-} $(command -v chromium >/dev/null || echo chromium)" \
  bash scripts/setup.sh
export DOCINTAKE_CHROMIUM="${DOCINTAKE_CHROMIUM:-$(command -v chromium || true)}"

started_pg=""
if [ -z "${DOCINTAKE_TEST_POSTGRES_URL:-}" ]; then
  if url=$(bash scripts/pg-test-server.sh); then
    export DOCINTAKE_TEST_POSTGRES_URL="$url"
    started_pg=yes
  elif [ "${CI:-}" = "true" ]; then
    echo "error: CI must test against PostgreSQL, and no server could be started" >&2
    exit 1
  else
    echo "==> no PostgreSQL server could be started; PostgreSQL tests will be skipped" >&2
  fi
fi
stop_pg() { [ -n "$started_pg" ] && bash scripts/pg-test-server.sh stop >/dev/null 2>&1 || true; }
trap stop_pg EXIT

echo "==> lint and types"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
echo "==> tests"
.venv/bin/pytest -q "$@"
