import { describe, expect, it } from 'vitest';
import type { OpcuaConnection } from '../src/connection.js';
import { SIM_NAMESPACE, type OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { sessionForFile } from './helpers/servers.js';

const cleanup = createCleanup();
let server: OpcuaTestServer;
let connection: OpcuaConnection;

sessionForFile(cleanup, (s, c) => {
  server = s;
  connection = c;
});

describe('events and alarms', () => {
  it('an exclusive limit alarm arrives through the Server object with the selected fields', async () => {
    server.setAlarmInput(20);
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, events: [{ key: 'alarms' }], ...c.handlers });
    cleanup.add(() => sub.close());
    await server.eventsMonitored();
    server.setAlarmInput(90);
    const raised = await c.event((e) => e.fields.EventType === 'ExclusiveLimitAlarmType' && e.fields.ActiveState === true);
    expect(raised.fields).toMatchObject({
      SourceName: expect.stringMatching(/Boiler$/),
      Message: expect.stringMatching(/90/),
      Severity: expect.any(Number),
      ConditionName: 'TemperatureAlarm',
      ActiveState: true,
      AckedState: false,
    });
    expect(raised.timestampFrom).toBe('source');
    expect(raised.timestampMs).toBe(raised.fields.Time);
    expect(raised.item).toMatchObject({ key: 'alarms', notifier: 'i=2253' });
    server.setAlarmInput(50);
    await c.event((e) => e.fields.EventType === 'ExclusiveLimitAlarmType' && e.fields.ActiveState === false);
    await sub.close();
  });

  it('filters by severity at the server', async () => {
    server.setAlarmInput(20);
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      events: [
        { key: 'all', minSeverity: 1 },
        { key: 'critical', minSeverity: 900 },
      ],
      variables: [{ key: 'marker', nodeId: `nsu=${SIM_NAMESPACE};s=Boiler.Counter`, samplingIntervalMs: 0 }],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    await server.eventsMonitored(2);
    server.setAlarmInput(95);
    const raised = await c.event((e) => e.item.key === 'all' && e.fields.ActiveState === true);
    expect(raised.fields.Severity).toBeLessThan(900);
    // Both notifiers see the same events at the same time; once a later change has come
    // through, anything the critical one let pass would have arrived.
    server.set('Boiler.Counter', 424242);
    await c.value((v) => v.value === 424242);
    expect(c.events.filter((e) => e.item.key === 'critical')).toEqual([]);
    await sub.close();
  });

  it('a minimum severity lets an alarm\'s return to normal (Severity 0) through with its raise, by its LastSeverity', async () => {
    server.setAlarmInput(20);
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, events: [{ key: 'severe', minSeverity: 100, fields: ['Severity', 'LastSeverity', 'ActiveState', 'BranchId'] }], ...c.handlers });
    cleanup.add(() => sub.close());
    await server.eventsMonitored();
    server.setAlarmInput(90);
    const raised = await c.event((e) => e.fields.ActiveState === true && e.fields.BranchId === null);
    expect(raised.fields.Severity).toBeGreaterThanOrEqual(100);
    server.setAlarmInput(50);
    const cleared = await c.event((e) => e.fields.ActiveState === false);
    expect(cleared.fields).toMatchObject({ Severity: 0, LastSeverity: raised.fields.Severity, BranchId: null });
    // It cleared unacknowledged: the server also sends the raise again as a branch, BranchId set.
    const branch = c.events.find((e) => e.fields.BranchId !== null);
    expect(branch?.fields).toMatchObject({ ActiveState: true, Severity: raised.fields.Severity, BranchId: expect.stringMatching(/^nsu=|^[gsib]=/) });
    expect(branch?.timestampMs).toBe(raised.timestampMs);
    await sub.close();
  });

  it('listens on a notifier named by browse path, and reports fields the server cannot select', async () => {
    server.setAlarmInput(20);
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      events: [{ key: 'boiler', browsePath: 'Boiler', fields: ['Severity', 'ActiveState.EffectiveDisplayName', 'NoSuchField'] }],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    const problem = await c.problem((p) => p.kind === 'event_field_refused');
    expect(problem.message).toMatch(/^boiler: the server cannot select event field NoSuchField \(Bad\w+\); it stays null$/);
    await server.eventsMonitored(1, 'Boiler');
    server.setAlarmInput(85);
    const raised = await c.event((e) => e.fields['ActiveState.EffectiveDisplayName'] !== null && e.fields['ActiveState.EffectiveDisplayName'] !== undefined);
    expect(raised.fields).toMatchObject({ NoSuchField: null, Severity: expect.any(Number) });
    expect(raised.item.notifier).toBe(`nsu=${SIM_NAMESPACE};s=Boiler`);
  });
});
