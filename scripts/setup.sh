#!/usr/bin/env bash
# Installs everything the project needs, from the project's own files: a virtualenv with the package and the dev
# dependency group, a second one (.venv-legacy) with the legacy openai 0.28 package, and the pinned Node tools from
# package-lock.json. Safe to run again; it only adds what is missing.
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
# The legacy official package (openai 0.28) cannot share .venv with the current one: it has its own environment,
# from the pins in tests/api_server/openai-legacy-requirements.txt, for the server's test of that generation.
legacy_pins=tests/api_server/openai-legacy-requirements.txt
if [ ! -x .venv-legacy/bin/python ]; then
  python3 -m venv .venv-legacy
fi
legacy_stamp=.venv-legacy/.installed
if [ ! -f "$legacy_stamp" ] || [ "$legacy_pins" -nt "$legacy_stamp" ]; then
  .venv-legacy/bin/python -m pip install --quiet --disable-pip-version-check -r "$legacy_pins"
  touch "$legacy_stamp"
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
