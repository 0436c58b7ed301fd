#!/usr/bin/env bash
# Installs everything the project needs, from the project's own files: a virtualenv with the package and the dev
# dependency group, and the pinned Node tools from package-lock.json. Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # Dependency groups (PEP 735) need pip 25.1 or newer: the upgrade above brings it.
  .venv/bin/python -m pip install --quiet --group dev -e .
  touch "$stamp"
fi
# Headless Chromium renders the HTML reference in the tests (Debian's package; the machine's user is root).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium is missing; install Debian's chromium package for the HTML reference test" >&2
  fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi
