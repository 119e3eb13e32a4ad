import { defineBridge, formatDuration, packageVersion, type BridgeCliIo, type ChangeFilterOptions } from '@fieldbridge/core/bridge';
import { pgnOf } from './bits/j1939.js';
import { checkCan } from './check.js';
import { canConfigSchema, type CanConfig } from './config.js';
import { loadDbcFiles, loadDbcFilesSync } from './dbc/load-dbc.js';
import { formatDbcProblem } from './dbc/parse-dbc.js';
import { createIdFilter } from './frames/id-filter.js';
import type { DbcSignal } from './dbc/types.js';
import { senderText } from './decode/j1939-senders.js';
import type { MessageDecoder } from './decode/message-decoder.js';
import { planCan, signalNames } from './decode-plan.js';
import { formatSignalList } from './list-signals.js';
import { logSource } from './log-files.js';
import { CAN_OTHER_NAMES } from './other-names.js';
import { canPointTags } from './point-tags.js';
import { formatId, resolveCanConfig, type ResolvedCan } from './resolve.js';
import { handleScan, SCAN_OPTION } from './scan-command.js';
import { createCanSource } from './source.js';
import { canStarter } from './starter.js';
import { transportCarried } from './transport-filters.js';

/** DBC problems `describe` lists one by one; the rest are counted. */
const DESCRIBED_PROBLEMS = 50;
/** Messages `describe` lists one by one; the rest are counted. */
const DESCRIBED_MESSAGES = 50;

function describeFilter(filter: ChangeFilterOptions | undefined): string {
  if (!filter) return 'every value';
  const parts: string[] = [];
  if (filter.minIntervalMs !== undefined) parts.push(`at most ${Number((1000 / filter.minIntervalMs).toPrecision(6))} per second`);
  if (filter.onChange) parts.push('on change');
  if (filter.deadband !== undefined) parts.push(`deadband ${filter.deadband}`);
  if (filter.maxIntervalMs !== undefined) parts.push(`at least every ${formatDuration(filter.maxIntervalMs)}`);
  return parts.join(', ');
}

function describeBus(config: ResolvedCan): string {
  if (config.spec.kind === 'socketcan') {
    const filters = config.filters.length > 0 ? `, ${config.filters.length} id filter${config.filters.length === 1 ? '' : 's'}` : '';
    return `${config.bus}: SocketCAN ${config.spec.name}, ${config.socketcan.timestamps === 'kernel' ? 'kernel timestamps' : 'timestamps at receipt'}${filters}; reconnect ${config.reconnect.initialMs}..${config.reconnect.maxMs} ms`;
  }
  const r = config.replay;
  const pace = r.pace === 'fast' ? 'as fast as taken' : r.speed === 1 ? 'at the recorded pace' : `at ${r.speed}x the recorded pace`;
  const filters = config.filters.length > 0 ? `, ${config.filters.length} id filter${config.filters.length === 1 ? '' : 's'} (applied as the kernel applies them to a bus)` : '';
  const source = logSource(config.spec.path);
  const logs = source.kind === 'folder' ? `the ${source.files.length} log${source.files.length === 1 ? '' : 's'} of the folder ${config.spec.path}, one after another in name order,` : `log ${config.spec.path},`;
  return `${config.bus}: ${logs} replayed ${pace}${r.loop ? ', looping' : ''}, ${r.timestamps === 'log' ? 'with the times in the log' : 'moved onto the clock'}${filters}`;
}

/** A message the mapping reads, with its signals; one matched by its exact id says when the id filters stop that id. */
function messageLine(decoder: MessageDecoder, signals: string[], accept: ReturnType<typeof createIdFilter>): string {
  const { message } = decoder;
  const sender = decoder.sourceAddress === undefined && decoder.destinationAddress === undefined ? '' : ` from ${senderText(decoder.sourceAddress, decoder.readsOtherSenders ?? false, decoder.destinationAddress)}`;
  const id = message.j1939 ? `PGN ${pgnOf(message.id)}${sender}` : formatId(message.id, message.extended);
  const cycle = message.cycleTimeMs ? ` every ${message.cycleTimeMs} ms` : '';
  const stopped = accept && !message.j1939 && !accept(message) ? ' (its id does not pass the filters: never read)' : '';
  return `  ${message.name} ${id}${cycle}${stopped}: ${signals.join(', ')}`;
}

/**
 * Lines `--check` prints: the bus, the DBC files and what the mapping reads from them (each
 * message and its signals), the change filter and what becomes of unknown frames. Reads the
 * DBC files (`check` has already); prints no secret (a CAN section holds none).
 */
