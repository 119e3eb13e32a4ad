import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { parseRecordLine } from '../src/advert/record.js';
import { encodeAtc1441, encodeBthome, encodeRuuvi } from '../src/sim/encoders.js';
import { ManualTimers } from './helpers/manual-timers.js';
import { handled, sourceUnderTest, T0, thermometer } from './helpers/source.js';

const track = trackCleanups();
const KITCHEN = 'a4:c1:38:12:34:56';
const CELLAR = 'a4:c1:38:77:77:77';
const STRANGER = '11:22:33:44:55:66';

const kitchen = { name: 'kitchen', address: KITCHEN, decoder: 'atc' };

function started(section: unknown, devices: Parameters<typeof sourceUnderTest>[1], options: Parameters<typeof sourceUnderTest>[2] = {}) {
  const s = sourceUnderTest(section, devices, options);
  track.defer(() => s.source.stop());
  return s;
}

describe('the BLE source on noble over a simulated adapter', () => {
  it('makes each device heard an optional channel under the adapter; adverts nobody mapped cost one counter', async () => {
    const th = thermometer(KITCHEN, 'ATC_123456');
    const { t, sim, source } = started({ devices: [kitchen] }, [th, thermometer(STRANGER)]);
    await source.start();
    sim.advertise();
    await handled();
    expect(await t.metric('fieldbridge_ble_adverts_ignored_total', {})).toBe(1);
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([
      ['kitchen.temperature', 21.5], ['kitchen.humidity', 40], ['kitchen.battery', 90], ['kitchen.battery_voltage', 3.01], ['kitchen.counter', 0],
    ]);
    expect(t.points[0]).toEqual({ metric: 'kitchen.temperature', value: 21.5, timestamp: T0, tags: { device: 'kitchen', address: KITCHEN, unit: '°C' }, class: 'metric' });
    expect(Object.keys(t.channels()).sort()).toEqual(['adapter', 'kitchen']);
    expect(t.channels()).toMatchObject({ adapter: { state: 'connected', required: true }, kitchen: { state: 'connected', required: false } });
    expect(t.ready()).toBe(true);
    expect(await t.metric('fieldbridge_source_messages_total', { channel: 'kitchen' })).toBe(1);
    expect(await t.metric('fieldbridge_source_points_total', { channel: 'kitchen' })).toBe(5);
    expect(source.devices()).toEqual([{ channel: 'kitchen', device: 'kitchen', address: KITCHEN, name: 'ATC_123456', state: 'connected', lastHeardMs: T0 }]);
  });

  it('closes a device that goes silent, with a presence event, without making the bridge unready; heard again, it opens anew', async () => {
    const timers = new ManualTimers();
    const { t, sim, source, setNow } = started({ silent_after_s: 60, devices: [kitchen] }, [thermometer(KITCHEN)], { timers });
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.points.length === 5, 'the first advert');
    setNow(T0 + 59_000);
    timers.advance(15_000);
    expect(t.channels().kitchen?.state).toBe('connected');
    setNow(T0 + 60_000);
    timers.advance(15_000);
    expect(t.points.at(-1)).toEqual({ metric: 'kitchen.presence', value: 'silent', timestamp: T0 + 60_000, tags: { device: 'kitchen', address: KITCHEN } });
    expect(Object.keys(t.channels())).toEqual(['adapter']);
    expect(t.channels().adapter).toMatchObject({ state: 'connected', required: true });
    expect(t.states.filter((s) => s.channel === 'kitchen').map((s) => s.state)).toEqual(['connecting', 'connected', 'closed']);
    expect(t.ready()).toBe(true);
    expect(await t.metric('fieldbridge_ble_devices', {})).toBe(0);
    sim.advertise();
    await t.waitFor(() => t.channels().kitchen?.state === 'connected', 'kitchen heard again');
    expect(await t.metric('fieldbridge_ble_devices', {})).toBe(1);
  });

  it('says a device that went silent is back: heard again, its presence series turns present, before its values; only after a silence', async () => {
    const timers = new ManualTimers();
    const thermo = thermometer(KITCHEN);
    const { t, sim, source, setNow } = started({ silent_after_s: 60, devices: [kitchen] }, [thermo], { timers });
    await source.start();
    const presence = () => t.points.filter((p) => p.metric === 'kitchen.presence').map((p) => [p.value, p.timestamp]);
    sim.advertise();
    await t.waitFor(() => t.points.length === 5, 'the first advert');
    expect(presence()).toEqual([]);
    setNow(T0 + 60_000);
    timers.advance(15_000);
    setNow(T0 + 90_000);
    sim.advertise();
    await t.waitFor(() => t.channels().kitchen?.state === 'connected', 'kitchen heard again');
    thermo.values.counter = 1;
    sim.advertise();
    await t.waitFor(() => t.points.length === 17, 'two readings after the silence');
    expect(presence()).toEqual([['silent', T0 + 60_000], ['present', T0 + 90_000]]);
    expect(t.points[6]).toEqual({ metric: 'kitchen.presence', value: 'present', timestamp: T0 + 90_000, tags: { device: 'kitchen', address: KITCHEN } });
    expect(t.points[7]?.metric).toBe('kitchen.temperature');
  });

  it('says a device named by address that is never heard is silent, after its silent_after_s of scanning (not while the adapter is off), once; heard later, present', async () => {
    const timers = new ManualTimers();
    const { t, sim, source, setNow } = started({ silent_after_s: 60, devices: [kitchen] }, [thermometer(KITCHEN)], { timers });
    await source.start();
    sim.powerOff();
    await t.waitFor(() => !t.ready(), 'the adapter off');
    setNow(T0 + 120_000);
    timers.advance(120_000);
    expect(t.points).toEqual([]);
    sim.powerOn();
    await t.waitFor(() => t.ready(), 'scanning again');
    setNow(T0 + 179_000);
    timers.advance(15_000);
    expect(t.points).toEqual([]);
    setNow(T0 + 180_000);
    timers.advance(15_000);
    setNow(T0 + 300_000);
    timers.advance(60_000);
    expect(t.points).toEqual([{ metric: 'kitchen.presence', value: 'silent', timestamp: T0 + 180_000, tags: { device: 'kitchen', address: KITCHEN } }]);
    expect(t.channels().kitchen).toMatchObject({ state: 'connecting', reason: 'not heard in 1m of listening (silent_after_s 1m)' });
    expect(t.ready()).toBe(true);
    sim.advertise();
    await t.waitFor(() => t.points.length === 7, 'the device at last');
    expect(t.points[1]).toEqual({ metric: 'kitchen.presence', value: 'present', timestamp: T0 + 300_000, tags: { device: 'kitchen', address: KITCHEN } });
    expect(t.channels().kitchen?.state).toBe('connected');
  });

  it('says a device named by address never heard is silent once across a SIGHUP reload, not again after it', async () => {
    const reloadState = new Map<string, unknown>();
    const silent = (t: { points: { value: unknown }[] }) => t.points.filter((p) => p.value === 'silent').length;
    const timers = new ManualTimers();
    const before = started({ silent_after_s: 60, devices: [kitchen] }, [thermometer(KITCHEN)], { timers, reloadState });
    await before.source.start();
    before.setNow(T0 + 60_000);
    timers.advance(15_000);
    expect(silent(before.t)).toBe(1);
    await before.source.stop();

    const afterTimers = new ManualTimers();
    const after = started({ silent_after_s: 60, devices: [kitchen] }, [thermometer(KITCHEN)], { timers: afterTimers, reloadState });
    after.setNow(T0 + 70_000);
    await after.source.start();
    after.setNow(T0 + 130_000);
    afterTimers.advance(15_000);
    expect(silent(after.t)).toBe(0);
    expect(after.t.channels().kitchen).toMatchObject({ state: 'connecting', reason: 'not heard in 1m of listening (silent_after_s 1m)' });
    after.sim.advertise();
    await after.t.waitFor(() => after.t.points.length === 6, 'the device at last');
    expect(after.t.points[0]).toMatchObject({ metric: 'kitchen.presence', value: 'present' });
  });

  it("keeps a BTHome presence sensor's reading (object 0x25) apart from the bridge's own presence events: two series, not one of mixed values", async () => {
    const timers = new ManualTimers();
    const ROOM = 'a4:c1:38:b7:25:01';
    let packetId = 0;
    const sensor = { address: ROOM, advertise: () => ({ serviceData: [{ uuid: 'fcd2', data: encodeBthome([[0x25, false]], { packetId: packetId++ }) }] }) };
    const { t, sim, source, setNow } = started({ silent_after_s: 60, devices: [{ name: 'room', address: ROOM, decoder: 'bthome' }] }, [sensor], { timers });
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.points.length === 1, 'the first advert');
    setNow(T0 + 60_000);
    timers.advance(15_000);
    setNow(T0 + 90_000);
    sim.advertise();
    await t.waitFor(() => t.points.length === 4, 'the advert after the silence');
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([
      ['room.presence_detected', false],
      ['room.presence', 'silent'],
      ['room.presence', 'present'],
      ['room.presence_detected', false],
    ]);
  });

  it('says a device is back after a SIGHUP reload too: the silence announced before it is remembered', async () => {
    const reloadState = new Map<string, unknown>();
    const timers = new ManualTimers();
    const before = started({ silent_after_s: 60, devices: [kitchen] }, [thermometer(KITCHEN)], { timers, reloadState });
    await before.source.start();
    before.sim.advertise();
    await before.t.waitFor(() => before.t.points.length === 5, 'the first advert');
    before.setNow(T0 + 60_000);
    timers.advance(15_000);
    expect(before.t.points.at(-1)).toMatchObject({ metric: 'kitchen.presence', value: 'silent' });
    await before.source.stop();

    const after = started({ silent_after_s: 60, devices: [kitchen] }, [thermometer(KITCHEN)], { reloadState });
    after.setNow(T0 + 90_000);
    await after.source.start();
    after.sim.advertise();
    await after.t.waitFor(() => after.t.points.length === 6, 'the advert after the reload');
    expect(after.t.points[0]).toEqual({ metric: 'kitchen.presence', value: 'present', timestamp: T0 + 90_000, tags: { device: 'kitchen', address: KITCHEN } });
  });

  it('counts problems per device and kind, logs each episode once, ends it with a clean advert, and keeps going', async () => {
    const th = thermometer(KITCHEN);
    th.raw = Uint8Array.of(1, 2, 3);
    const { t, sim, source } = started({ devices: [kitchen] }, [th]);
    await source.start();
    sim.advertise();
    sim.advertise();
    await handled();
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'kitchen', kind: 'truncated' })).toBe(2);
    expect(t.problems.map((p) => [p.kind, p.key, p.logged])).toEqual([['report', 'ble.kitchen.truncated', true], ['report', 'ble.kitchen.truncated', false]]);
    expect(t.problems[0]?.message).toBe('kitchen (a4:c1:38:12:34:56) atc: service data 181a of 3 bytes is not the ATC1441 format (13 bytes)');
    th.raw = undefined;
    sim.advertise();
    await t.waitFor(() => t.points.length === 5, 'points again');
    expect(t.problems.at(-1)).toMatchObject({ kind: 'resolve', key: 'ble.kitchen.truncated' });
    expect(t.channels().kitchen?.state).toBe('connected');
  });

  it('says when a device is heard but its adverts carry nothing its decoder reads (a Ruuvi tag mapped as atc)', async () => {
    let ruuvi = true;
    const atc = thermometer(KITCHEN).values;
    const tag = { address: KITCHEN, advertise: () => (ruuvi ? { manufacturerData: encodeRuuvi({ temperature: 4.5 }) } : { serviceData: [{ uuid: '181a', data: encodeAtc1441(atc) }] }) };
    const { t, sim, source } = started({ devices: [kitchen] }, [tag]);
    await source.start();
    for (let i = 0; i < 9; i++) sim.advertise();
    await handled();
    expect(await t.metric('fieldbridge_source_messages_total', { channel: 'kitchen' })).toBe(9);
    expect(t.problems).toEqual([]);
    sim.advertise();
    sim.advertise();
    await t.waitFor(() => t.problems.length === 2, 'the tenth and eleventh adverts');
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'kitchen', kind: 'no_data' })).toBe(2);
    expect(t.problems.map((p) => [p.kind, p.key, p.logged])).toEqual([['report', 'ble.kitchen.no_data', true], ['report', 'ble.kitchen.no_data', false]]);
    expect(t.problems[0]?.message).toBe(`kitchen (${KITCHEN}) atc: none of its last 10 adverts carried service data 181a, which decoder atc reads; they look like ruuvi: check decoder (bridge-ble --scan lists each device's formats)`);
    ruuvi = false;
    sim.advertise();
    await t.waitFor(() => t.points.length === 5, 'points once its adverts carry ATC1441 data');
    expect(t.problems.at(-1)).toMatchObject({ kind: 'resolve', key: 'ble.kitchen.no_data' });
  });

  it('drops an ATC, pvvx or Ruuvi advert that repeats the last reading byte for byte (the firmwares advertise each reading several times), counted as duplicates; a new reading goes', async () => {
    const thermo = thermometer(KITCHEN);
    const FRIDGE = 'c7:3a:9e:01:02:03';
    let sequence = 1;
    const ruuvi = { address: FRIDGE, addressType: 'random' as const, advertise: () => ({ manufacturerData: encodeRuuvi({ temperature: 4, sequence, mac: FRIDGE }) }) };
    const { t, sim, source } = started({ devices: [kitchen, { name: 'fridge', address: FRIDGE, decoder: 'ruuvi' }] }, [thermo, ruuvi]);
    await source.start();
    for (let i = 0; i < 3; i++) {
      sim.advertise();
      await handled();
    }
    thermo.values.counter = 1;
    sequence = 2;
    sim.advertise();
    await t.waitFor(() => t.points.filter((p) => p.metric === 'kitchen.counter' || p.metric === 'fridge.measurement_sequence').length === 4, 'the next readings');
    expect(t.points.filter((p) => p.metric === 'kitchen.counter').map((p) => p.value)).toEqual([0, 1]);
    expect(t.points.filter((p) => p.metric === 'fridge.measurement_sequence').map((p) => p.value)).toEqual([1, 2]);
    expect(await t.metric('fieldbridge_ble_duplicates_total', {})).toBe(4);
    expect(await t.metric('fieldbridge_source_messages_total', { channel: 'kitchen' })).toBe(4);
  });

  it('counts the points of adverts heard while the sink is blocked as dropped: adverts cannot wait', async () => {
    const thermo = thermometer(KITCHEN);
    const { t, sim, source } = started({ devices: [kitchen] }, [thermo]);
    await source.start();
    t.setBlocked(true);
    sim.advertise();
    await handled();
    thermo.values.counter = 1;
    sim.advertise();
    await handled();
    expect(await t.metric('fieldbridge_source_points_dropped_total', { channel: 'kitchen', reason: 'blocked' })).toBe(10);
    expect(t.points).toEqual([]);
    t.setBlocked(false);
    // The same reading again: its first copies were dropped, so this one is no repeat.
    sim.advertise();
    await t.waitFor(() => t.points.length === 5, 'points once open');
  });

  it('holds back what max_rate_hz and on_change say, per series, counted as suppressed', async () => {
    const th = thermometer(KITCHEN);
    const { t, sim, source, setNow } = started({ devices: [{ ...kitchen, max_rate_hz: 1, on_change: true }] }, [th]);
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.points.length === 5, 'the first advert');
    setNow(T0 + 500);
    th.values.temperature = 22;
    th.values.counter = 1;
    sim.advertise();
    await handled();
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'kitchen', reason: 'rate' })).toBe(5);
    setNow(T0 + 1500);
    th.values.counter = 2;
    sim.advertise();
    await t.waitFor(() => t.points.length === 7, 'the changed values');
    expect(t.points.slice(5).map((p) => [p.metric, p.value, p.timestamp])).toEqual([['kitchen.temperature', 22, T0 + 1500], ['kitchen.counter', 2, T0 + 1500]]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'kitchen', reason: 'unchanged' })).toBe(3);
  });

  it('drops BTHome repeats (same packet id) and counts them', async () => {
    let packet = encodeBthome([[0x02, 21.5]], { packetId: 7 });
    const device = { address: KITCHEN, advertise: () => ({ serviceData: [{ uuid: 'fcd2', data: packet }] }) };
    const { t, sim, source } = started({ devices: [{ name: 'th', address: KITCHEN, decoder: 'bthome' }] }, [device]);
    await source.start();
    sim.advertise();
    sim.advertise();
    await handled();
    expect(await t.metric('fieldbridge_ble_duplicates_total', {})).toBe(1);
    packet = encodeBthome([[0x02, 22]], { packetId: 8 });
    sim.advertise();
    await t.waitFor(() => t.points.length === 2, 'the next packet');
    expect(t.points.map((p) => p.value)).toEqual([21.5, 22]);
    expect(await t.metric('fieldbridge_source_messages_total', { channel: 'th' })).toBe(3);
  });

  it('tracks at most max_devices under a name prefix, each its own channel; the rest are counted and ignored', async () => {
    const { t, sim, source } = started({ devices: [{ name: 'atc', local_name_prefix: 'ATC_', decoder: 'atc', max_devices: 1 }] }, [thermometer(KITCHEN, 'ATC_123456'), thermometer(CELLAR, 'ATC_777777')]);
    await source.start();
    sim.advertise();
    await handled();
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'adapter', kind: 'too_many_devices' })).toBe(1);
    expect(Object.keys(t.channels())).toEqual(['adapter', `atc/${KITCHEN}`]);
    expect(new Set(t.points.map((p) => p.tags?.address))).toEqual(new Set([KITCHEN]));
  });

  it('--record: appends every advert heard, matched or not, in the replay format', async () => {
    const dir = await track.tempDir('ble-record-');
    const file = join(dir, 'heard.ndjson');
    const { t, sim, source } = started({ record: file, devices: [kitchen] }, [thermometer(KITCHEN, 'ATC_123456'), thermometer(STRANGER)]);
    await source.start();
    sim.advertise();
    await handled();
    expect(await t.metric('fieldbridge_ble_recorded_total', { outcome: 'written' })).toBe(2);
    await source.stop();
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map(parseRecordLine);
    expect(lines.map((l) => (l.ok ? [l.advert.address, l.advert.name, l.advert.t] : l.reason))).toEqual([[KITCHEN, 'ATC_123456', T0], [STRANGER, undefined, T0]]);
  });

  it('ingest() feeds adverts from another radio through the same path', async () => {
    const { t, source } = started({ devices: [kitchen] }, []);
    // ATC1441 by hand: MAC, 0x00d7 = 215 (21.5 °C), 0x28 = 40 %, 0x59 = 89 %, 0x0bc2 = 3010 mV, counter 0x1f = 31.
    const line = parseRecordLine(`{"t":${T0},"address":"${KITCHEN}","address_type":"public","rssi":-70,"service_data":[{"uuid":"181a","data":"a4c13812345600d728590bc21f"}]}`);
    if (!line.ok) throw new Error(line.reason);
    source.ingest(line.advert);
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([
      ['kitchen.temperature', 21.5], ['kitchen.humidity', 40], ['kitchen.battery', 89], ['kitchen.battery_voltage', 3.01], ['kitchen.counter', 31],
    ]);
  });
});
