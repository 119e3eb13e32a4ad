# syntax=docker/dockerfile:1
# One image per command, chosen with the BRIDGE build argument (docs/deploy.md):
#   docker build --build-arg BRIDGE=modbus -t fieldbridge/bridge-modbus:0.1.0 .
# BRIDGE is modbus, mqtt, opcua, can, mavlink or ble (the bridge-<name> command and its
# simulator), fieldbridge (every bridge, `fieldbridge run`) or gateway-dev (the development
# ingest service). The build stage packs every package as it is published; the image installs the
# chosen command's tarballs with npm, production dependencies only, as a user would install them.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# node-gyp's toolchain: native modules (better-sqlite3, serialport, socketcan, noble's HCI socket)
# are compiled here, on the runtime's base image, so they link against the libc they run on.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local TURBO_TELEMETRY_DISABLED=1
# npm 11 reads the allowScripts of deploy/image/package.json (node 20 ships npm 10, which does not).
RUN npm install -g pnpm@12.21.0 npm@11.19.1
WORKDIR /src
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
# Compiling TypeScript needs no native module: their builds wait for the npm install below.
RUN pnpm install --frozen-lockfile --offline --ignore-scripts && pnpm build
RUN pnpm -r --filter "./packages/*" pack --pack-destination /packs
ARG BRIDGE=modbus
RUN mkdir /app && cp deploy/image/package.json /app/ && sh deploy/image/install.sh "$BRIDGE" /packs /app

FROM ${NODE_IMAGE}
ARG BRIDGE=modbus
# The mapping file is mounted read-only at /etc/fieldbridge/map.yaml; the spool, the dead-letter
# file and the WebSocket identity live on the volume at /var/lib/fieldbridge (the working folder).
# --max-semi-space-size=4 keeps a disk-spooling sink's peak RSS in a long outage about 16 MB
# lower, for more CPU only at very high write rates (bench/results/outage-hour.md).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=4 \
    PATH=/app/node_modules/.bin:$PATH \
    FIELDBRIDGE_BRIDGE=${BRIDGE} \
    FIELDBRIDGE_CONFIG=/etc/fieldbridge/map.yaml \
    FIELDBRIDGE_OBSERVE_PORT=9464
RUN mkdir -p /etc/fieldbridge /var/lib/fieldbridge && chown 1000:1000 /var/lib/fieldbridge
COPY --from=build /app /app
COPY deploy/image/entrypoint.sh deploy/image/healthcheck.mjs /app/
# The node image's unprivileged user, by number so that Kubernetes can check runAsNonRoot.
USER 1000:1000
WORKDIR /var/lib/fieldbridge
VOLUME ["/var/lib/fieldbridge"]
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --start-interval=2s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
# SIGTERM drains: intake stops, the open batch is sealed into the spool and delivery goes on for at
# most sink.shutdown_timeout_ms (default 8 s), inside `docker stop`'s default 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/entrypoint.sh"]
