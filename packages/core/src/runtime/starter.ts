import type { BridgeDefinition } from './define-bridge.js';

/** Where a starter file puts what must differ between files run side by side. */
export interface StarterOptions {
  /** The default port of `observe.listen` (on 127.0.0.1). Default 9464. */
  observePort?: number;
  /** The `source_id`, which names the spool folder too (`./<id>-spool`). Default the bridges' names and 1 (`modbus-1`, `modbus-mqtt-1`). */
  sourceId?: string;
}

/**
 * A commented starter mapping file for `definitions` (what `fieldbridge init` writes): the
 * common keys, set up for a local gateway and a durable spool, then each bridge's own starter
 * section. It passes `--check` as written; every value a user must change says so. The
 * `source_id` and the spool's folder are named after the bridges (or `sourceId`), so starters
 * run side by side given different `observePort`s (and `sourceId`s for one bridge's files).
 */
export function starterMapping(definitions: readonly BridgeDefinition[], options: StarterOptions = {}): string {
  const names = definitions.map((d) => d.name);
  const id = options.sourceId ?? `${names.join('-')}-1`;
  const observe = `127.0.0.1:${options.observePort ?? 9464}`;
  const missing = definitions.filter((d) => !d.starter).map((d) => d.name);
  if (missing.length > 0) throw new Error(`no starter section for ${missing.join(', ')}`);
  const sections = definitions.map((d) => d.starter!().trimEnd());
  return [
    `# A fieldbridge mapping file (${names.join(', ')}).`,
    '#   fieldbridge check this.yaml    validates it and says what would be read',
    '#   fieldbridge run this.yaml      reads and delivers until Ctrl-C',
    `#   fieldbridge schema ${names.length === 1 ? names[0] : ''}${names.length === 1 ? ' ' : ''}> schema.json   the JSON Schema, for an editor`,
    '# ${VAR} reads the environment, ${VAR:-default} with a default.',
    '',
    `source_id: ${id}                  # this source's id at the ingest service: ^[a-z0-9][a-z0-9._-]*$`,
    'sink:',
    '  url: ${FIELDBRIDGE_SINK_URL:-http://127.0.0.1:8080/ingest}   # or wss://.../ws/device, or stdout',
    '  api_key: ${PLEXUS_API_KEY:-}                # keep the key in the environment, not in this file',
    '  # To try it here: `npx fieldbridge-gateway --api-key dev-key` listens at that url (a live page at',
    '  # http://127.0.0.1:8080/), and `PLEXUS_API_KEY=dev-key fieldbridge run this.yaml` sends to it.',
    '  buffer:',
    `    path: ./${id}-spool                 # durable: what the service has not acknowledged survives restarts`,
    '    max_bytes: 256MiB',
    'observe:',
    `  listen: \${OBSERVE_LISTEN:-${observe}}   # /healthz /readyz /metrics`,
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
}
