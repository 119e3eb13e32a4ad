// Every metric the observe server can show, read from the registries themselves: a bare sink's
// (HTTP, and WebSocket), and each installed bridge's, created from its starter section the way
// the command creates it (the bridge's create() registers its metrics; nothing connects).
import { compileExpression, createLogger, createRule, createRuleSet, createSink, parseMapping, startBridge, starterMapping, type BridgeDefinition, type FileConfig } from '@fieldbridge/core';
import { availableBridges } from 'fieldbridge';
import { Registry } from 'prom-client';

/** One metric as the registry has it. */
export interface MetricInfo {
  name: string;
  type: string;
  help: string;
  labels: string[];
}

/** The metrics, grouped by who registers them. */
export interface MetricGroups {
  /** Every sink: points, batches, spool, clock. */
  sink: MetricInfo[];
  /** Only with a ws:// or wss:// sink. */
  websocket: MetricInfo[];
  /** Only with `rules:` in the mapping. */
  rules: MetricInfo[];
  /** Every bridge, from the kit (`ctx.metrics`), labelled `bridge` and `channel`. */
  source: MetricInfo[];
  /** Each bridge's own, by bridge name. */
  bridges: Record<string, MetricInfo[]>;
}

const silent = () => createLogger({ level: 'silent' });

function infos(registry: Registry): MetricInfo[] {
  return registry
    .getMetricsAsArray()
    .map((m) => {
      const metric = m as unknown as { name: string; help: string; labelNames?: string[]; constructor: { name: string } };
      return { name: metric.name, type: metric.constructor.name.toLowerCase(), help: metric.help, labels: [...(metric.labelNames ?? [])] };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function sinkMetrics(url: string): Promise<MetricInfo[]> {
  const registry = new Registry();
  const sink = createSink({ url, sourceId: 'docs', registry, logger: silent(), shutdownTimeoutMs: 0 });
  const out = infos(registry);
  await sink.close();
  return out;
}

async function ruleMetrics(): Promise<MetricInfo[]> {
  const registry = new Registry();
  const sink = createSink({ url: 'http://127.0.0.1:9/ingest', sourceId: 'docs', logger: silent(), shutdownTimeoutMs: 0 });
  const condition = compileExpression('line1.rpm > 5000');
  const rules = createRuleSet({ rules: [createRule({ name: 'rpm_high', metrics: condition.metrics, condition: 'line1.rpm > 5000' }, condition.evaluate)], sink, sourceId: 'docs', registry });
  const out = infos(registry);
  rules.stop();
  await sink.close();
  return out;
}

async function bridgeMetrics(definition: BridgeDefinition): Promise<MetricInfo[]> {
  const text = starterMapping([definition]);
  const config = parseMapping(text, `${definition.name} starter`, definition, { FIELDBRIDGE_SINK_URL: 'http://127.0.0.1:9/ingest' }) as FileConfig;
  // A memory spool and no observe server: nothing is written or opened.
  const sink = { ...config.sink, buffer: undefined, shutdown_timeout_ms: 0 };
  const registry = new Registry();
  const running = await startBridge(definition, { ...config, sink, observe: undefined } as FileConfig, { registry, deferStart: true, logger: silent() });
  const out = infos(registry);
  await running.stop();
  return out;
}

/** Reads every registry and groups what it finds. */
export async function collectMetrics(): Promise<MetricGroups> {
  const http = await sinkMetrics('http://127.0.0.1:9/ingest');
  const ws = await sinkMetrics('ws://127.0.0.1:9/ws/device');
  const sinkNames = new Set(http.map((m) => m.name));
  const perBridge: Record<string, MetricInfo[]> = {};
  for (const available of await availableBridges()) {
    if (available.definition) perBridge[available.entry.name] = await bridgeMetrics(available.definition);
  }
  const lists = Object.values(perBridge);
  const inEvery = (name: string) => lists.every((list) => list.some((m) => m.name === name));
  const source = (lists[0] ?? []).filter((m) => inEvery(m.name) && !sinkNames.has(m.name));
  const common = new Set([...sinkNames, ...source.map((m) => m.name)]);
  return {
    sink: http,
    websocket: ws.filter((m) => !sinkNames.has(m.name)),
    rules: await ruleMetrics(),
    source,
    bridges: Object.fromEntries(Object.entries(perBridge).map(([name, list]) => [name, list.filter((m) => !common.has(m.name))])),
  };
}

/** A markdown table of metrics. */
export function metricsTable(metrics: readonly MetricInfo[]): string {
  return [
    '| metric | type | labels | meaning |',
    '| --- | --- | --- | --- |',
    ...metrics.map((m) => `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ')} | ${m.help.replace(/\|/g, '\\|')} |`),
  ].join('\n');
}
