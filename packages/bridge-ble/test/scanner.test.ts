import { describe, expect, it } from 'vitest';
import { createScanner, type ScannerStatus, type ScanProblemKind } from '../src/adapter/scanner.js';
import type { Advert } from '../src/advert/advert.js';
import { isBleBridgeError } from '../src/errors.js';
import { Collector, once } from './helpers/collector.js';
import { ManualTimers } from './helpers/manual-timers.js';
import { simulatedNoble } from './helpers/sim.js';

const hex = (s: string): Uint8Array => Buffer.from(s.replace(/\s/g, ''), 'hex');

const thermometer = {
  address: 'A4:C1:38:12:34:56',
  name: 'ATC_123456',
  rssi: -67,
  advertise: () => ({ serviceData: [{ uuid: '181a', data: hex('a4c138123456 00ea 2d 57 0b86 11') }], serviceUuids: ['181a'], txPowerLevel: 4 }),
};
const ruuvi = { address: 'c7:3a:9e:01:02:03', addressType: 'random' as const, advertise: () => ({ manufacturerData: hex('9904 0512fc5394c37c0004fffc040cac364200cdcbb8334c884f'), rssi: -80 }) };

function scannerOn(loaded: Awaited<ReturnType<typeof simulatedNoble>>, extra: { mode?: 'active' | 'passive'; timers?: ManualTimers } = {}) {
  const adverts = new Collector<Advert>();
  const statuses = new Collector<ScannerStatus>();
  const problems = new Collector<[ScanProblemKind, string]>();
  let t = 1_767_225_600_000;
  const scanner = createScanner(loaded, {
    ...extra,
    onAdvert: adverts.push,
    onStatus: (s) => statuses.push(s),
    onProblem: (kind, message) => problems.push([kind, message]),
    now: () => t++,
  });
  return { scanner, adverts, statuses, problems };
}

