import { createTestContext, type TestContext } from '@fieldbridge/core/testing';
import { encodeAtc1441, type XiaomiValues } from '../../src/sim/encoders.js';
import type { Timers } from '../../src/_timers.js';
import { bleConfigSchema } from '../../src/config.js';
import { createBleSource, type BleSource, type BleSourceOptions } from '../../src/source.js';
import type { SimulatedDevice } from '../../src/sim/sim-device.js';
import { SimulatedBindings, type SimulatedBindingsOptions } from '../../src/sim/simulated-bindings.js';

/** 2026-01-01T00:00:00Z: the test clock's start. */
export const T0 = 1_767_225_600_000;

/** A BLE source on a test context over noble and a simulated adapter, with a clock the test moves. */
export interface SourceUnderTest {
  t: TestContext;
  sim: SimulatedBindings;
  source: BleSource;
  /** Sets the context clock (ms since the epoch): advert stamps read it, and its monotonic clock (silence, rates) moves with it. */
  setNow(ms: number): void;
  /**
   * Steps the context clock by `ms` without moving its monotonic clock, as the sink's clock does
   * when it learns the server's time: stamps move, elapsed time does not.
   */
  stepClock(ms: number): void;
}

/**
 * Creates the source for `section` (as a mapping file would hold it) on a fresh test context
 * (sharing `acrossReloads` with the others given one `reloadState`, as after a SIGHUP reload);
 * noble drives a simulated adapter with `devices`. Not started.
 */
export function sourceUnderTest(section: unknown, devices: SimulatedDevice[], options: { sim?: SimulatedBindingsOptions; timers?: Timers; bindings?: BleSourceOptions['bindings']; reloadState?: Map<string, unknown> } = {}): SourceUnderTest {
  const t = createTestContext({ bridge: 'ble', ...(options.reloadState ? { reloadState: options.reloadState } : {}) });
  let monotonic = T0;
  let offset = 0;
  t.ctx.clock = { ...t.ctx.clock, now: () => monotonic + offset, monotonicNow: () => monotonic, offsetMs: () => offset };
  const sim = new SimulatedBindings({ devices, ...options.sim });
  const source = createBleSource(bleConfigSchema.parse(section), t.ctx, { bindings: options.bindings ?? (() => sim), ...(options.timers ? { timers: options.timers } : {}), random: () => 0.5 });
  return { t, sim, source, setNow: (ms) => void (monotonic = ms - offset), stepClock: (ms) => void (offset += ms) };
}

/** An ATC1441 thermometer whose next advert the test sets: its values, or raw service data. */
export interface Thermometer extends SimulatedDevice {
  values: XiaomiValues;
  /** When set, sent instead of the encoded values. */
  raw?: Uint8Array;
}

export function thermometer(address: string, name?: string): Thermometer {
  const device: Thermometer = {
    address,
    ...(name ? { name } : {}),
    values: { mac: address, temperature: 21.5, humidity: 40, battery: 90, batteryVoltage: 3.01, counter: 0 },
    advertise: () => ({ serviceData: [{ uuid: '181a', data: device.raw ?? encodeAtc1441(device.values) }] }),
  };
  return device;
}

/**
 * Resolves once the simulated adapter's pending adverts were handled. It emits each one on a
 * later turn (setImmediate) and noble, the scanner and the source handle it synchronously then,
 * so an immediate queued after them runs after all of them: an ordering, not a delay.
 */
export function handled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
