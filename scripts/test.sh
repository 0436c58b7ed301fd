#!/usr/bin/env bash
# Runs every check and every test, after installing what they need (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

bash scripts/setup.sh
py=.venv/bin/python

echo "== generated/ matches the spec"
$py -m generator --check
echo "== no unacknowledged breaking API change since the last release (CHANGELOG.md)"
$py -m generator --release-check
echo "== ruff"
$py -m ruff check .
$py -m ruff format --check .
echo "== mypy --strict"
$py -m mypy overrides cli server generator tests bench scripts
# The library imports the generated checks, and mypy then reports nothing about them: they are named here.
$py -m mypy -p openai_api_client.checks
echo "== pytest"
set +e
$py -m pytest "$@"
rc=$?
set -e
# pytest exits 5 when it collected no test: that is a broken run, not a pass.
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
