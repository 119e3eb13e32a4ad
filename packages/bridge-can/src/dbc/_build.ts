import { fitsIn, signalBitPositions } from '../bits/signal-bits.js';
import { createAttributeResolver } from './_build-attributes.js';
import { resolveMultiplexing, type SignalBuild } from './_build-mux.js';
import { reportOverlaps } from './_build-overlap.js';
import { LONG_NAME_ATTRIBUTES, longName } from './_long-names.js';
import type { RawDbc, RawMessage, RawTarget } from './_raw.js';
import type { AttributeValue, DbcDatabase, DbcLocation, DbcMessage, DbcNode, DbcProblem, DbcSignal } from './types.js';

/** Vector's pseudo-message holding signals that belong to no message. */
const INDEPENDENT_SIGNALS_ID = 0xc0000000;
const EXTENDED_FLAG = 0x80000000;
/** J1939 transport can carry up to 1,785 bytes; nothing in a DBC may declare more. */
const MAX_MESSAGE_LENGTH = 1785;

interface MessageBuild {
  raw: RawMessage;
  id: number;
  extended: boolean;
  signals: SignalBuild[];
  byName: Map<string, SignalBuild>;
  attributes: Record<string, AttributeValue>;
  comment?: string;
  senders: string[];
}

/** Resolves the references between one file's statements into a {@link DbcDatabase}. */
export function buildDatabase(raw: RawDbc, problems: DbcProblem[]): DbcDatabase {
  const attributes = createAttributeResolver(raw);
  const messages = new Map<number, MessageBuild>();
  for (const m of raw.messages) {
    const built = buildMessage(m, attributes.defaults('message'), attributes.defaults('signal'), problems);
    if (!built) continue;
    if (messages.has(m.rawId)) {
      const first = messages.get(m.rawId)!;
      problems.push({ kind: 'duplicate_id', ...m.location, message: `message ${m.name} has the id of ${first.raw.name} (line ${first.raw.location.line}); it was dropped`, dropped: { message: m.name } });
      continue;
    }
    messages.set(m.rawId, built);
  }
  const nodes = new Map<string, { name: string; comment?: string; attributes: Record<string, AttributeValue> }>();
  for (const n of raw.nodes) if (!nodes.has(n.name)) nodes.set(n.name, { name: n.name, attributes: attributes.defaults('node') });

  const network: { comment?: string; attributes: Record<string, AttributeValue> } = { attributes: attributes.defaults('network') };
  const unknown = (location: DbcLocation, what: string): void => {
    problems.push({ kind: 'unknown_reference', ...location, message: `${what} is not defined; the statement was ignored` });
  };
  const findSignal = (rawId: number, name: string, location: DbcLocation, statement: string): SignalBuild | undefined => {
    const message = messages.get(rawId);
    const signal = message?.byName.get(name);
    if (!signal) unknown(location, message ? `${statement}: signal ${name} of message ${message.raw.name}` : `${statement}: message ${rawId}`);
    return signal;
  };
  const targetOf = (target: RawTarget, location: DbcLocation, statement: string): { comment?: string; attributes: Record<string, AttributeValue> } | undefined => {
    switch (target.type) {
      case 'network':
        return network;
      case 'node':
        return nodes.get(target.name) ?? void unknown(location, `${statement}: node ${target.name}`);
      case 'message':
        return messages.get(target.rawId) ?? void unknown(location, `${statement}: message ${target.rawId}`);
      case 'signal':
        return findSignal(target.rawId, target.name, location, statement);
      case 'envvar':
        return undefined;
    }
  };

  for (const { rawId, signal, type, location } of raw.valueTypes) {
    const s = findSignal(rawId, signal, location, 'SIG_VALTYPE_');
    if (!s) continue;
    const valueType = type === 1 ? 'float32' : type === 2 ? 'float64' : 'integer';
    const width = valueType === 'float32' ? 32 : valueType === 'float64' ? 64 : s.raw.length;
    if (width !== s.raw.length || type < 0 || type > 2) {
      s.dropped = true;
      problems.push({ kind: 'invalid_signal', ...location, message: `signal ${signal} is declared ${type === 1 ? 'a float (32 bits)' : type === 2 ? 'a double (64 bits)' : `value type ${type}`} but is ${s.raw.length} bits long; it was dropped`, dropped: { message: messages.get(rawId)!.raw.name, signal } });
      continue;
    }
    s.valueType = valueType;
  }
  for (const { rawId, signal, values, location } of raw.valueDescriptions) {
    const s = findSignal(rawId, signal, location, 'VAL_');
    if (s) s.values = values;
  }
  for (const { target, text, location } of raw.comments) {
    const object = targetOf(target, location, 'CM_');
    if (object) object.comment = text;
  }
  for (const { name, target, value, location } of raw.attributeValues) {
    const object = targetOf(target, location, `BA_ "${name}"`);
    if (object) object.attributes[name] = attributes.resolve(name, value);
  }
  for (const { rawId, nodes: senders, location } of raw.senders) {
    const message = messages.get(rawId);
    if (!message) unknown(location, `BO_TX_BU_: message ${rawId}`);
    else for (const n of senders) if (!message.senders.includes(n)) message.senders.push(n);
  }
  const muxByMessage = new Map<number, RawDbc['muxValues']>();
  for (const entry of raw.muxValues) {
    if (!messages.has(entry.rawId)) unknown(entry.location, `SG_MUL_VAL_: message ${entry.rawId}`);
    else muxByMessage.set(entry.rawId, [...(muxByMessage.get(entry.rawId) ?? []), entry]);
  }

  const j1939Network = String(network.attributes.ProtocolType ?? '').toUpperCase() === 'J1939';
  // Names cut to 32 characters by CANdb++ come back whole from their long-name attributes.
  const nodeNames = new Map<string, string>();
  for (const n of nodes.values()) nodeNames.set(n.name, longName(n.name, n.attributes, 'node'));
  const nodeName = (name: string): string => nodeNames.get(name) ?? name;
  const out: DbcMessage[] = [];
  for (const [rawId, m] of messages) {
    resolveMultiplexing(m.raw.name, m.signals, muxByMessage.get(rawId) ?? [], problems);
    reportOverlaps(m.raw.name, m.signals, problems);
    out.push(finishMessage(m, j1939Network, nodeName, problems));
  }
  const database: DbcDatabase = {
    files: [raw.file],
    version: raw.version,
    nodes: [...nodes.values()].map((n) => ({ ...n, name: nodeName(n.name) })) as DbcNode[],
    messages: out,
    valueTables: raw.valueTables,
    attributeDefinitions: attributes.definitions,
    attributes: network.attributes,
  };
  if (network.comment !== undefined) database.comment = network.comment;
  return database;
}

