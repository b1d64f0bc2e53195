#!/usr/bin/env bash
# Set up, then run the sample documents through the watched folder on the embedded defaults
# (SQLite + a local folder tree in ./docintake-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DOCINTAKE_HOME="${DOCINTAKE_HOME:-./docintake-demo}"
if [ -e "$DOCINTAKE_HOME" ] && [ "${DOCINTAKE_DEMO_KEEP:-0}" != 1 ]; then
  echo "==> starting from a clean demo folder ($DOCINTAKE_HOME)"
  rm -rf "$DOCINTAKE_HOME"
fi
exec .venv/bin/docintake demo --samples samples
