#!/usr/bin/env bash
# Sets up a fresh machine and runs every test (the command CI runs through .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TURBO_TELEMETRY_DISABLED=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
pnpm test 2>&1 | tee "$log" || status=$?
node scripts/test-summary.mjs "$log"
exit "$status"
