import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { section, startSource } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

const track = trackCleanups();
const broker = sharedMosquitto();

/** A Tasmota `tele/<topic>/SENSOR` payload: `Time` is the device's local time, without a zone. */
const tasmota = (time: string, power: number): string =>
  JSON.stringify({ Time: time, ENERGY: { TotalStartTime: '2026-01-10T09:00:00', Total: 3.705, Yesterday: 0.028, Today: 0.026, Period: 1, Power: power, ApparentPower: power, ReactivePower: 0, Factor: 1, Voltage: 233, Current: 0.021 } });

describe('device times without a zone, through mosquitto', () => {
  it('reads Tasmota\'s local Time in the subscription\'s time_zone, across both daylight-saving changes, and Shelly Gen2\'s ts in seconds', async () => {
    const { t, subscribed } = await startSource(
      section({
        url: broker.url,
        subscriptions: [
          { topic: 'tz1/tele/+/SENSOR', metric: 'tasmota.{topic.2}.power', value: '$.ENERGY.Power', timestamp: { path: '$.Time', time_zone: 'Europe/Berlin' } },
          {
            topic: 'tz1/+/events/rpc',
            metric: 'shelly.{topic.1}.{field}',
            optional: true,
            timestamp: { path: '$.params.ts', unit: 's' },
            fields: { apower: "$.params['switch:0'].apower", output: { value: "$.params['switch:0'].output", type: 'boolean' } },
          },
        ],
      }),
      {},
      track,
    );
    await subscribed();
    const pub = await broker.publisher(track);
    // Expected instants by hand from the zone's rules: Berlin is UTC+2 in summer, UTC+1 in winter;
    // on 2026-10-25 03:00 summer time goes back to 02:00, so 02:30 comes twice (the earlier, summer-time one is taken),
    // and on 2026-03-29 02:00 jumps to 03:00, so 02:30 does not exist (read with the offset before the jump, +01:00).
    const cases: [string, string][] = [
      ['2026-07-01T12:00:00', '2026-07-01T10:00:00.000Z'],
      ['2026-12-03T14:05:10', '2026-12-03T13:05:10.000Z'],
      ['2026-10-25T01:30:00', '2026-10-24T23:30:00.000Z'],
      ['2026-10-25T02:30:00', '2026-10-25T00:30:00.000Z'],
      ['2026-10-25T02:30:00+01:00', '2026-10-25T01:30:00.000Z'],
      ['2026-10-25T03:30:00', '2026-10-25T02:30:00.000Z'],
      ['2026-03-29T02:30:00', '2026-03-29T01:30:00.000Z'],
    ];
    for (const [i, [time]] of cases.entries()) await pub.publish('tz1/tele/plug1/SENSOR', tasmota(time, i));
    const shelly = (params: Record<string, unknown>): string => JSON.stringify({ src: 'shellyplus1pm-a8032ab12345', dst: 'shellyplus1pm-a8032ab12345/events', method: 'NotifyStatus', params });
    await pub.publish('tz1/shellyplus1pm-a8032ab12345/events/rpc', shelly({ ts: 1782907200.52, 'switch:0': { id: 0, apower: 12.3 } }));
    await pub.publish('tz1/shellyplus1pm-a8032ab12345/events/rpc', shelly({ ts: 1782907260.08, 'switch:0': { id: 0, output: false, source: 'button' } }));
    await t.waitFor(() => t.points.length === cases.length + 2, 'every point');

    const tasmotaPoints = t.points.filter((p) => p.metric === 'tasmota.plug1.power');
    expect(tasmotaPoints.map((p) => [p.value, new Date(p.timestamp!).toISOString()])).toEqual(cases.map(([, utc], i) => [i, utc]));
    // 2026-07-01T12:00:00.520Z and 12:01:00.080Z: seconds since the epoch, UTC.
    expect(t.points.filter((p) => p.metric.startsWith('shelly.')).map((p) => [p.metric, p.value, new Date(p.timestamp!).toISOString()])).toEqual([
      ['shelly.shellyplus1pm-a8032ab12345.apower', 12.3, '2026-07-01T12:00:00.520Z'],
      ['shelly.shellyplus1pm-a8032ab12345.output', false, '2026-07-01T12:01:00.080Z'],
    ]);
    expect(t.problems.filter((p) => p.kind === 'report')).toEqual([]);
  });

  it('says once per subscription, not per device, that a zone-less time needs time_zone, and keeps the receipt time', async () => {
    const name = 'tasmota without a zone';
    const { t, subscribed } = await startSource(
      section({ url: broker.url, subscriptions: [{ name, topic: 'tz2/tele/+/SENSOR', metric: 'tasmota.{topic.2}.power', value: '$.ENERGY.Power', timestamp: { path: '$.Time', unit: 'iso8601' } }] }),
      {},
      track,
    );
    await subscribed();
    const pub = await broker.publisher(track);
    const before = t.ctx.clock.now();
    for (const device of ['plug1', 'plug2']) {
      await pub.publish(`tz2/tele/${device}/SENSOR`, tasmota('2026-07-01T12:00:00', 1));
      await pub.publish(`tz2/tele/${device}/SENSOR`, tasmota('2026-07-01T12:05:00', 2));
    }
    await t.waitFor(() => t.points.length === 4, 'four points');
    // The receipt time, as before: the payload's wall time is not guessed in UTC nor in this machine's zone.
    const after = t.ctx.clock.now();
    expect(t.points.map((p) => p.timestamp! >= before && p.timestamp! <= after)).toEqual([true, true, true, true]);
    expect(await t.metric('fieldbridge_source_errors_total', { bridge: 'mqtt', channel: name, kind: 'bad_timestamp' })).toBe(4);
    const reports = t.problems.filter((p) => p.kind === 'report');
    expect(reports.map((p) => p.key)).toEqual(Array(4).fill(`mqtt.time_zone.${name}`));
    expect(reports.filter((p) => p.logged)).toHaveLength(1);
    expect(reports[0]?.message).toBe(
      `subscription ${name}: tz2/tele/plug1/SENSOR: timestamp $.Time: "2026-07-01T12:00:00" has no time zone (Z or an offset): say which zone the device writes it in, with time_zone in the subscription's timestamp (local, UTC, an IANA name like Europe/Berlin, or an offset like +02:00); receipt time used`,
    );
  });
});
