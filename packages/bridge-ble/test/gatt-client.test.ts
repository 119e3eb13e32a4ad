import { afterEach, describe, expect, it } from 'vitest';
import { createScanner } from '../src/adapter/scanner.js';
import { isBleBridgeError } from '../src/errors.js';
import { decodeCharacteristic } from '../src/gatt/characteristics.js';
import { createGattClient, type GattClient } from '../src/gatt/gatt-client.js';
import type { GattEvent, GattReading, GattTarget } from '../src/gatt/gatt-types.js';
import type { SimulatedDevice } from '../src/sim/sim-device.js';
import { Collector } from './helpers/collector.js';
import { ManualTimers } from './helpers/manual-timers.js';
import { simulatedNoble } from './helpers/sim.js';

const STRAP = 'f0:0d:ca:fe:00:01';
const SCALE = 'f0:0d:ca:fe:00:02';

function strap(address = STRAP): SimulatedDevice {
  let beat = 0;
  return {
    address,
    name: 'HRM-Pro',
    advertise: () => ({ serviceUuids: ['180d'] }),
    services: [
      { uuid: '180d', characteristics: [
        { uuid: '2a37', properties: ['notify'], notify: () => Uint8Array.of(0x06, 60 + (beat++ % 10)) },
        { uuid: '2a38', properties: ['read'], read: () => Uint8Array.of(1) },
      ] },
      { uuid: '180f', characteristics: [{ uuid: '2a19', properties: ['read'], read: () => Uint8Array.of(87) }] },
    ],
  };
}

const strapTarget = (name = 'strap', address = STRAP): GattTarget => ({
  name,
  address,
  characteristics: [
    { service: '180d', characteristic: '2a37', mode: 'notify' },
    { characteristic: '0x2A38', mode: 'read', intervalMs: 3_600_000 },
    { service: '0000180f-0000-1000-8000-00805f9b34fb', characteristic: '2a19', mode: 'read', intervalMs: 60_000 },
  ],
});

const clients: GattClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
});

async function setup(devices: SimulatedDevice[], targets: GattTarget[], maxConnections?: number) {
  const timers = new ManualTimers();
  const loaded = await simulatedNoble({ devices });
  const scanner = createScanner(loaded, { onAdvert: () => undefined, timers });
  const readings = new Collector<GattReading>();
  const events = new Collector<GattEvent>();
  const client = createGattClient(loaded, { targets, onReading: readings.push, onEvent: events.push, timers, random: () => 0.5, ...(maxConnections ? { maxConnections } : {}) });
  clients.push(client);
  await scanner.start();
  client.start();
  loaded.sim.advertise();
  const connected = (n: number) => events.until(n, `${n} events`).then(() => events.items);
  return { ...loaded, timers, readings, events, client, connected, scanner };
}

const kinds = (events: GattEvent[]) => events.map((e) => `${e.type} ${e.device}`);
const waitFor = async (events: Collector<GattEvent>, type: GattEvent['type'], nth = 1) => {
  for (;;) {
    const found = events.items.filter((e) => e.type === type);
    if (found.length >= nth) return found[nth - 1]!;
    await events.until(events.items.length + 1, `${type} #${nth}`);
  }
};

