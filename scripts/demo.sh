#!/usr/bin/env bash
# The main job: regenerate the client from the spec, then run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m generator
.venv/bin/python scripts/demo.py
