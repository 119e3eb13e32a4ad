#!/usr/bin/env bash
# Sets up a fresh machine and runs every test (the command CI runs through .ci/run): first a
# check that every external peer starts (naming the package to install when one does not), then
# every package's tests, all of them even when one package fails, and one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TURBO_TELEMETRY_DISABLED=1
node scripts/peers.mjs check
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
pnpm test 2>&1 | tee "$log" || status=$?
node scripts/test-summary.mjs "$log"
exit "$status"