function buildMessage(
  m: RawMessage,
  messageDefaults: Record<string, AttributeValue>,
  signalDefaults: Record<string, AttributeValue>,
  problems: DbcProblem[],
): MessageBuild | undefined {
  if (m.rawId === INDEPENDENT_SIGNALS_ID) return undefined;
  const invalid = (why: string, dropped = true): undefined => void problems.push({ kind: 'invalid_message', ...m.location, message: `message ${m.name}: ${why}`, ...(dropped ? { dropped: { message: m.name } } : {}) });
  let extended = m.rawId >= EXTENDED_FLAG;
  const id = extended ? m.rawId - EXTENDED_FLAG : m.rawId;
  if (id > 0x1fffffff) return invalid(`id ${m.rawId} does not fit 29 bits; it was dropped`);
  if (!extended && id > 0x7ff) {
    invalid(`id 0x${id.toString(16).toUpperCase()} does not fit 11 bits and lacks the extended flag (bit 31); it was read as an extended id`, false);
    extended = true;
  }
  if (m.length < 0 || m.length > MAX_MESSAGE_LENGTH) return invalid(`length ${m.length} is not between 0 and ${MAX_MESSAGE_LENGTH} bytes; it was dropped`);
  const build: MessageBuild = {
    raw: m,
    id,
    extended,
    signals: [],
    byName: new Map(),
    attributes: { ...messageDefaults },
    senders: m.transmitter === 'Vector__XXX' ? [] : [m.transmitter],
  };
  const maxBytes = Math.max(64, m.length);
  for (const s of m.signals) {
    const signal: SignalBuild = { raw: s, valueType: 'integer', isMultiplexer: s.switch, attributes: { ...signalDefaults }, dropped: false };
    const bad = (kind: 'invalid_signal' | 'duplicate_signal', why: string): void => {
      signal.dropped = true;
      problems.push({ kind, ...s.location, message: `signal ${s.name} of ${m.name}: ${why}; it was dropped`, dropped: { message: m.name, signal: s.name } });
    };
    if (build.byName.has(s.name)) bad('duplicate_signal', 'another signal of the message has this name');
    else if (s.length < 1 || s.length > 64) bad('invalid_signal', `length ${s.length} is not between 1 and 64 bits`);
    else if (s.startBit < 0 || s.startBit >= maxBytes * 8) bad('invalid_signal', `start bit ${s.startBit} is outside the frame`);
    else {
      const positions = signalBitPositions(s.startBit, s.length, s.byteOrder);
      if (!fitsIn(positions, maxBytes)) bad('invalid_signal', `its bits run past byte ${maxBytes} (start bit ${s.startBit}, ${s.length} bits, ${s.byteOrder.replace('_', '-')})`);
      else if (!fitsIn(positions, m.length)) {
        problems.push({ kind: 'signal_outside_message', ...s.location, message: `signal ${s.name} runs past the ${m.length} bytes of ${m.name}; it decodes only from frames long enough to hold it` });
      }
    }
    build.signals.push(signal);
    if (!build.byName.has(s.name)) build.byName.set(s.name, signal);
  }
  return build;
}

