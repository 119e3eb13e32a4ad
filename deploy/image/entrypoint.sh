#!/bin/sh
# The image's command: the one FIELDBRIDGE_BRIDGE (the BRIDGE build argument) names, with the
# arguments `docker run` gives. The mapping file comes from FIELDBRIDGE_CONFIG. exec: node
# becomes PID 1 and receives SIGTERM itself, which drains and exits.
set -eu
# The fieldbridge image runs `fieldbridge run` unless the arguments name another of its commands;
# `--check` is `fieldbridge check`, as the single-bridge images take it.
case "${FIELDBRIDGE_BRIDGE:?the image sets FIELDBRIDGE_BRIDGE}" in
  fieldbridge)
    case "${1:-}" in
      run | check | schema | init | bridges | resend | help | --help | -h | --version | -V) exec fieldbridge "$@" ;;
      --check) shift; exec fieldbridge check "$@" ;;
      *) exec fieldbridge run "$@" ;;
    esac ;;
  gateway-dev) exec fieldbridge-gateway "$@" ;;
  *) exec "bridge-$FIELDBRIDGE_BRIDGE" "$@" ;;
esac
