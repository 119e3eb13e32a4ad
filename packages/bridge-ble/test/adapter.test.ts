import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { isBleBridgeError } from '../src/errors.js';
import { SimulatedBindings } from '../src/sim/simulated-bindings.js';
import type { SimulatedDevice } from '../src/sim/sim-device.js';
import { ManualTimers } from './helpers/manual-timers.js';
import { handled, sourceUnderTest, T0, thermometer } from './helpers/source.js';

const track = trackCleanups();
const KITCHEN = 'a4:c1:38:12:34:56';
const STRAP = 'f0:0d:ca:fe:00:01';
const kitchen = { name: 'kitchen', address: KITCHEN, decoder: 'atc' };

function started(...args: Parameters<typeof sourceUnderTest>) {
  const s = sourceUnderTest(...args);
  track.defer(() => s.source.stop());
  return s;
}

const errno = (code: string, syscall: string): Error => Object.assign(new Error(`${code}, ${syscall}`), { code, syscall });

function strap(): SimulatedDevice {
  let beat = 0;
  return {
    address: STRAP,
    name: 'HRM-Pro',
    advertise: () => ({ serviceUuids: ['180d'] }),
    services: [
      { uuid: '180d', characteristics: [{ uuid: '2a37', properties: ['notify'], notify: () => Uint8Array.of(0x00, 60 + beat++) }] },
      { uuid: '180f', characteristics: [{ uuid: '2a19', properties: ['read'], read: () => Uint8Array.of(87) }] },
    ],
  };
}
const strapEntry = { name: 'strap', address: STRAP, decoder: 'gatt', characteristics: [{ uuid: '2a37', mode: 'notify' }, { service: '180f', uuid: '2a19', mode: 'read', interval_ms: '1h' }] };

describe('the adapter', () => {
  it('powering off makes the bridge unready, saying why; powered on, scanning and points resume', async () => {
    const { t, sim, source } = started({ devices: [kitchen] }, [thermometer(KITCHEN)]);
    await source.start();
    sim.powerOff();
    await t.waitFor(() => !t.ready(), 'unready');
    expect(t.channels().adapter?.state).toBe('disconnected');
    sim.powerOn();
    await t.waitFor(() => t.ready(), 'ready again');
    sim.advertise();
    await t.waitFor(() => t.points.length === 5, 'points after power-on');
    expect(sim.counts.scanStarts).toBe(2);
  });

  it('judges no device silent while the adapter is off: its silence counts from when scanning resumes', async () => {
    const timers = new ManualTimers();
    const { t, sim, source, setNow } = started({ silent_after_s: 60, devices: [kitchen] }, [thermometer(KITCHEN)], { timers });
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.points.length === 5, 'the first advert');
    sim.powerOff();
    await t.waitFor(() => !t.ready(), 'unready');
    setNow(T0 + 600_000);
    timers.advance(600_000);
    expect(t.points).toHaveLength(5);
    expect(t.channels().kitchen?.state).toBe('connected');
    sim.powerOn();
    await t.waitFor(() => t.ready(), 'scanning again');
    setNow(T0 + 659_000);
    timers.advance(59_000);
    expect(t.channels().kitchen?.state).toBe('connected');
    setNow(T0 + 660_000);
    timers.advance(15_000);
    expect(t.points.at(-1)).toMatchObject({ metric: 'kitchen.presence', value: 'silent', timestamp: T0 + 660_000 });
    expect(t.channels().kitchen).toBeUndefined();
  });

  it('when_missing exit: start() fails with what is missing and what to do (the command exits 1)', async () => {
    for (const [error, code, says] of [
      [errno('ENODEV', 'bind'), 'NO_ADAPTER', /no Bluetooth adapter found \(ENODEV in bind\(\)\).*rfkill unblock bluetooth/],
      [errno('EPERM', 'bind'), 'NO_PERMISSION', /cap_net_raw.*bluetooth group/],
      [errno('EAFNOSUPPORT', 'socket'), 'NO_BLUETOOTH', /no Bluetooth support \(EAFNOSUPPORT in socket\(\)/],
    ] as const) {
      const { t, source } = started({ devices: [kitchen] }, [], { sim: { initError: error } });
      const failure = await source.start().then(() => undefined, (err: unknown) => err);
      expect(isBleBridgeError(failure, code)).toBe(true);
      expect((failure as Error).message).toMatch(says);
      expect(t.channels().adapter?.state).toBe('failed');
    }
    const { source } = started({ devices: [kitchen] }, [], { sim: { initialState: 'unauthorized' } });
    await expect(source.start()).rejects.toThrow(/state unauthorized.*cap_net_raw/);
  });

  it('when_missing wait: keeps trying with the reconnect backoff until the adapter appears, then scans', async () => {
    const attempts: SimulatedBindings[] = [];
    const working = new SimulatedBindings({ devices: [thermometer(KITCHEN)] });
    const bindings = (): SimulatedBindings => {
      const next = attempts.length < 2 ? new SimulatedBindings({ initError: errno('ENODEV', 'bind') }) : working;
      attempts.push(next);
      return next;
    };
    const { t, source } = started({ adapter: { when_missing: 'wait' }, reconnect: { initial_ms: 10, max_ms: 20 }, devices: [kitchen] }, [], { bindings });
    await source.start();
    await t.waitFor(() => t.ready(), 'the adapter found on the third try');
    expect(attempts).toHaveLength(3);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'adapter', kind: 'no_adapter' })).toBe(2);
    expect(t.states.filter((s) => s.channel === 'adapter').map((s) => s.state)).toEqual(['connecting', 'disconnected', 'connected']);
    expect(t.problems.map((p) => [p.kind, p.key, p.logged])).toEqual([['report', 'ble.adapter.missing', true], ['report', 'ble.adapter.missing', false], ['resolve', 'ble.adapter.missing', undefined]]);
    working.advertise();
    await t.waitFor(() => t.points.length === 5, 'points');
  });

  it('stop() is prompt while the adapter has not answered, and leaves no timer behind', async () => {
    const timers = new ManualTimers();
    const { t, source, sim } = started({ devices: [kitchen] }, [thermometer(KITCHEN)], { timers, sim: { initialState: 'unknown' } });
    const starting = source.start();
    await handled();
    expect(timers.delays()).toEqual([10_000]);
    await source.stop();
    await starting;
    expect(timers.delays()).toEqual([]);
    expect(sim.counts.scanStarts).toBe(0);
    expect(t.points).toEqual([]);
  });
});

