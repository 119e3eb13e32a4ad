import { destinationOf, pgnOf } from './bits/j1939.js';
import { addressedPgns, senderText, sharedPgns } from './decode/j1939-senders.js';
import { formatDbcProblem } from './dbc/parse-dbc.js';
import type { DbcDatabase, DbcMessage, DbcProblem, DbcSignal } from './dbc/types.js';

/** Options of {@link formatSignalList}. */
export interface SignalListOptions {
  /** Problems found while reading the files, listed at the end. */
  problems?: readonly DbcProblem[];
  /** At most this many value-table entries per signal (the rest are counted). Default 16. */
  maxValues?: number;
  /**
   * The metric a mapping sends a signal as, or undefined when it leaves the signal out: given,
   * each signal gets a line `-> metric` or `(not read)`, and the header says how many are read.
   */
  metricOf?(message: DbcMessage, signal: DbcSignal): string | undefined;
}

const hexId = (m: DbcMessage): string => `0x${m.id.toString(16).toUpperCase().padStart(m.extended ? 8 : 3, '0')}`;

function messageHeader(m: DbcMessage, senders: string): string {
  const parts = [m.name, m.j1939 ? `PGN ${pgnOf(m.id)} (${hexId(m)}, ${senders})` : `${hexId(m)} (${m.id}${m.extended ? ', extended' : ''})`];
  parts.push(`${m.length} byte${m.length === 1 ? '' : 's'}${m.fd ? ' CAN FD' : ''}`);
  if (m.cycleTimeMs !== undefined) parts.push(`every ${m.cycleTimeMs} ms`);
  if (m.senders.length > 0) parts.push(`from ${m.senders.join(', ')}`);
  return parts.join('  ');
}

const num = (x: number): string => String(x);

function layout(s: DbcSignal): string {
  const type = s.valueType === 'integer' ? (s.signed ? 'signed' : 'unsigned') : s.valueType;
  const parts = [`${s.length} bit${s.length === 1 ? '' : 's'} ${s.byteOrder === 'little_endian' ? 'little-endian' : 'big-endian'} ${type} at bit ${s.startBit}`];
  if (s.factor !== 1) parts.push(`factor ${num(s.factor)}`);
  if (s.offset !== 0) parts.push(`offset ${num(s.offset)}`);
  return parts.join(', ');
}

function signalLines(s: DbcSignal, width: number, maxValues: number, metric: string | null | undefined): string[] {
  let name = s.name;
  if (s.isMultiplexer) name += ' (multiplexor)';
  if (s.multiplexer) {
    const ranges = s.multiplexer.ranges.map((r) => (r.min === r.max ? num(r.min) : `${r.min}-${r.max}`)).join(', ');
    name += ` [${s.multiplexer.signal} = ${ranges}]`;
  }
  const range = s.minimum === 0 && s.maximum === 0 ? '' : `${num(s.minimum)}..${num(s.maximum)}`;
  const unit = s.unit === '' ? '' : ` ${s.unit}`;
  const lines = [`  ${name.padEnd(width)}  ${`${range}${unit}`.padEnd(18)}  ${layout(s)}`];
  if (s.values && s.values.size > 0) {
    // Quoted as JSON: a text holding a quote (`Run "fast"`) reads as one text.
    const entries = [...s.values].slice(0, maxValues).map(([v, text]) => `${v} = ${JSON.stringify(text)}`);
    const more = s.values.size > maxValues ? `, ... ${s.values.size - maxValues} more` : '';
    lines.push(`  ${''.padEnd(width)}  values: ${entries.join(', ')}${more}`);
  }
  if (s.comment) lines.push(`  ${''.padEnd(width)}  ${s.comment.replace(/\s+/g, ' ').slice(0, 200)}`);
  if (metric !== undefined) lines.push(`  ${''.padEnd(width)}  ${metric === null ? '(not read)' : `-> ${metric}`}`);
  return lines;
}

/**
 * What DBC files define, as text for a person writing a mapping (`bridge-can --list-signals`):
 * every message with its id (or J1939 PGN), length, cycle time and senders, then each signal
 * with its range, unit, layout, scaling, multiplexing and value table.
 */
export function formatSignalList(database: DbcDatabase, options: SignalListOptions = {}): string {
  const maxValues = options.maxValues ?? 16;
  const signals = database.messages.reduce((n, m) => n + m.signals.length, 0);
  const read = options.metricOf ? database.messages.reduce((n, m) => n + m.signals.filter((s) => options.metricOf!(m, s) !== undefined).length, 0) : undefined;
  const out = [
    `${database.files.join(', ')}: ${database.messages.length} message${database.messages.length === 1 ? '' : 's'}, ${signals} signal${signals === 1 ? '' : 's'}${read === undefined ? '' : `; the mapping reads ${read}`}`,
  ];
  const messages = [...database.messages].sort((a, b) => Number(a.extended) - Number(b.extended) || a.id - b.id);
  // A PGN defined once per sender reads each sender's frames with its own message (the first one in the files also the rest).
  // A PDU1 PGN defined once per destination reads the frames to each destination with its own message.
  const shared = sharedPgns(database.messages.filter((m) => m.j1939));
  const addressed = addressedPgns(database.messages.filter((m) => m.j1939));
  const sendersOf = (m: DbcMessage): string => {
    const pgn = pgnOf(m.id);
    const destination = addressed.has(pgn) ? destinationOf(m.id) : undefined;
    if (!shared.has(pgn)) return senderText(undefined, true, destination);
    const first = database.messages.find((o) => o.j1939 && pgnOf(o.id) === pgn);
    return senderText(m.id & 0xff, first === m, destination);
  };
  for (const m of messages) {
    out.push('', messageHeader(m, sendersOf(m)));
    if (m.comment) out.push(`  ${m.comment.replace(/\s+/g, ' ').slice(0, 200)}`);
    const width = Math.min(48, Math.max(0, ...m.signals.map((s) => s.name.length + (s.isMultiplexer ? 14 : 0) + (s.multiplexer ? s.multiplexer.signal.length + 8 : 0))));
    for (const s of m.signals) out.push(...signalLines(s, width, maxValues, options.metricOf ? (options.metricOf(m, s) ?? null) : undefined));
  }
  if (options.problems && options.problems.length > 0) {
    out.push('', `${options.problems.length} problem${options.problems.length === 1 ? '' : 's'} in the files:`);
    for (const p of options.problems) out.push(`  ${formatDbcProblem(p)}`);
  }
  return `${out.join('\n')}\n`;
}
