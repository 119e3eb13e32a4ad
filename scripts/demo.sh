#!/usr/bin/env bash
# Sets up a fresh machine, then runs the main job: bridge-modbus reading a simulated PLC and
# delivering to a local Plexus-compatible gateway. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TURBO_TELEMETRY_DISABLED=1
pnpm --silent build >/dev/null
exec node examples/demo.mjs