describe('GATT devices', () => {
  it('connect while scanning, read and subscribe, report the link on their channel, and reconnect after a drop', async () => {
    const { t, sim, source } = started({ reconnect: { initial_ms: 10, max_ms: 20 }, devices: [strapEntry] }, [strap()]);
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.channels().strap?.state === 'connected', 'connected');
    expect(t.channels().strap).toEqual({ state: 'connected', required: false });
    expect(t.points.map((p) => p.metric)).toEqual(['strap.battery']);
    sim.notifyAll();
    await t.waitFor(() => t.points.some((p) => p.metric === 'strap.heart_rate'), 'a notification');
    expect(t.points.map((p) => [p.metric, p.value, p.tags?.unit])).toEqual([['strap.battery', 87, '%'], ['strap.heart_rate', 60, 'bpm']]);
    expect(sim.dropConnection(STRAP)).toBe(true);
    await t.waitFor(() => t.channels().strap?.state === 'disconnected', 'the drop reported');
    expect(t.ready()).toBe(true);
    await t.waitFor(() => t.channels().strap?.state === 'connected', 'reconnected');
    sim.notifyAll();
    await t.waitFor(() => t.valuesOf('strap.heart_rate').length === 2, 'notifications again');
    expect(sim.counts.connects).toBe(2);
  });

  it('report characteristics the device lacks per device and kind, and keep the rest', async () => {
    const entry = { ...strapEntry, characteristics: [...strapEntry.characteristics, { uuid: '2a6e', mode: 'read' }] };
    const { t, sim, source } = started({ devices: [entry] }, [strap()]);
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.points.some((p) => p.metric === 'strap.battery'), 'the battery read');
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'strap', kind: 'missing_characteristic' })).toBe(1);
    expect(t.problems.find((p) => p.kind === 'report')).toMatchObject({ key: 'ble.strap.missing_characteristic', message: 'strap has no characteristic 2a6e' });
  });
});
