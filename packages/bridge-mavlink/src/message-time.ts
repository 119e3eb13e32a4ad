import { payloadView, readElement } from './payload.js';
import { createDeviceClock, type DeviceClock, type DeviceClockOptions } from '@fieldbridge/core/bridge';
import type { FieldDef, MessageDef } from './dialect.js';
import { FIX_2D } from './default-fields.js';

/** Where a message's timestamp came from. */
export type TimeSource =
  /** The sender's boot clock (`time_boot_ms`, or `time_usec` counted from boot), placed on the wall clock. */
  | 'boot'
  /** `time_usec` that is already Unix time (a GPS-synchronised clock), passed through. */
  | 'unix'
  /** No usable time in the message: when it arrived. */
  | 'arrival';

/** A message's place on the wall clock. */
export interface MessageTime {
  /** ms since the epoch; fractions kept. */
  timestampMs: number;
  source: TimeSource;
  /** True when this message showed the sender's boot clock going back: it restarted. */
  restarted: boolean;
  /** The boot time (ms, followed across its 2^32 ms wrap) when `source` is `boot`. */
  bootMs?: number;
}

/** Options of {@link createMessageTimer}. */
export interface MessageTimerOptions {
  /** Options of each sender's boot clock estimator. */
  deviceClock?: DeviceClockOptions;
  /**
   * `time_usec` at or above this many microseconds is Unix time, not time since boot. Default
   * 1e15 (September 2001): no vehicle stays up 31 years, and no GPS clock reads earlier.
   */
  unixThresholdUs?: number;
  /** Senders (system, component) whose clocks are kept; the least recently heard is dropped past this. Default 1024. */
  maxSenders?: number;
}

/** Places messages on the wall clock by their senders' boot clocks. */
export interface MessageTimer {
  /**
   * The timestamp of a message from (`sysid`, `compid`) received at local wall time `localMs`
   * (the bridge's corrected clock, or a `.tlog` record's time).
   */
  place(sysid: number, compid: number, message: MessageDef, payload: Uint8Array, localMs: number): MessageTime;
  /** Forgets a system's clocks. */
  forget(sysid: number): void;
}

/** The time field of a message, if it has one the timer understands. */
export interface TimeField {
  kind: 'boot_ms' | 'usec';
  field: FieldDef;
  /** For a GPS report, its `fix_type`: the time is that of the last fix (see {@link FIX_TIME_MESSAGES}). */
  fix?: FieldDef;
}

/**
 * GPS reports whose `time_usec` is the time of the receiver's last fix: ArduPilot sends
 * `last_fix_time_ms * 1000`, which stops while there is no fix (fix_type below 2D) as the reports
 * go on. Such a time is not the sender's clock now: taken for it, a fix lost for more than a
 * second would read as a reboot at every report, and each report would carry the last fix's time
 * (its points overwriting that fix's). Without a fix, the report is placed at its arrival and its
 * time is not offered to the sender's clock.
 */
export const FIX_TIME_MESSAGES: ReadonlySet<string> = new Set(['GPS_RAW_INT', 'GPS2_RAW']);


const timeFields = new WeakMap<MessageDef, TimeField | null>();

/** `time_boot_ms` (uint32 ms since boot) or `time_usec` (uint64 us, since boot or Unix) of a message. */
export function timeFieldOf(message: MessageDef): TimeField | undefined {
  let found = timeFields.get(message);
  if (found === undefined) {
    const ms = message.field('time_boot_ms');
    const us = message.field('time_usec');
    found = ms?.type === 'uint32' && ms.arrayLength === 0 ? { kind: 'boot_ms', field: ms } : us?.type === 'uint64' && us.arrayLength === 0 ? { kind: 'usec', field: us } : null;
    const fix = found && FIX_TIME_MESSAGES.has(message.name) ? message.field('fix_type') : undefined;
    if (found && fix) found.fix = fix;
    timeFields.set(message, found);
  }
  return found ?? undefined;
}

/**
 * The sender's boot time (ms) a message carries, without placing it: `time_boot_ms`, or
 * `time_usec` counted from boot. Undefined when the message has none, leaves it at 0, carries
 * Unix time, or is a GPS report without a fix (see {@link FIX_TIME_MESSAGES}): the times the
 * timer takes for the sender's boot clock, and only those.
 */
export function bootTimeOf(message: MessageDef, payload: Uint8Array, unixThresholdUs = 1e15): number | undefined {
  const time = timeFieldOf(message);
  if (!time) return undefined;
  const view = payloadView(message, payload);
  if (time.fix && Number(readElement(view, time.fix, 0)) < FIX_2D) return undefined;
  const raw = Number(readElement(view, time.field, 0));
  if (raw === 0) return undefined;
  if (time.kind === 'boot_ms') return raw;
  return raw >= unixThresholdUs ? undefined : raw / 1000;
}

