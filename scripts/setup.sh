#!/usr/bin/env bash
# Installs what fieldbridge needs on a fresh Debian machine: the protocol peers the tests and the
# demo run against (the Debian packages listed in scripts/peers.mjs, with their recommended
# packages), pnpm, and the workspace's dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 npm_config_nodedir=/usr

mapfile -t apt_packages < <(node scripts/peers.mjs packages)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "12.21.0" ]; then
  echo "setup: installing pnpm 12.21.0" >&2
  npm install -g pnpm@12.21.0 >/dev/null
fi

pnpm install --frozen-lockfile </dev/null
