#!/bin/sh
# install.sh BRIDGE PACKS APP: installs the command BRIDGE names into APP (which holds this
# folder's package.json) from the tarballs `pnpm pack` wrote to PACKS, as a user installs it from
# the registry: npm, production dependencies only, native modules built from source or their
# prebuilt binaries. The Dockerfile's build stage and deploy/test run it.
set -eu
bridge=$1 packs=$2 app=$3
case "$bridge" in
  modbus | mqtt | opcua | can | mavlink | ble) set -- "$packs"/fieldbridge-bridge-"$bridge"-[0-9]*.tgz ;;
  fieldbridge) set -- "$packs"/fieldbridge-bridge-*.tgz "$packs"/fieldbridge-[0-9]*.tgz ;;
  gateway-dev) set -- "$packs"/fieldbridge-gateway-dev-[0-9]*.tgz ;;
  *)
    echo "install.sh: BRIDGE must be modbus, mqtt, opcua, can, mavlink, ble, fieldbridge or gateway-dev, not '$bridge'" >&2
    exit 2
    ;;
esac
cd "$app"
# Strict: an install script that package.json's allowScripts does not name fails the install, so
# the list there (and in docs/deploy.md) stays the complete list of native builds.
npm install --omit=dev --omit=peer --no-audit --no-fund --strict-allow-scripts \
  "$packs"/fieldbridge-core-[0-9]*.tgz "$@"
