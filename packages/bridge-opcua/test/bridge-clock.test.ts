import { trackCleanups } from '@fieldbridge/core/testing';
import { DataType } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import { pointsOf, pointWhere, runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { nsu } from './helpers/servers.js';

// A device whose clock was never set stamps its values in 1970: the ingest service refuses any
// time before 2001-09-09, so passed through they would all go to the dead-letter file. Against a
// node-opcua server the test starts, on a port the OS picks.
const files = createCleanup();
const track = trackCleanups();
let server: OpcuaTestServer;
let clientPki: string;

beforeAll(async () => {
  server = await startOpcuaServer({ pkiDir: files.dir('server') });
  files.add(() => server.stop());
  clientPki = files.dir('client');
});
afterAll(() => files.run());

const UNSET_CLOCK = new Date(Date.UTC(1970, 0, 1, 0, 12, 34));

describe('timestamps that cannot be right', () => {
  it('a 1970 source timestamp falls back to the server timestamp, counted and logged once naming the node', async () => {
    const { t } = await runSource(track, { endpoint: server.endpointUrl, pki: clientPki, nodes: [{ metric: 'plc.counter', node_id: nsu('Boiler.Counter'), sampling_interval_ms: 0 }] });
    await t.waitFor(() => pointsOf(t, 'plc.counter').length > 0, 'the first value');
    const before = Date.now();
    server.set('Boiler.Counter', 1001, { sourceTimestamp: UNSET_CLOCK });
    const first = await pointWhere(t, (p) => p.value === 1001, 'the first value stamped 1970');
    server.set('Boiler.Counter', 1002, { sourceTimestamp: UNSET_CLOCK });
    const second = await pointWhere(t, (p) => p.value === 1002, 'the second value stamped 1970');
    const after = Date.now();
    // The server stamps the write with its own clock (the helper's serverTimestamp: new Date()).
    for (const point of [first, second]) {
      expect(point.timestamp).toBeGreaterThanOrEqual(before);
      expect(point.timestamp).toBeLessThanOrEqual(after);
    }
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'bad_timestamp' })).toBe(2);
    const reports = t.problems.filter((p) => p.key === 'opcua.value.plc.counter.bad_timestamp');
    expect(reports.map((p) => p.logged)).toEqual([true, false]);
    expect(reports[0]!.message).toBe(
      `plc.counter (${nsu('Boiler.Counter')}): its source timestamp 1970-01-01T00:12:34.000Z is before 2001-09-09, which the ingest service refuses (a clock that was never set?): ` +
        "sent with the server's timestamp instead; set the device's (the PLC's) clock, or timestamp: server to use the server's time",
    );
    // A value with a right clock ends the episode.
    const deviceTime = Date.now() - 1000;
    server.set('Boiler.Counter', 1003, { sourceTimestamp: new Date(deviceTime) });
    expect((await pointWhere(t, (p) => p.value === 1003, 'a value stamped right')).timestamp).toBe(deviceTime);
    expect(t.problems.at(-1)).toMatchObject({ kind: 'resolve', key: 'opcua.value.plc.counter.bad_timestamp' });
  });

  it("an event whose Time is 1970 is stamped with its receipt, counted and logged once naming its entry", async () => {
    const { t } = await runSource(track, { endpoint: server.endpointUrl, pki: clientPki, events: [{ metric: 'plc.events', fields: ['Message', 'Time'] }] });
    await t.waitFor(() => t.ready(), 'the subscription');
    await server.eventsMonitored();
    const notifier = server.server.engine.addressSpace!.rootFolder.objects.server;
    const raise = (text: string): void => {
      notifier.raiseEvent('BaseEventType', { message: { dataType: DataType.LocalizedText, value: { text } }, time: { dataType: DataType.DateTime, value: UNSET_CLOCK } });
    };
    const before = t.ctx.clock.now();
    raise('first');
    raise('second');
    await t.waitFor(() => pointsOf(t, 'plc.events').length === 2, 'both events');
    for (const point of pointsOf(t, 'plc.events')) expect(point.timestamp).toBeGreaterThanOrEqual(before);
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'bad_timestamp' })).toBe(2);
    const reports = t.problems.filter((p) => p.key === 'opcua.value.plc.events.bad_timestamp');
    expect(reports.map((p) => p.logged)).toEqual([true, false]);
    expect(reports[0]!.message).toMatch(/^plc\.events: an event's Time 1970-01-01T00:12:34\.000Z is before 2001-09-09, .*sent with the time it was received instead; set the clock of the device that raises these events/);
  });
});
