#!/bin/sh
# The image's command: the one FIELDBRIDGE_BRIDGE (the BRIDGE build argument) names, with the
# arguments `docker run` gives. The mapping file comes from FIELDBRIDGE_CONFIG. exec: node
# becomes PID 1 and receives SIGTERM itself, which drains and exits.
set -eu
case "${FIELDBRIDGE_BRIDGE:?the image sets FIELDBRIDGE_BRIDGE}" in
  fieldbridge) exec fieldbridge run "$@" ;;
  gateway-dev) exec fieldbridge-gateway "$@" ;;
  *) exec "bridge-$FIELDBRIDGE_BRIDGE" "$@" ;;
esac
