#!/usr/bin/env bash
# Installs what the serve tests need beyond pyproject's dev extras:
#   - Debian's chromium (+ chromium-driver) for the headless browser test (tests/test_browser.py);
#   - the Python packages of the server and its tests into the project venv
#     (starlette, uvicorn, httpx, playwright; Playwright drives the system chromium, so
#     `playwright install` is never run and no browser is downloaded from outside Debian).
# Idempotent: installs only what is missing. VENV overrides the venv (default .venv).
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "chromium: $(chromium --version 2>/dev/null || echo missing)"

if [ -x "$PY" ]; then
    if ! "$PY" -c "import starlette, uvicorn, httpx, playwright" >/dev/null 2>&1; then
        "$PY" -m pip install --quiet "starlette>=0.37" "uvicorn>=0.30" "httpx>=0.27" "playwright>=1.44"
    fi
    echo "python test packages: present in $VENV"
else
    echo "no venv at $VENV: run 'make install' first, then this script again" >&2
    exit 1
fi
