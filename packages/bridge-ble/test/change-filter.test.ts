import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { parseRecordLine } from '../src/advert/record.js';
import { bleConfigSchema } from '../src/config.js';
import { decodeReadingPoints } from '../src/decode.js';
import { resolveBle } from '../src/resolve.js';
import { sourceUnderTest, T0 } from './helpers/source.js';

const track = trackCleanups();
const SWITCH = 'a4:c1:38:00:00:3a';
const KITCHEN = 'a4:c1:38:12:34:56';

function started(section: unknown) {
  const s = sourceUnderTest(section, []);
  track.defer(() => s.source.stop());
  const hear = (t: number, address: string, uuid: string, data: string): void => {
    const line = parseRecordLine(`{"t":${t},"address":"${address}","address_type":"public","rssi":-70,"service_data":[{"uuid":"${uuid}","data":"${data}"}]}`);
    if (!line.ok) throw new Error(line.reason);
    s.source.ingest(line.advert);
  };
  return { ...s, hear };
}

// BTHome v2 service data written by hand from https://bthome.io/format/: device info 0x40
// (version 2, not encrypted), packet id (object 0x00), temperature 0x02 0x09ca = 2506 x 0.01 =
// 25.06 °C, button 0x3a with event 0x01 (press; the spec's example 3A01), dimmer 0x3c with
// event 0x01 and 3 steps (rotate left; the spec's example 3C0103).
const bthome = (packetId: number, objects: string): string => `4000${packetId.toString(16).padStart(2, '0')}${objects}`;

describe('on_change and events', () => {
  it('sends every button press and dimmer turn, each a new event, while holding back unchanged states', async () => {
    const { t, hear } = started({ devices: [{ name: 'switch', address: SWITCH, decoder: 'bthome', on_change: true }] });
    hear(T0, SWITCH, 'fcd2', bthome(1, '02ca093a01'));
    hear(T0 + 10_000, SWITCH, 'fcd2', bthome(2, '02ca093a01'));
    hear(T0 + 20_000, SWITCH, 'fcd2', bthome(3, '3c0103'));
    hear(T0 + 30_000, SWITCH, 'fcd2', bthome(4, '3c0103'));
    expect(t.points.map((p) => [p.metric, p.value, p.timestamp, p.tags?.steps])).toEqual([
      ['switch.temperature', 25.06, T0, undefined],
      ['switch.button', 'press', T0, undefined],
      ['switch.button', 'press', T0 + 10_000, undefined],
      ['switch.dimmer', 'rotate_left', T0 + 20_000, '3'],
      ['switch.dimmer', 'rotate_left', T0 + 30_000, '3'],
    ]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'switch', reason: 'unchanged' })).toBe(1);
  });

  it('still limits events to max_rate_hz, counted as rate', async () => {
    const { t, hear } = started({ devices: [{ name: 'switch', address: SWITCH, decoder: 'bthome', on_change: true, max_rate_hz: 1 }] });
    hear(T0, SWITCH, 'fcd2', bthome(1, '3a01'));
    hear(T0 + 500, SWITCH, 'fcd2', bthome(2, '3a01'));
    hear(T0 + 1000, SWITCH, 'fcd2', bthome(3, '3a01'));
    expect(t.points.map((p) => [p.value, p.timestamp])).toEqual([['press', T0], ['press', T0 + 1000]]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'switch', reason: 'rate' })).toBe(1);
  });
});

describe('events from GATT', () => {
  it('marks RR intervals as events: each is one heartbeat, so an equal interval is a new one', () => {
    const section = bleConfigSchema.parse({ devices: [{ name: 'strap', address: 'f0:0d:ca:fe:00:01', decoder: 'gatt', on_change: true, characteristics: [{ uuid: '2a37', mode: 'notify' }] }] });
    const device = resolveBle(section).config.devices[0]!;
    // Heart Rate Measurement by hand: flags 0x10 (uint8 rate, RR present), 0x48 = 72 bpm, RR 0x0400/1024 = 1 s.
    const result = decodeReadingPoints({ address: 'f0:0d:ca:fe:00:01', data: Buffer.from('10480004', 'hex'), t: T0 }, device, device.characteristics[0]!);
    expect(result.points.map((p) => [p.metric, p.value, result.events?.has(p) === true])).toEqual([['strap.heart_rate', 72, false], ['strap.rr_interval', 1, true]]);
  });
});

describe('max_interval', () => {
  // BTHome v2 service data by hand, without a packet id (so no advert is a repeat): device info
  // 0x40, battery 0x01 0x59 = 89 %, temperature 0x02 0x0866 = 2150 x 0.01 = 21.5 °C, humidity
  // 0x03 0x0fa0 = 4000 x 0.01 = 40 %: three measurements, the same in every advert.
  const steady = '40015902660803a00f';

  it('sends an unchanged value again once the last one sent is max_interval old, with the next advert', async () => {
    const { t, hear } = started({ on_change: true, max_interval: '1m', devices: [{ name: 'kitchen', address: KITCHEN, decoder: 'bthome' }] });
    hear(T0, KITCHEN, 'fcd2', steady);
    hear(T0 + 30_000, KITCHEN, 'fcd2', steady);
    hear(T0 + 59_999, KITCHEN, 'fcd2', steady);
    hear(T0 + 60_000, KITCHEN, 'fcd2', steady);
    hear(T0 + 90_000, KITCHEN, 'fcd2', steady);
    expect(t.points.map((p) => p.timestamp)).toEqual([...Array(3).fill(T0), ...Array(3).fill(T0 + 60_000)]);
    expect(t.points.slice(3).map((p) => [p.metric, p.value])).toEqual([['kitchen.battery', 89], ['kitchen.temperature', 21.5], ['kitchen.humidity', 40]]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'kitchen', reason: 'unchanged' })).toBe(9);
  });

  it('takes a device\'s own max_interval over the section\'s', () => {
    const { t, hear } = started({
      on_change: true,
      max_interval: '1h',
      devices: [{ name: 'kitchen', address: KITCHEN, decoder: 'bthome', max_interval: 10_000 }],
    });
    for (const dt of [0, 9_999, 10_000, 15_000]) hear(T0 + dt, KITCHEN, 'fcd2', steady);
    expect(t.points.map((p) => p.timestamp)).toEqual([...Array(3).fill(T0), ...Array(3).fill(T0 + 10_000)]);
  });
});
