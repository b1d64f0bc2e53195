#!/usr/bin/env bash
# Prepare this machine for docintake: Debian packages, a virtualenv in .venv, the project.
# Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: need root (or sudo) to install Debian packages: $*" >&2; exit 1; fi
}

need_pkgs=()
command -v tesseract >/dev/null || need_pkgs+=(tesseract-ocr)
[ -n "$(ls /usr/share/tesseract-ocr/*/tessdata/eng.traineddata 2>/dev/null)" ] || need_pkgs+=(tesseract-ocr-eng)
# Chinese customs declarations: tesseract's simplified Chinese data, and a CJK font the trade
# document generator renders Chinese forms with.
[ -n "$(ls /usr/share/tesseract-ocr/*/tessdata/chi_sim.traineddata 2>/dev/null)" ] || need_pkgs+=(tesseract-ocr-chi-sim)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_pkgs+=(fonts-wqy-microhei)
python3 -c "import venv, ensurepip" 2>/dev/null || need_pkgs+=(python3-venv)
for extra in ${DOCINTAKE_EXTRA_DEBS:-}; do need_pkgs+=("$extra"); done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${need_pkgs[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating virtualenv .venv"
  python3 -m venv .venv
fi
echo "==> installing Python packages (locked versions from requirements.lock)"
.venv/bin/pip install -q --disable-pip-version-check -r requirements.lock
.venv/bin/pip install -q --disable-pip-version-check --no-deps -e .
echo "==> ready: $(.venv/bin/docintake --version), $(tesseract --version 2>&1 | head -n1)"
