#!/usr/bin/env bash
# Set up, then run the whole test suite: fast unit tests and the integration tests that use the
# real tesseract and, when it can be started here, a real PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCINTAKE_EXTRA_DEBS="${DOCINTAKE_EXTRA_DEBS:-} poppler-utils" bash scripts/setup.sh
if [ -z "${DOCINTAKE_TEST_POSTGRES_URL:-}" ]; then
  if url=$(bash scripts/pg-test-server.sh); then
    export DOCINTAKE_TEST_POSTGRES_URL="$url"
  else
    echo "==> no PostgreSQL server could be started; PostgreSQL tests will be skipped" >&2
  fi
fi
echo "==> lint"
.venv/bin/ruff check .
echo "==> tests"
exec .venv/bin/pytest -q "$@"