describe('the GATT client through noble on the simulated adapter', () => {
  it('connects, reads on an interval and subscribes to notifications', async () => {
    const t = await setup([strap()], [strapTarget()]);
    await waitFor(t.events, 'connected');
    expect(kinds(t.events.items)).toEqual(['connecting strap', 'connected strap']);
    const initial = await t.readings.until(2);
    expect(initial.map((r) => [r.characteristic, r.notification, decodeCharacteristic(r.characteristic, r.data).measurements[0]?.value])).toEqual([
      ['2a38', false, 'chest'],
      ['2a19', false, 87],
    ]);
    t.sim.notifyAll();
    t.sim.notifyAll();
    const notified = (await t.readings.until(4)).slice(2);
    expect(notified.map((r) => [r.service, r.characteristic, r.notification, decodeCharacteristic('2a37', r.data).measurements[0]?.value])).toEqual([
      ['180d', '2a37', true, 60],
      ['180d', '2a37', true, 61],
    ]);
    const reads = t.sim.counts.reads;
    expect(t.timers.delays()).toEqual([60_000, 3_600_000]);
    t.timers.advance(60_000);
    const [, , , , next] = await t.readings.until(5);
    expect(next?.characteristic).toBe('2a19');
    expect(t.sim.counts.reads).toBe(reads + 1);
    expect(t.client.status()).toEqual([{ device: 'strap', address: STRAP, state: 'connected', failures: 0, readings: 5 }]);
  });

  it('reconnects a device that drops, after the backoff delay', async () => {
    const t = await setup([strap()], [strapTarget()]);
    await waitFor(t.events, 'connected');
    expect(t.sim.dropConnection(STRAP)).toBe(true);
    const dropped = await waitFor(t.events, 'disconnected');
    expect(dropped).toMatchObject({ device: 'strap', retryInMs: 1000, reason: expect.stringContaining('0x13') });
    expect(t.client.status()[0]?.state).toBe('backoff');
    expect(t.sim.notifyAll()).toBe(0);
    t.timers.advance(1000);
    await waitFor(t.events, 'connected', 2);
    expect(t.sim.counts.connects).toBe(2);
    t.sim.notifyAll();
    const last = (await t.readings.until(5)).at(-1);
    expect(last?.notification).toBe(true);
  });

  it('times out an attempt to a device out of range and retries with growing delays', async () => {
    const t = await setup([strap()], [strapTarget()]);
    t.sim.setReachable(STRAP, false);
    await waitFor(t.events, 'connecting');
    t.timers.advance(10_000);
    const first = await waitFor(t.events, 'connect_failed');
    expect(first).toMatchObject({ retryInMs: 1000 });
    expect(first.type === 'connect_failed' && isBleBridgeError(first.error, 'GATT_TIMEOUT')).toBe(true);
    t.timers.advance(1000);
    await waitFor(t.events, 'connecting', 2);
    t.timers.advance(10_000);
    expect(await waitFor(t.events, 'connect_failed', 2)).toMatchObject({ retryInMs: 2000 });
    t.sim.setReachable(STRAP, true);
    t.timers.advance(2000);
    await waitFor(t.events, 'connected');
    expect(t.client.status()[0]).toMatchObject({ state: 'connected', failures: 0 });
  });

  it('sets connections up one at a time and holds no more than allowed', async () => {
    const t = await setup([strap(STRAP), strap(SCALE)], [strapTarget('a', STRAP), strapTarget('b', SCALE)], 1);
    await waitFor(t.events, 'connected');
    expect(kinds(t.events.items)).toEqual(['connecting a', 'connected a']);
    expect(t.client.status().map((s) => s.state)).toEqual(['connected', 'queued']);
    t.sim.dropConnection(STRAP);
    await waitFor(t.events, 'connected', 2);
    expect(kinds(t.events.items)).toEqual(['connecting a', 'connected a', 'disconnected a', 'connecting b', 'connected b']);
    expect(t.sim.connections()).toEqual([SCALE]);
  });

  it('queues attempts: the second device starts connecting only once the first is set up', async () => {
    const t = await setup([strap(STRAP), strap(SCALE)], [strapTarget('a', STRAP), strapTarget('b', SCALE)], 2);
    await waitFor(t.events, 'connected', 2);
    expect(kinds(t.events.items)).toEqual(['connecting a', 'connected a', 'connecting b', 'connected b']);
    expect(t.sim.connections()).toEqual([STRAP, SCALE]);
  });

  it('reports characteristics the device lacks and keeps the others', async () => {
    const target = strapTarget();
    target.characteristics.push({ characteristic: '2a6e', mode: 'read' });
    const t = await setup([strap()], [target]);
    await waitFor(t.events, 'connected');
    expect(t.events.items.find((e) => e.type === 'missing')).toMatchObject({ characteristic: '2a6e', message: 'strap has no characteristic 2a6e' });
    const none = await setup([strap()], [{ name: 'x', address: STRAP, characteristics: [{ characteristic: 'fff1', mode: 'notify' }] }]);
    expect(await waitFor(none.events, 'connect_failed')).toMatchObject({ error: expect.objectContaining({ code: 'CONNECT_FAILED' }) });
  });

  it('survives the adapter powering off: reconnects once it is back', async () => {
    const t = await setup([strap()], [strapTarget()]);
    await waitFor(t.events, 'connected');
    t.sim.powerOff();
    await waitFor(t.events, 'disconnected');
    t.timers.advance(1000);
    await waitFor(t.events, 'connect_failed');
    t.sim.powerOn();
    t.timers.advance(2000);
    await waitFor(t.events, 'connected', 2);
    expect(t.sim.connections()).toEqual([STRAP]);
  });

  it('stops: disconnects and does not come back', async () => {
    const t = await setup([strap()], [strapTarget()]);
    await waitFor(t.events, 'connected');
    await t.client.stop();
    expect(t.sim.connections()).toEqual([]);
    expect(t.client.status()[0]?.state).toBe('stopped');
    t.timers.advance(3_600_000);
    expect(t.timers.delays()).toEqual([]);
  });

  it('refuses bad targets once, naming them', async () => {
    const { noble } = await simulatedNoble();
    const make = (targets: GattTarget[]) => () => createGattClient({ noble }, { targets, onReading: () => undefined });
    expect(make([{ name: 'x', address: 'nope', characteristics: [{ characteristic: '2a19', mode: 'read' }] }])).toThrow(/GATT device x: "nope" is not a Bluetooth address/);
    expect(make([{ name: 'x', address: STRAP, characteristics: [{ characteristic: 'zz', mode: 'read' }] }])).toThrow(/not a service\/characteristic UUID/);
    expect(make([{ name: 'x', address: STRAP, characteristics: [{ characteristic: '2a19', mode: 'read', intervalMs: 10 }] }])).toThrow(/below 100 ms/);
    expect(make([strapTarget('a'), strapTarget('b')])).toThrow(/mapped twice/);
  });
});
