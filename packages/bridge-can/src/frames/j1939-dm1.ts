import type { Point, Tags } from '@fieldbridge/core/bridge';

/**
 * SAE J1939-73's DM1, the active diagnostic trouble codes an ECU broadcasts about once a second
 * (PGN 0xFECA): the lamp status (two bits each: malfunction indicator, red stop, amber warning,
 * protect; 00 off, 01 on), the flash status, then one 4-byte DTC per active fault: SPN (19
 * bits: byte 2, byte 3, then the top three bits of byte 4), FMI (the low five bits of byte 4),
 * the SPN conversion method (bit 7 of byte 5) and the occurrence count (its low seven bits).
 * With more than one fault it is longer than a frame and travels in the transport protocol.
 */

/** The PGN of DM1. */
export const DM1_PGN = 0xfeca;

/** One active fault. */
export interface Dtc {
  spn: number;
  fmi: number;
  occurrences: number;
  /** Conversion method 1: the SPN was written by a pre-2000 rule (J1939-73 versions 1-3) and may read differently. */
  oldConversion: boolean;
}

/** A DM1's lamps (0 off, 1 on, undefined when the ECU says not available) and active faults. */
export interface Dm1 {
  lamps: { malfunction?: number; redStop?: number; amberWarning?: number; protect?: number };
  dtcs: Dtc[];
}

const LAMPS = [
  ['malfunction', 6],
  ['redStop', 4],
  ['amberWarning', 2],
  ['protect', 0],
] as const;

/** Reads a DM1's bytes; a problem text when they are too few. "No fault" entries (all zeros or all ones) are not faults. */
export function parseDm1(data: Uint8Array): Dm1 | string {
  if (data.length < 6) return `DM1 of ${data.length} bytes: at least 6 expected (lamps, flash status, one DTC)`;
  const lamps: Dm1['lamps'] = {};
  for (const [name, shift] of LAMPS) {
    const state = (data[0]! >> shift) & 3;
    if (state <= 1) lamps[name] = state;
  }
  const dtcs: Dtc[] = [];
  for (let at = 2; at + 4 <= data.length; at += 4) {
    const [b2, b3, b4, b5] = [data[at]!, data[at + 1]!, data[at + 2]!, data[at + 3]!];
    if ((b2 | b3 | b4 | b5) === 0 || (b2 & b3 & b4 & b5) === 0xff) continue;
    dtcs.push({ spn: b2 | (b3 << 8) | ((b4 >> 5) << 16), fmi: b4 & 0x1f, occurrences: b5 & 0x7f, oldConversion: (b5 & 0x80) !== 0 });
  }
  return { lamps, dtcs };
}

const LAMP_METRICS = { malfunction: 'dm1.malfunction_lamp', redStop: 'dm1.red_stop_lamp', amberWarning: 'dm1.amber_warning_lamp', protect: 'dm1.protect_lamp' } as const;

/** ECUs whose faults are remembered: 256 addresses on each of 16 buses. */
const MAX_ECUS = 4096;

/**
 * Turns the DM1s of each ECU into points: its lamps and how many faults are active (metrics,
 * every DM1), and an event `dm1.fault` when a fault becomes active or is no longer reported,
 * tagged with its SPN and FMI. An ECU is a source address on a bus (the frame's `interface`):
 * two buses of one log often have ECUs at the same address. Remembers the faults of at most
 * 4,096 ECUs; past that the one heard of longest ago is forgotten (its faults come again as new
 * events when it is heard again).
 */
export class Dm1Points {
  private readonly active = new Map<string, Map<string, Dtc>>();

  /** `tagInterface`: the points carry the bus they came from as tag `interface` (`signal_tags: [interface]`). */
  constructor(
    private readonly tags: Tags | undefined,
    private readonly tagInterface = false,
  ) {}

  points(sourceAddress: number, dm1: Dm1, timestampMs: number, iface?: string): Point[] {
    const base: Tags = { ...this.tags, source_address: String(sourceAddress) };
    if (this.tagInterface && iface !== undefined) base.interface = iface;
    const ecu = `${sourceAddress}@${iface ?? ''}`;
    const points: Point[] = [];
    for (const [name, metric] of Object.entries(LAMP_METRICS) as [keyof Dm1['lamps'], string][]) {
      const value = dm1.lamps[name];
      if (value !== undefined) points.push({ metric, value, timestamp: timestampMs, class: 'metric', tags: base });
    }
    points.push({ metric: 'dm1.active_faults', value: dm1.dtcs.length, timestamp: timestampMs, class: 'metric', tags: base });
    const before = this.active.get(ecu) ?? new Map<string, Dtc>();
    const now = new Map(dm1.dtcs.map((d) => [`${d.spn}/${d.fmi}`, d]));
    const event = (d: Dtc, text: string): Point => ({ metric: 'dm1.fault', value: `SPN ${d.spn} FMI ${d.fmi} ${text}`, timestamp: timestampMs, class: 'event', tags: { ...base, spn: String(d.spn), fmi: String(d.fmi) } });
    for (const [key, d] of now) {
      if (!before.has(key)) points.push(event(d, `active, ${d.occurrences} occurrence${d.occurrences === 1 ? '' : 's'}${d.oldConversion ? ' (SPN by an old conversion method)' : ''}`));
    }
    for (const [key, d] of before) if (!now.has(key)) points.push(event(d, 'no longer active'));
    // Re-inserted, so that the Map's order is the order ECUs were last heard in.
    this.active.delete(ecu);
    if (this.active.size >= MAX_ECUS) this.active.delete(this.active.keys().next().value!);
    this.active.set(ecu, now);
    return points;
  }
}
