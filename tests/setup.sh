#!/usr/bin/env bash
# Installs what the tests need on a fresh machine: Azurite, @pulumi/gcp and TypeScript (npm, pinned by
# tests/tools/package-lock.json) and Prometheus (Debian). Idempotent.
# The tests start and stop these services themselves; this script only installs them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"

# Reinstall when a pinned package is missing or the lock file changed since the last install.
if [ ! -x "$tools/node_modules/.bin/azurite" ] || [ ! -f "$tools/node_modules/@pulumi/gcp/package.json" ] \
   || [ ! -f "$tools/node_modules/typescript/package.json" ] \
   || ! cmp -s "$root/tests/tools/package-lock.json" "$tools/package-lock.json"; then
  echo "setup: installing Azurite, @pulumi/gcp and TypeScript into $tools"
  mkdir -p "$tools"
  cp "$root/tests/tools/package.json" "$tools/package.json"
  [ -f "$root/tests/tools/package-lock.json" ] && cp "$root/tests/tools/package-lock.json" "$tools/package-lock.json"
  (cd "$tools" && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi)
fi

if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
  echo "setup: installing Prometheus (Debian package)"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
# The Debian package may start a system Prometheus on :9090; the tests use their own on free ports, so it does no harm.

echo "setup: azurite $("$tools/node_modules/.bin/azurite" --version), @pulumi/gcp $(node -p "require('$tools/node_modules/@pulumi/gcp/package.json').version"), typescript $(node -p "require('$tools/node_modules/typescript/package.json').version"), $(prometheus --version 2>&1 | head -n1)"