describe('scanning through noble on the simulated adapter', () => {
  it('turns discoveries into adverts, duplicates included, with service-data UUIDs kept', async () => {
    const loaded = await simulatedNoble({ devices: [thermometer, ruuvi] });
    const { scanner, adverts } = scannerOn(loaded);
    await scanner.start();
    expect(scanner.status).toBe('scanning');
    loaded.sim.advertise();
    loaded.sim.advertise(thermometer.address);
    await adverts.until(3);
    const [first, second, third] = adverts.items;
    expect(first).toEqual({
      t: 1_767_225_600_000, address: 'a4:c1:38:12:34:56', addressType: 'public', name: 'ATC_123456', rssi: -67, txPower: 4,
      serviceData: [{ uuid: '181a', data: expect.any(Uint8Array) }], serviceUuids: ['181a'],
    });
    expect(Buffer.from(first!.serviceData![0]!.data).toString('hex')).toBe('a4c13812345600ea2d570b8611');
    expect(second).toMatchObject({ address: 'c7:3a:9e:01:02:03', addressType: 'random', rssi: -80 });
    expect(Buffer.from(second!.manufacturerData!).toString('hex').slice(0, 6)).toBe('990405');
    expect(third?.address).toBe('a4:c1:38:12:34:56');
    expect(scanner.adverts).toBe(3);
    await scanner.stop();
  });

  it('survives the adapter powering off and on: scanning resumes by itself', async () => {
    const loaded = await simulatedNoble({ devices: [thermometer] });
    const { scanner, adverts, statuses } = scannerOn(loaded);
    await scanner.start();
    loaded.sim.powerOff();
    await statuses.until(3, 'powered_off'); // starting, scanning, powered_off
    expect(loaded.sim.advertise()).toBe(0);
    loaded.sim.powerOn();
    await statuses.until(4, 'scanning again');
    expect(statuses.items).toEqual(['starting', 'scanning', 'powered_off', 'scanning']);
    expect(loaded.sim.counts.scanStarts).toBe(2);
    loaded.sim.advertise();
    await adverts.until(1);
    await scanner.stop();
  });

  it('waits for an adapter that starts powered off instead of failing', async () => {
    const loaded = await simulatedNoble({ devices: [thermometer], initialState: 'poweredOff' });
    const { scanner, statuses } = scannerOn(loaded);
    await scanner.start();
    expect(scanner.status).toBe('powered_off');
    loaded.sim.powerOn();
    await statuses.until(3);
    expect(scanner.status).toBe('scanning');
    await scanner.stop();
  });

  it.each([
    ['unauthorized', 'NO_PERMISSION', /cap_net_raw.*bluetooth group/],
    ['unsupported', 'UNSUPPORTED_ADAPTER', /does not support Bluetooth Low Energy/],
  ] as const)('refuses to start when the adapter is %s', async (state, code, message) => {
    const loaded = await simulatedNoble({ initialState: state });
    const { scanner } = scannerOn(loaded);
    const err = await scanner.start().catch((e: unknown) => e);
    expect(isBleBridgeError(err, code)).toBe(true);
    expect((err as Error).message).toMatch(message);
    expect(scanner.status).toBe('stopped');
  });

  it.each([
    ['EAFNOSUPPORT', 'NO_BLUETOOTH', /no Bluetooth support/],
    ['EPERM', 'NO_PERMISSION', /cap_net_raw/],
    ['ENODEV', 'NO_ADAPTER', /no Bluetooth adapter found/],
  ] as const)('explains a socket error %s from opening the adapter', async (errno, code, message) => {
    const initError = Object.assign(new Error(`${errno}, simulated`), { code: errno, syscall: errno === 'ENODEV' ? 'bind' : 'socket' });
    const loaded = await simulatedNoble({ initError });
    const err = await scannerOn(loaded).scanner.start().catch((e: unknown) => e);
    expect(isBleBridgeError(err, code)).toBe(true);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).cause).toBe(initError);
  });

  it('gives up with NO_ADAPTER when the adapter never reports a state', async () => {
    const timers = new ManualTimers();
    const loaded = await simulatedNoble({ initialState: 'unknown' });
    const { scanner } = scannerOn(loaded, { timers });
    const started = scanner.start().catch((e: unknown) => e);
    await once<[string]>((l) => (loaded.sim.on('stateChange', l), () => loaded.sim.off('stateChange', l)));
    timers.advance(10_000);
    const err = await started;
    expect(isBleBridgeError(err, 'NO_ADAPTER')).toBe(true);
  });

  it('scans passively when asked: no scan responses, so no names', async () => {
    const loaded = await simulatedNoble({ devices: [thermometer] });
    const { scanner, adverts } = scannerOn(loaded, { mode: 'passive' });
    await scanner.start();
    loaded.sim.advertise();
    const [advert] = await adverts.until(1);
    expect(advert?.name).toBeUndefined();
    expect(advert?.serviceData).toHaveLength(1);
    await scanner.stop();
  });

  it('does not repeat manufacturer data noble kept from an earlier frame of the device', async () => {
    let frame = 0;
    const alternating = {
      address: '0c:f3:ee:00:00:01',
      advertise: () => (frame++ % 2 === 0 ? { manufacturerData: hex('4c00 0215 e2c56db5dffb48d2b060d0f5a71096e0 0001 0002 c5') } : { serviceData: [{ uuid: 'feaa', data: hex('20 00 0bb8 1580 000003e8 00008ca0') }] }),
    };
    const loaded = await simulatedNoble({ devices: [alternating] });
    const { scanner, adverts } = scannerOn(loaded);
    await scanner.start();
    for (let i = 0; i < 3; i++) loaded.sim.advertise();
    const [ibeacon, eddystone, again] = await adverts.until(3);
    expect(ibeacon?.manufacturerData).toBeDefined();
    expect(eddystone?.manufacturerData).toBeUndefined();
    expect(eddystone?.serviceData?.[0]?.uuid).toBe('feaa');
    expect(again?.manufacturerData).toBeDefined();
    await scanner.stop();
  });

  it('restarts a scan that stopped on its own, after its restart delay', async () => {
    const timers = new ManualTimers();
    const loaded = await simulatedNoble({ devices: [thermometer] });
    const { scanner, adverts } = scannerOn(loaded, { timers });
    await scanner.start();
    loaded.sim.stopScanning(); // as when another program turns the scan off
    await once<[]>((l) => (loaded.noble.on('scanStop', l), () => loaded.noble.off('scanStop', l)));
    expect(timers.delays()).toEqual([1000]);
    const restarted = once<[]>((l) => (loaded.noble.on('scanStart', l), () => loaded.noble.off('scanStart', l)));
    timers.advance(1000);
    await restarted;
    expect(loaded.sim.counts.scanStarts).toBe(2);
    loaded.sim.advertise();
    await adverts.until(1);
    await scanner.stop();
  });

  it('drops fields past the advert limits and says so', async () => {
    const loaded = await simulatedNoble({ devices: [{ address: 'de:ad:be:ef:00:01', advertise: () => ({ manufacturerData: new Uint8Array(300), serviceData: [{ uuid: 'fcd2', data: hex('40') }] }) }] });
    const { scanner, adverts, problems } = scannerOn(loaded);
    await scanner.start();
    loaded.sim.advertise();
    const [advert] = await adverts.until(1);
    expect(advert?.manufacturerData).toBeUndefined();
    expect(advert?.serviceData).toHaveLength(1);
    expect(problems.items).toEqual([['oversized', 'de:ad:be:ef:00:01: dropped manufacturer_data past the advert size limits']]);
    await scanner.stop();
  });

  it('stops: no more adverts, and the scan is switched off in the adapter', async () => {
    const loaded = await simulatedNoble({ devices: [thermometer] });
    const { scanner, adverts } = scannerOn(loaded);
    await scanner.start();
    await scanner.stop();
    expect(loaded.sim.isScanning).toBe(false);
    expect(loaded.sim.advertise()).toBe(0);
    expect(adverts.items).toEqual([]);
    expect(scanner.status).toBe('stopped');
    await scanner.stop();
  });
});

