#!/usr/bin/env bash
# Installs the SDKs for the end-to-end test into DIR (once per package-lock.json).
# Exit 77 (ctest: skipped) when Node.js or npm is not available.
set -euo pipefail
dir="$1"
command -v node >/dev/null && command -v npm >/dev/null || { echo "node/npm not found" >&2; exit 77; }
if cmp -s "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json" 2>/dev/null; then
  exit 0
fi
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
cp "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json"
