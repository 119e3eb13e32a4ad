// The generated pages of docs/: what write-docs.ts writes and the drift test compares.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG, type CatalogEntry } from 'fieldbridge';
import { collectMetrics, metricsTable } from './metrics.js';
import { referenceRows, referenceTable, type SchemaNode } from './reference.js';

/** The repository's root folder. */
export const ROOT = new URL('../../', import.meta.url).pathname;

const GENERATED = (from: string) =>
  `<!-- Generated from ${from} by docs/scripts/write-docs.ts: do not edit; run \`pnpm --filter @fieldbridge/docs write\`. -->`;

interface BridgePackage {
  entry: CatalogEntry;
  dir: string;
  manifest: { name: string; version: string; description: string; bin?: Record<string, string> };
  schema: SchemaNode;
}

/** The catalog's bridges whose package has a generated schema.json (a bridge's first phase has none yet). */
export function documentedBridges(): BridgePackage[] {
  return CATALOG.flatMap((entry) => {
    const dir = `packages/bridge-${entry.name}`;
    if (!existsSync(join(ROOT, dir, 'schema.json'))) return [];
    return [
      {
        entry,
        dir,
        manifest: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as BridgePackage['manifest'],
        schema: JSON.parse(readFileSync(join(ROOT, dir, 'schema.json'), 'utf8')) as SchemaNode,
      },
    ];
  });
}

/** docs/bridges/<name>.md: what the bridge is, where its guide is, and its section's every key. */
export function bridgePage(b: BridgePackage): string {
  const { name } = b.entry;
  const section = b.schema.properties![name]!;
  const bins = Object.keys(b.manifest.bin ?? {});
  const sim = bins.find((bin) => bin.endsWith('-sim'));
  return [
    GENERATED(`${b.dir}/schema.json and package.json`),
    `# bridge-${name}`,
    '',
    `${b.entry.summary}.`,
    '',
    '| | |',
    '| --- | --- |',
    `| package | [\`${b.manifest.name}\`](../../${b.dir}/) ${b.manifest.version}: \`npm install ${b.manifest.name}\` |`,
    `| command | \`bridge-${name} --config map.yaml\`, or a \`${name}:\` section in a file \`fieldbridge run\` reads |`,
    ...(sim ? [`| simulator | \`${sim}\` (\`${sim} --help\`) |`] : []),
    `| user's guide | [${b.dir}/README.md](../../${b.dir}/README.md): connections, problems, limits, a worked example |`,
    ...(existsSync(join(ROOT, 'examples', name, 'map.yaml')) ? [`| example | [examples/${name}/map.yaml](../../examples/${name}/map.yaml) |`] : []),
    `| image | \`docker build --build-arg BRIDGE=${name} -t fieldbridge/bridge-${name}:${b.manifest.version} .\` ([deploy.md](../deploy.md)) |`,
    `| metrics | [metrics.md#bridge-${name}](../metrics.md#bridge-${name}) |`,
    `| errors | [troubleshooting.md#bridge-${name}](../troubleshooting.md#bridge-${name}) |`,
    '',
    `Every mapping file also has the common keys (\`source_id\`, \`tags\`, \`sink\`, \`observe\`, \`log\`, \`rules\`): see [mapping.md](../mapping.md).`,
    'Durations take a number in the unit the key names or a string with its own (`250ms`, `30s`, `5m`, `7d`);',
    'sizes a number of bytes or a string (`64KiB`, `256MiB`). Unknown keys are errors.',
    '',
    `## The \`${name}:\` section`,
    '',
    ...(section.description ? [section.description, ''] : []),
    referenceTable(referenceRows(section)),
    '',
  ].join('\n');
}

/** docs/mapping.md: the keys every mapping file has, from a bridge's schema (they are the same in every one). */
export function mappingPage(b: BridgePackage): string {
  const common: SchemaNode = { ...b.schema, properties: Object.fromEntries(Object.entries(b.schema.properties!).filter(([key]) => key !== b.entry.name)), required: b.schema.required?.filter((k) => k !== b.entry.name) };
  return [
    GENERATED(`the common part of ${b.dir}/schema.json (every bridge's schema has the same)`),
    '# Mapping files: the common keys',
    '',
    'A mapping file is YAML: the keys below, and one section per bridge (`modbus:`, `mqtt:`, ...; see',
    '[bridges/](bridges/)). `${VAR}`, `${VAR:-default}` and `${VAR:?message}` are read from the environment;',
    'keep secrets there (`api_key: ${PLEXUS_API_KEY}`). A `${VAR}` whose variable is not set reads as empty, and',
    'every command says where (`file:line:col key: ${VAR} is not set`): use `${VAR:?message}` for one that must be',
    'set. `$$` writes a literal `$`; a `${` that starts none of the three forms (`${VAR` without its brace,',
    '`${my-var}`, a `${B}` inside a default) is refused where it stands rather than sent as written.',
    'A wrong file is refused with `file:line:col key: message`',
    'and exit code 2. Editors validate against each bridge\'s `schema.json` (`fieldbridge schema` prints one for',
    'any mix of bridges).',
    '',
    referenceTable(referenceRows(common)),
    '',
  ].join('\n');
}

/** The generated part of docs/metrics.md, between its markers. */
export async function metricsBlock(): Promise<string> {
  const groups = await collectMetrics();
  const parts = [
    '## The sink (every process)',
    '',
    metricsTable(groups.sink),
    '',
    '## The WebSocket sink (`ws://` and `wss://` URLs only)',
    '',
    metricsTable(groups.websocket),
    '',
    '## Rules (with `rules:` in the mapping)',
    '',
    metricsTable(groups.rules),
    '',
    '## Every bridge (the kit\'s, labelled with the bridge and its channel)',
    '',
    metricsTable(groups.source),
    '',
  ];
  for (const [name, metrics] of Object.entries(groups.bridges)) {
    parts.push(`## bridge-${name}`, '', metrics.length > 0 ? metricsTable(metrics) : 'Only the metrics above.', '');
  }
  return parts.join('\n');
}

export const METRICS_BEGIN = '<!-- BEGIN GENERATED: every metric the registries have (docs/scripts/metrics.ts); `pnpm --filter @fieldbridge/docs write` rewrites it -->';
export const METRICS_END = '<!-- END GENERATED -->';

/** `page` with the text between the metrics markers replaced by `block`. */
export function withMetricsBlock(page: string, block: string): string {
  const begin = page.indexOf(METRICS_BEGIN);
  const end = page.indexOf(METRICS_END);
  if (begin < 0 || end < begin) throw new Error('docs/metrics.md has lost its BEGIN/END GENERATED markers');
  return `${page.slice(0, begin + METRICS_BEGIN.length)}\n\n${block}\n${page.slice(end)}`;
}

/** Every generated file: docs path -> its text (metrics.md with its current hand-written part). */
export async function generatedPages(): Promise<Map<string, string>> {
  const pages = new Map<string, string>();
  const bridges = documentedBridges();
  for (const b of bridges) pages.set(`docs/bridges/${b.entry.name}.md`, bridgePage(b));
  if (bridges[0]) pages.set('docs/mapping.md', mappingPage(bridges[0]));
  pages.set('docs/metrics.md', withMetricsBlock(readFileSync(join(ROOT, 'docs/metrics.md'), 'utf8'), await metricsBlock()));
  return pages;
}
