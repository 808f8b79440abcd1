#!/usr/bin/env bash
# Installs the system tools the publish tests use: raptor's `rapper` (Debian raptor2-utils),
# the third independent RDF parser every dump must pass. Idempotent: does nothing when present.
set -euo pipefail

if command -v rapper >/dev/null 2>&1; then
    echo "rapper already installed: $(rapper --version)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq raptor2-utils
echo "rapper installed: $(rapper --version)"
