import type { RawDbc, RawSignal } from './_raw.js';
import type { AttributeValue, DbcMultiplexer, DbcMuxRange, DbcProblem, DbcValueType } from './types.js';

/** A signal while its message is being resolved. */
export interface SignalBuild {
  raw: RawSignal;
  valueType: DbcValueType;
  isMultiplexer: boolean;
  multiplexer?: DbcMultiplexer;
  values?: Map<number, string>;
  comment?: string;
  attributes: Record<string, AttributeValue>;
  dropped: boolean;
}

type MuxEntry = RawDbc['muxValues'][number];

/**
 * Works out which multiplexor each multiplexed signal depends on: `SG_MUL_VAL_` when the file
 * has it for the signal (extended multiplexing), otherwise the message's one top-level `M`
 * signal. Signals without a usable multiplexor, in a cycle, or under a float multiplexor are
 * dropped with an `invalid_multiplexing` problem, and so is everything that depends on them.
 */
export function resolveMultiplexing(messageName: string, signals: SignalBuild[], entries: MuxEntry[], problems: DbcProblem[]): void {
  const byName = new Map<string, SignalBuild>();
  for (const s of signals) if (!s.dropped) byName.set(s.raw.name, s);
  const drop = (s: SignalBuild, why: string, at = s.raw.location): void => {
    if (s.dropped) return;
    s.dropped = true;
    problems.push({ kind: 'invalid_multiplexing', ...at, message: `signal ${s.raw.name} of ${messageName}: ${why}; it was dropped`, dropped: { message: messageName, signal: s.raw.name } });
  };

  const explicit = new Set<SignalBuild>();
  for (const entry of entries) {
    const signal = byName.get(entry.signal);
    const switchSignal = byName.get(entry.switchName);
    if (!signal || !switchSignal) {
      problems.push({
        kind: 'unknown_reference',
        ...entry.location,
        message: `SG_MUL_VAL_ names ${!signal ? `signal ${entry.signal}` : `multiplexor ${entry.switchName}`}, which message ${messageName} does not have; ignored`,
      });
      continue;
    }
    if (signal.multiplexer && explicit.has(signal) && signal.multiplexer.signal !== entry.switchName) {
      problems.push({ kind: 'invalid_multiplexing', ...entry.location, message: `signal ${entry.signal} of ${messageName} is given two multiplexors (${signal.multiplexer.signal}, ${entry.switchName}); the first is kept` });
      continue;
    }
    const ranges: DbcMuxRange[] = explicit.has(signal) && signal.multiplexer ? [...signal.multiplexer.ranges, ...entry.ranges] : [...entry.ranges];
    signal.multiplexer = { signal: entry.switchName, ranges };
    explicit.add(signal);
    switchSignal.isMultiplexer = true;
  }

  const topSwitches = signals.filter((s) => !s.dropped && s.raw.switch && s.raw.muxValue === undefined);
  for (const s of signals) {
    if (s.dropped || s.raw.muxValue === undefined || explicit.has(s)) continue;
    const top = topSwitches[0];
    if (!top) {
      drop(s, `it is multiplexed (m${s.raw.muxValue}) but the message has no multiplexor signal (M)`);
      continue;
    }
    if (topSwitches.length > 1) {
      problems.push({
        kind: 'invalid_multiplexing',
        ...s.raw.location,
        message: `signal ${s.raw.name} of ${messageName}: the message has several multiplexors (${topSwitches.map((x) => x.raw.name).join(', ')}) and no SG_MUL_VAL_ says which applies; ${top.raw.name} was used`,
      });
    }
    s.multiplexer = { signal: top.raw.name, ranges: [{ min: s.raw.muxValue, max: s.raw.muxValue }] };
  }

  // Drop what cannot work, then everything that depended on it, until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of signals) {
      if (s.dropped || !s.multiplexer) continue;
      const parent = byName.get(s.multiplexer.signal);
      let why: string | undefined;
      if (!parent || parent.dropped) why = `its multiplexor ${s.multiplexer.signal} was dropped`;
      else if (parent.valueType !== 'integer') why = `its multiplexor ${parent.raw.name} is a float`;
      else if (inCycle(s, byName)) why = 'its multiplexors form a cycle';
      if (why) {
        drop(s, why);
        changed = true;
      }
    }
  }
}

function inCycle(start: SignalBuild, byName: Map<string, SignalBuild>): boolean {
  const seen = new Set<SignalBuild>([start]);
  let s: SignalBuild | undefined = start;
  while (s?.multiplexer) {
    s = byName.get(s.multiplexer.signal);
    if (!s) return false;
    if (seen.has(s)) return true;
    seen.add(s);
  }
  return false;
}
