#!/usr/bin/env bash
# Install into .venv, generate and load a demo world, serve GraphiQL on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e .
exec .venv/bin/credit-hub demo "$@"
