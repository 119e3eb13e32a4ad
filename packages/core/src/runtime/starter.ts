import type { BridgeDefinition } from './define-bridge.js';

/**
 * A commented starter mapping file for `definitions` (what `fieldbridge init` writes): the
 * common keys, set up for a local gateway and a durable spool, then each bridge's own starter
 * section. It passes `--check` as written; every value a user must change says so.
 */
export function starterMapping(definitions: readonly BridgeDefinition[]): string {
  const names = definitions.map((d) => d.name);
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
    `source_id: ${names.join('-')}-1                  # this source's id at the ingest service: ^[a-z0-9][a-z0-9._-]*$`,
    'sink:',
    '  url: ${FIELDBRIDGE_SINK_URL:-http://127.0.0.1:8080/ingest}   # or wss://.../ws/device, or stdout',
    '  api_key: ${PLEXUS_API_KEY:-}                # keep the key in the environment, not in this file',
    '  buffer:',
    '    path: ./fieldbridge-spool                 # durable: what the service has not acknowledged survives restarts',
    '    max_bytes: 256MiB',
    'observe:',
    '  listen: ${OBSERVE_LISTEN:-127.0.0.1:9464}   # /healthz /readyz /metrics',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
}
