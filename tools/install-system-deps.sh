#!/usr/bin/env bash
# Installs the system programs the test suite uses, from Debian's packages only:
#   chromium + chromium-driver  headless browser test of the pages (Playwright drives this chromium;
#                               `playwright install` is never run)
#   raptor2-utils               `rapper`, the third independent parser every dump must pass
#   virtuoso-opensource-7-bin   Virtuoso Open Source (`virtuoso-t`, `isql-vt`): the engine the push
#                               tests write to, started by tools/virtuoso.sh on loopback over a
#                               temporary database folder. The binaries only, not the
#                               virtuoso-opensource metapackage, whose service would start at install
#                               and listen on 0.0.0.0:8890 and :1111 with a system-wide database.
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
command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource-7-bin)
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "chromium: $(chromium --version 2>/dev/null || echo missing)"
echo "rapper: $(rapper --version 2>/dev/null || echo missing)"
echo "virtuoso: $( (virtuoso-t -? 2>&1 || true) | sed -n 's/^Version //p')"