/**
 * Each kept signal's name: its long name, unless another signal of the message already has that
 * name (the name written is kept then, and the clash reported).
 */
function finalSignalNames(m: MessageBuild, problems: DbcProblem[]): Map<SignalBuild, string> {
  const kept = m.signals.filter((s) => !s.dropped);
  const taken = new Set(kept.map((s) => s.raw.name));
  const names = new Map<SignalBuild, string>();
  for (const s of kept) {
    const long = longName(s.raw.name, s.attributes, 'signal');
    if (long !== s.raw.name && taken.has(long)) {
      problems.push({ kind: 'duplicate_signal', ...s.raw.location, message: `signal ${s.raw.name} of ${m.raw.name}: its long name ${long} (${LONG_NAME_ATTRIBUTES.signal}) is another signal's name; it is read as ${s.raw.name}` });
      names.set(s, s.raw.name);
      continue;
    }
    taken.add(long);
    names.set(s, long);
  }
  return names;
}

function finishMessage(m: MessageBuild, j1939Network: boolean, nodeName: (name: string) => string, problems: DbcProblem[]): DbcMessage {
  const format = String(m.attributes.VFrameFormat ?? '');
  // A frame format can only promote a message to extended, never demote it: the default
  // "StandardCAN" applies to every message, extended ids included.
  const extended = m.extended || ((/^Extended|^J1939/.test(format)) && m.id <= 0x1fffffff);
  const cycle = m.attributes.GenMsgCycleTime;
  const names = finalSignalNames(m, problems);
  const byWrittenName = new Map([...names].map(([s, name]) => [s.raw.name, name]));
  const message: DbcMessage = {
    id: m.id,
    extended,
    name: longName(m.raw.name, m.attributes, 'message'),
    length: m.raw.length,
    senders: m.senders.map(nodeName),
    signals: [...names].map(([s, name]) => finishSignal(s, name, byWrittenName, nodeName)),
    attributes: m.attributes,
    fd: /_FD$/.test(format) || m.raw.length > 8,
    j1939: extended && (format === 'J1939PG' || j1939Network),
    location: m.raw.location,
  };
  if (typeof cycle === 'number' && cycle > 0) message.cycleTimeMs = cycle;
  if (m.comment !== undefined) message.comment = m.comment;
  return message;
}

function finishSignal(s: SignalBuild, name: string, signalName: ReadonlyMap<string, string>, nodeName: (name: string) => string): DbcSignal {
  const r = s.raw;
  const signal: DbcSignal = {
    name,
    startBit: r.startBit,
    length: r.length,
    byteOrder: r.byteOrder,
    signed: r.signed,
    valueType: s.valueType,
    factor: r.factor,
    offset: r.offset,
    minimum: r.minimum,
    maximum: r.maximum,
    unit: r.unit,
    receivers: r.receivers.filter((n) => n !== 'Vector__XXX').map(nodeName),
    isMultiplexer: s.isMultiplexer,
    attributes: s.attributes,
    location: r.location,
  };
  if (s.multiplexer) signal.multiplexer = { ...s.multiplexer, signal: signalName.get(s.multiplexer.signal) ?? s.multiplexer.signal };
  if (s.values) signal.values = s.values;
  if (s.comment !== undefined) signal.comment = s.comment;
  return signal;
}
