#!/usr/bin/env bash
# Installs what fieldbridge needs on a fresh Debian machine: the protocol peers the tests run
# against (apt), pnpm, and the workspace's dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 npm_config_nodedir=/usr

apt_packages=(mosquitto socat python3-pymodbus openssl)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "12.21.0" ]; then
  echo "setup: installing pnpm 12.21.0" >&2
  npm install -g pnpm@12.21.0 >/dev/null
fi

pnpm install --frozen-lockfile </dev/null