describe("noble's memory of devices", () => {
  it('forgets the least recently heard devices past maxDevices, but never a kept one', async () => {
    const devices = Array.from({ length: 30 }, (_, i) => ({ address: `de:ad:be:ef:00:${i.toString(16).padStart(2, '0')}`, addressType: 'random' as const, advertise: () => ({ manufacturerData: hex('ffff01') }) }));
    const loaded = await simulatedNoble({ devices });
    const adverts = new Collector<Advert>();
    const scanner = createScanner(loaded, { onAdvert: adverts.push, maxDevices: 10, keepDevice: (a) => a === 'de:ad:be:ef:00:00' });
    await scanner.start();
    loaded.sim.advertise();
    await adverts.until(30);
    // What is under test is noble's own table, so the test reads it.
    const known = Object.keys((loaded.noble as unknown as { _peripherals: Record<string, unknown> })._peripherals);
    expect(known).toHaveLength(10);
    expect(known).toContain('deadbeef0000');
    expect(known).toContain('deadbeef001d');
    loaded.sim.advertise('de:ad:be:ef:00:01');
    await adverts.until(31);
    expect(adverts.items.at(-1)?.address).toBe('de:ad:be:ef:00:01');
    await scanner.stop();
  });
});

describe('stopping while starting', () => {
  it('switches the scan off again when stop() comes before the scan confirmed its start', async () => {
    const loaded = await simulatedNoble({ devices: [thermometer] });
    const { scanner } = scannerOn(loaded);
    const started = scanner.start();
    await once<[string]>((l) => (loaded.noble.on('stateChange', l), () => loaded.noble.off('stateChange', l)));
    await scanner.stop();
    await started;
    await once<[]>((l) => (loaded.noble.on('scanStop', l), () => loaded.noble.off('scanStop', l)));
    expect(loaded.sim.isScanning).toBe(false);
    expect(scanner.status).toBe('stopped');
  });
});

describe('stopping before the adapter answered', () => {
  it('never starts the scan', async () => {
    const loaded = await simulatedNoble({ devices: [thermometer] });
    const { scanner } = scannerOn(loaded);
    const started = scanner.start();
    await scanner.stop();
    await started;
    await new Promise((resolve) => setImmediate(resolve));
    expect(loaded.sim.counts.scanStarts).toBe(0);
    expect(scanner.status).toBe('stopped');
  });
});
