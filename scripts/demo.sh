#!/usr/bin/env bash
# Sets up a fresh machine, then runs the main job: every bridge at once against its simulator,
# delivering to a local Plexus-compatible gateway whose live page shows the data arrive (its
# address is the first line on stdout). Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
# Set-up and build talk on stderr: stdout is the demo's.
bash scripts/setup.sh >&2
export TURBO_TELEMETRY_DISABLED=1
pnpm --silent build >/dev/null
exec node examples/demo.mjs
