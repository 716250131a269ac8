#!/usr/bin/env bash
# Install the conformance tools (graphql-http, the two federation composers, Hive Gateway,
# the partner subgraph's libraries) into conformance/node_modules, exactly as pinned by
# package-lock.json. Needs node >= 20 and npm; reaches only the npm registry.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "install.sh: $tool is not installed" >&2; exit 1; }
done
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "install.sh: node >= 20 is needed (found $(node --version))" >&2
  exit 1
fi

# --ignore-scripts: none of these packages needs an install script to work.
timeout 600 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
echo "conformance tools installed in $(pwd)/node_modules"