const WRAP = 2 ** 32;
/** time_boot_ms wraps after 49.7 days: a value this close past the wrap, after one this close before it, is the wrap. */
const WRAP_MARGIN_MS = 600_000;

/** No autopilot or companion reboots in less than this many ms: the least silence that may hide a reboot. */
const REBOOT_SILENCE_MS = 500;
/** How much longer the delay of the last message before a reboot may be than that of the first after it, in ms. */
const DELAY_SPREAD_MS = 250;

interface Sender {
  clock: DeviceClock;
  /** Highest (unwrapped) device time seen, for unwrapping time_boot_ms. */
  lastMs: number;
  /** Local time of the last message placed. */
  lastLocalMs?: number;
}

/**
 * A boot time that went back by less than the device clock's restart step is still a reboot when
 * the sender was silent for at least {@link REBOOT_SILENCE_MS} and has been up for no longer than
 * that silence (plus {@link DELAY_SPREAD_MS}): a sender that did not reboot has been up for longer
 * than the silence, by the time it had been up before it. A reboot soon after boot goes back by
 * little, but is caught so.
 */
function rebootedInSilence(s: Sender, deviceMs: number, localMs: number): boolean {
  if (s.lastLocalMs === undefined || !(deviceMs < s.lastMs)) return false;
  const silenceMs = localMs - s.lastLocalMs;
  return silenceMs >= REBOOT_SILENCE_MS && deviceMs <= silenceMs + DELAY_SPREAD_MS;
}

/**
 * Creates a timer. Each sender (system and component: a companion computer boots apart from its
 * autopilot) has its own device clock. `time_boot_ms` is unwrapped across its 2^32 ms rollover;
 * `time_boot_ms` and `time_usec` of 0 (not filled in) give the arrival time, and so does a GPS
 * report without a fix (see {@link FIX_TIME_MESSAGES}). A reboot is boot time going back by more
 * than the device clock's restart step (1 s by default), or by any amount after a silence longer
 * than the sender has been up since (see `rebootedInSilence`).
 */
export function createMessageTimer(options: MessageTimerOptions = {}): MessageTimer {
  const unixThreshold = options.unixThresholdUs ?? 1e15;
  const maxSenders = options.maxSenders ?? 1024;
  const senders = new Map<number, Sender>();

  const sender = (sysid: number, compid: number): Sender => {
    const key = (sysid << 8) | compid;
    let s = senders.get(key);
    if (s) {
      senders.delete(key);
    } else {
      if (senders.size >= maxSenders) senders.delete(senders.keys().next().value!);
      s = { clock: createDeviceClock(options.deviceClock), lastMs: 0 };
    }
    senders.set(key, s);
    return s;
  };

  const unwrap = (s: Sender, bootMs: number): number => {
    const base = Math.floor(s.lastMs / WRAP) * WRAP;
    if (s.lastMs - base > WRAP - WRAP_MARGIN_MS && bootMs < WRAP_MARGIN_MS) return base + WRAP + bootMs;
    return base + bootMs;
  };

  return {
    place(sysid, compid, message, payload, localMs) {
      const time = timeFieldOf(message);
      if (!time) return { timestampMs: localMs, source: 'arrival', restarted: false };
      const view = payloadView(message, payload);
      if (time.fix && Number(readElement(view, time.fix, 0)) < FIX_2D) return { timestampMs: localMs, source: 'arrival', restarted: false };
      const raw = readElement(view, time.field, 0);
      let deviceMs: number;
      if (time.kind === 'usec') {
        const us = Number(raw);
        if (us === 0) return { timestampMs: localMs, source: 'arrival', restarted: false };
        if (us >= unixThreshold) return { timestampMs: us / 1000, source: 'unix', restarted: false };
        deviceMs = us / 1000;
      } else {
        // 0 is a time the sender did not fill in (a companion's script), as time_usec 0 is: taken
        // for a boot clock that stands still, it would stamp every message at the first one's arrival.
        if (raw === 0) return { timestampMs: localMs, source: 'arrival', restarted: false };
        deviceMs = unwrap(sender(sysid, compid), raw as number);
      }
      const s = sender(sysid, compid);
      const silentReboot = rebootedInSilence(s, deviceMs, localMs);
      if (silentReboot) s.clock.reset();
      const placed = s.clock.place(deviceMs, localMs);
      const restarted = silentReboot || placed.restarted;
      s.lastMs = restarted ? deviceMs : Math.max(s.lastMs, deviceMs);
      s.lastLocalMs = localMs;
      return { timestampMs: placed.wallMs, source: 'boot', restarted, bootMs: deviceMs };
    },
    forget(sysid) {
      for (const key of [...senders.keys()]) if (key >> 8 === sysid) senders.delete(key);
    },
  };
}