export function describeCan(section: CanConfig): string[] {
  const resolved = resolveCanConfig(section);
  if (!resolved.ok) return resolved.issues.map((i) => `invalid: ${i.path.join('.')}: ${i.message}`);
  const config = resolved.config;
  const lines = [describeBus(config)];
  let planned;
  try {
    const loaded = loadDbcFilesSync(config.dbc);
    planned = planCan(loaded.database, config, loaded.problems).plan;
  } catch (err) {
    return [...lines, `DBC: ${(err as Error).message}`];
  }
  const { summary } = planned;
  const problems = planned.dbcProblems.length;
  lines.push(
    `DBC ${config.dbc.join(', ')}: ${plural(summary.messages, 'message')}, ${plural(summary.signals, 'signal')}${problems > 0 ? ` (${plural(problems, 'problem')}, listed below)` : ''}; ` +
      `reading ${plural(summary.selectedSignals, 'signal')} of ${plural(summary.selectedMessages, 'message')} as ${config.metric.source}`,
  );
  const messages = [...planned.messages.values()];
  const accept = createIdFilter(config.filters);
  for (const m of messages.slice(0, DESCRIBED_MESSAGES)) lines.push(messageLine(m.decoder, m.signals.map((s) => s.signal.name), accept));
  if (messages.length > DESCRIBED_MESSAGES) lines.push(`  ... and ${messages.length - DESCRIBED_MESSAGES} more messages`);
  lines.push(`change filter: ${describeFilter(config.defaults.filter)}${config.perSignal.map((p) => `; ${p.match}: ${describeFilter(p.rule.filter)}`).join('')}`);
  lines.push(`value tables: ${config.valueText === 'point' ? 'text sent as <metric>.text' : config.valueText === 'tag' ? 'text sent as tag "text"' : 'numbers only'}; tags from the DBC: ${[...config.signalTags].join(', ') || 'none'}`);
  lines.push(`unknown ids: counted per id (first ${config.unknown.maxIds})${config.unknown.forward ? `, forwarded as ${config.unknown.metric.source} (${describeFilter(config.unknown.rule.filter)})` : ''}`);
  const carried = config.filters.length > 0 ? transportCarried(planned) : [];
  if (carried.length > 0) lines.push(`J1939 transport frames (TP.CM, TP.DT) pass the id filters too: they carry what is longer than a frame (${carried.join(', ')})`);
  if (config.dm1) lines.push('J1939 DM1 of every ECU: dm1.*_lamp and dm1.active_faults with each DM1, an event dm1.fault when a fault becomes active or clears');
  if (config.spec.kind === 'file' && config.replay.channel !== undefined) lines.push(`channel ${config.replay.channel} of the log only`);
  if (problems > 0) {
    // Each one, where and what it drops: `--check` is what an operator reads before a run that would go on without them.
    lines.push(`DBC problems (a run reports them and goes on without what they drop):`);
    for (const p of planned.dbcProblems.slice(0, DESCRIBED_PROBLEMS)) lines.push(`  ${formatDbcProblem(p)}`);
    if (problems > DESCRIBED_PROBLEMS) lines.push(`  ... and ${problems - DESCRIBED_PROBLEMS} more (bridge-can --list-signals lists them all)`);
  }
  return lines;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `--list-signals`: what the DBC files define, each signal with the metric the mapping sends it as. */
async function listSignals(options: Record<string, unknown>, section: CanConfig, io: BridgeCliIo): Promise<number | undefined> {
  if (!options.listSignals) return undefined;
  const resolved = resolveCanConfig(section);
  if (!resolved.ok) return 2;
  const { database, problems } = await loadDbcFiles(resolved.config.dbc);
  const { plan } = planCan(database, resolved.config, problems);
  const metrics = new Map<DbcSignal, string>();
  for (const m of plan.messages.values()) {
    for (const sp of m.signals) {
      const names = sp.names ?? (() => {
        const r = signalNames(plan, m.decoder.message, sp.signal, undefined, sp.naming);
        return r.ok ? { ...r.names, metric: `${r.names.metric} (per source address)` } : undefined;
      })();
      if (names) metrics.set(sp.signal, names.metric);
    }
  }
  io.stdout.write(formatSignalList(database, { problems: plan.dbcProblems, metricOf: (_m, s) => metrics.get(s) }));
  return 0;
}

/**
 * The CAN bridge: the `can:` section's schema and how to run it. Run it with the core's
 * `startBridge(canBridge, config)` or from the command line (`bridge-can --config FILE`).
 */
export const canBridge = defineBridge({
  name: 'can',
  starter: canStarter,
  version: packageVersion(import.meta.url),
  reads: 'SocketCAN buses and CAN logs (through DBC files)',
  otherNames: CAN_OTHER_NAMES,
  configSchema: canConfigSchema,
  check: checkCan,
  pointTags: canPointTags,
  describe: describeCan,
  create: (config, ctx) => createCanSource(config, ctx),
  cli: {
    options: [{ flags: '--list-signals', inspects: true, description: 'print what the DBC files define (messages, ids, signals, units, value tables) and the metric each signal is sent as, then exit' }, SCAN_OPTION],
    handle: async (options, section, io) => (await listSignals(options, section, io)) ?? handleScan(options, section, io),
  },
});
