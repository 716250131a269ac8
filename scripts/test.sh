#!/usr/bin/env bash
# Install everything from the registries (PyPI, npm) and run lint, types and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${HUB_SHARED_DIR:-../shared}"
if [ ! -d "$shared/vectors" ]; then
  echo "scripts/test.sh: $shared/vectors not found: the audit tests check the log against" \
    "those test vectors. Clone the repository beside ../shared (as CI does) or set" \
    "HUB_SHARED_DIR to its path." >&2
  exit 1
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[dev]'
if [ -f conformance/install.sh ]; then bash conformance/install.sh; fi
.venv/bin/ruff check hub connectors audit tests bench
.venv/bin/ruff format --check hub connectors audit tests bench
.venv/bin/mypy
exec .venv/bin/pytest -q "$@"
