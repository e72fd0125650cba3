#!/usr/bin/env bash
# Installs what the tests need on a fresh machine: Azurite, @pulumi/gcp and TypeScript (npm, pinned by
# tests/tools/package-lock.json), Prometheus and Chromium (Debian). Idempotent.
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

# Debian packages: Prometheus (PromQL tests) and Chromium (the pages, driven headless by PuppeteerSharp at
# /usr/bin/chromium; nothing downloads a browser).
packages=()
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
  packages+=(prometheus)
fi
if [ ! -x /usr/bin/chromium ]; then
  packages+=(chromium)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "setup: installing ${packages[*]} (Debian packages)"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
# The Debian package may start a system Prometheus on :9090; the tests use their own on free ports, so it does no harm.

echo "setup: azurite $("$tools/node_modules/.bin/azurite" --version), @pulumi/gcp $(node -p "require('$tools/node_modules/@pulumi/gcp/package.json').version"), typescript $(node -p "require('$tools/node_modules/typescript/package.json').version"), $(prometheus --version 2>&1 | head -n1), $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
