#!/usr/bin/env bash
# Installs the system programs the test suite uses, from Debian's packages only:
#   chromium + chromium-driver  headless browser test of the pages (Playwright drives this chromium;
#                               `playwright install` is never run)
#   raptor2-utils               `rapper`, the third independent parser every dump must pass
# Python packages (including the Oxigraph server used by the remote-query tests) come from
# pyproject.toml via `make install`. Idempotent: installs only what is missing.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v rapper >/dev/null 2>&1 || missing+=(raptor2-utils)
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "chromium: $(chromium --version 2>/dev/null || echo missing)"
echo "rapper: $(rapper --version 2>/dev/null || echo missing)"
