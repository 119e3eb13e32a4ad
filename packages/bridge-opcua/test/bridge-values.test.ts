import { trackCleanups } from '@fieldbridge/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_NAMESPACE, startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import { createCleanup } from './helpers/cleanup.js';
import { pointsOf, pointWhere, runSource } from './helpers/bridge.js';
import { nsu } from './helpers/servers.js';
import { until } from '@fieldbridge/core/testing';

// The bridge's source against one node-opcua server (the simulator's address space) on a port
// the OS picks, offering None and SignAndEncrypt and a user: what issue 13 must show, through
// the bridge itself (section -> source -> points on the context).
const files = createCleanup();
const track = trackCleanups();
const PASSWORD = 'values-test-pw';
let server: OpcuaTestServer;
let clientPki: string;

beforeAll(async () => {
  server = await startOpcuaServer({ pkiDir: files.dir('server'), users: { operator: PASSWORD } });
  files.add(() => server.stop());
  clientPki = files.dir('client');
});
afterAll(() => files.run());

const base = (): Record<string, unknown> => ({ endpoint: server.endpointUrl, pki: clientPki });

describe('values through the bridge', () => {
  it('every built-in scalar type and arrays arrive as full points, named from their browse path', async () => {
    const { t } = await runSource(track, { ...base(), folders: [{ metric: 'sim.{path}', browse_path: 'Sim', unit: 'u' }] });
    // Worked out by hand from the simulator's first values (src/sim-address-space.ts).
    const expected: Record<string, unknown> = {
      'Types.Boolean': true,
      'Types.SByte': -128,
      'Types.Byte': 255,
      'Types.Int16': -32768,
      'Types.UInt16': 65535,
      'Types.Int32': -2147483648,
      'Types.UInt32': 4294967295,
      'Types.Int64': -2, // [0xffffffff, 0xfffffffe]
      'Types.UInt64': '18446744073709551615', // 2^64 - 1, beyond 2^53: decimal text
      'Types.Float': 0.1, // float32 0x3dcccccd, shortest decimal
      'Types.Double': -1234.5678,
      'Types.String': 'Grüße, OPC UA',
      'Types.DateTime': Date.UTC(2024, 1, 29, 12, 30, 15, 250),
      'Types.Guid': '72962B91-FA75-4AE6-8D28-B404DC7DAF63',
      'Types.ByteString': '3q2+7w==', // de ad be ef
      'Types.XmlElement': '<a b="1">text</a>',
      'Types.NodeId': nsu('Boiler.Temperature'),
      'Types.ExpandedNodeId': `nsu=${SIM_NAMESPACE};i=42`,
      'Types.StatusCode': 'BadSensorFailure',
      'Types.QualifiedName': `${server.namespaceIndex}:Reading`,
      'Types.LocalizedText': 'Boiler room',
      'Types.ExtensionObject': { low: -5, high: 120.5 }, // a Range, as a JSON event
      'Arrays.Double': [1.5, -2.25, 1e300],
      'Arrays.Int32': [1, -2, 2147483647],
      'Arrays.String': ['a', 'b,c', ''],
      'Arrays.Boolean': [true, false, true],
      'Arrays.Matrix': [
        [1, 2, 3],
        [4, 5, 6],
      ],
    };
    await t.waitFor(() => Object.keys(expected).every((k) => pointsOf(t, `sim.${k}`).length > 0), 'a point of every variable below Sim');
    for (const [path, value] of Object.entries(expected)) {
      const [point] = pointsOf(t, `sim.${path}`);
      expect(point, path).toEqual({ metric: `sim.${path}`, value, timestamp: expect.any(Number), class: typeof value === 'number' ? 'metric' : 'event', tags: { unit: 'u' } });
    }
    // The first values can arrive before the subscription reports its items as up: wait for it.
    await until(async () => (await t.metric('fieldbridge_opcua_monitored_items', { state: 'active' })) === Object.keys(expected).length, 'every item active');
    expect(t.ready()).toBe(true);
  });

  it('deadband: the server reports a change only once it passes it (absolute and percent of the EURange)', async () => {
    const { t } = await runSource(track, {
      ...base(),
      nodes: [
        { metric: 'raw', node_id: nsu('Boiler.Temperature'), sampling_interval_ms: 0 },
        { metric: 'abs', node_id: nsu('Boiler.Temperature'), sampling_interval_ms: 0, deadband: 5 },
        { metric: 'pct', node_id: nsu('Boiler.Temperature'), sampling_interval_ms: 0, deadband: '10%' },
      ],
    });
    await t.waitFor(() => ['raw', 'abs', 'pct'].every((m) => pointsOf(t, m).length > 0), 'the first value of every item');
    // Each item samples on its own, so an item may not have seen a value when raw reports it:
    // wait for every report each item owes before the next change (EURange 0-200, so 10 % is
    // 20 degC; a change is reported when it exceeds the deadband from the last one reported).
    // A report that must not happen is proven absent by a later report of the same item, which
    // the server sends in order: the last change (back to 20) is reported by every item.
    const before = { abs: t.valuesOf('abs').length, pct: t.valuesOf('pct').length };
    const steps: Array<[number, Array<'abs' | 'pct'>]> = [
      [100, ['abs', 'pct']],
      [103, []],
      [106, ['abs']],
      [112, ['abs']],
      [121, ['abs', 'pct']],
      [130, ['abs']],
      [20, ['abs', 'pct']],
    ];
    for (const [value, reporters] of steps) {
      const from = t.points.length; // the first value was 20 too: only what arrives after the change counts
      const reported = (metric: string) => t.waitFor(() => t.points.slice(from).some((p) => p.metric === metric && p.value === value), `${metric} ${value}`);
      server.set('Boiler.Temperature', value);
      await reported('raw');
      for (const metric of reporters) await reported(metric);
    }
    expect(t.valuesOf('abs').slice(before.abs)).toEqual([100, 106, 112, 121, 130, 20]);
    expect(t.valuesOf('pct').slice(before.pct)).toEqual([100, 121, 20]);
  });

  it('source versus server timestamps, as each node asks', async () => {
    const { t } = await runSource(track, {
      ...base(),
      nodes: [
        { metric: 'by.source', node_id: nsu('Boiler.Counter'), sampling_interval_ms: 0, timestamp: 'source' },
        { metric: 'by.server', node_id: nsu('Boiler.Counter'), sampling_interval_ms: 0, timestamp: 'server' },
      ],
    });
    await t.waitFor(() => pointsOf(t, 'by.server').length > 0 && pointsOf(t, 'by.source').length > 0, 'the first values');
    const deviceTime = Date.UTC(2021, 5, 1, 12, 0, 0, 125);
    server.set('Boiler.Counter', 4242, { sourceTimestamp: new Date(deviceTime) });
    const source = await pointWhere(t, (p) => p.metric === 'by.source' && p.value === 4242, 'the device-stamped value');
    const byServer = await pointWhere(t, (p) => p.metric === 'by.server' && p.value === 4242, 'the server-stamped value');
    expect(source.timestamp).toBe(deviceTime);
    expect(byServer.timestamp).toBeGreaterThan(Date.UTC(2024, 0, 1));
  });

  it('says what the server granted less of than asked: a slower publishing interval, sampling and shorter queues', async () => {
    // A PLC tag sampled at most once a second; node-opcua publishes every 50 ms at the fastest and queues 5000 values at most.
    const pressure = server.server.engine.addressSpace!.findNode(`ns=${server.namespaceIndex};s=Boiler.Pressure`) as unknown as { minimumSamplingInterval: number };
    const before = pressure.minimumSamplingInterval;
    pressure.minimumSamplingInterval = 1000;
    track.defer(() => void (pressure.minimumSamplingInterval = before));
    const { t } = await runSource(track, {
      ...base(),
      publishing_interval_ms: 20,
      nodes: [
        { metric: 'slow', node_id: nsu('Boiler.Pressure'), sampling_interval_ms: 100 },
        { metric: 'long', node_id: nsu('Boiler.Counter'), sampling_interval_ms: 0, queue_size: 6000 },
        { metric: 'fine', node_id: nsu('Boiler.Temperature'), sampling_interval_ms: 0 },
      ],
    });
    await t.waitFor(() => t.channels()[server.endpointUrl]?.state === 'connected', 'connected');
    expect(t.logs.messages('warn').filter((m) => m.includes('granted less'))).toEqual([
      `${server.endpointUrl}: the server granted less than the mapping asks: it publishes every 50ms (publishing_interval_ms asks 20ms); ` +
        'it samples 1 variable slower than sampling_interval_ms asks, so a change undone between two samples is not seen: slow every 1s (asked 100ms); ' +
        'it queues fewer values than queue_size asks for 1 variable, so past that many values between two publishes (or in a gap) the oldest are dropped: long 5000 (asked 6000)',
    ]);
  });

  it("says an event notifier's queue shorter than its queue_size asks, as a variable's", async () => {
    // node-opcua's server queues 5000 events at most.
    const { t } = await runSource(track, {
      ...base(),
      publishing_interval_ms: 100,
      nodes: [{ metric: 'fine', node_id: nsu('Boiler.Temperature'), sampling_interval_ms: 0 }],
      events: [
        { metric: 'alarms', queue_size: 6000 },
        { metric: 'boiler.events', browse_path: 'Boiler', queue_size: 100 },
      ],
    });
    await t.waitFor(() => t.channels()[server.endpointUrl]?.state === 'connected', 'connected');
    expect(t.logs.messages('warn').filter((m) => m.includes('granted less'))).toEqual([
      `${server.endpointUrl}: the server granted less than the mapping asks: it queues fewer events than queue_size asks for 1 event notifier, so past that many events between two publishes (or in a gap) the oldest are dropped: alarms 5000 (asked 6000)`,
    ]);
  });

  it('says it again when an item monitored later is granted less than asked', async () => {
    const { t } = await runSource(track, {
      ...base(),
      publishing_interval_ms: 100,
      retry_refused_ms: '1s',
      // A connection lost on a loaded machine would only delay what this test waits for.
      keep_alive_ms: '10s',
      nodes: [
        { metric: 'pressure', node_id: nsu('Boiler.Pressure'), sampling_interval_ms: 0 },
        { metric: 'later', node_id: nsu('Boiler.Later'), sampling_interval_ms: 100 },
      ],
    });
    await t.waitFor(() => t.problems.some((p) => p.key === 'opcua.item.later.item_refused'), 'the missing node reported');
    await t.waitFor(() => pointsOf(t, 'pressure').length > 0 && t.ready(), 'connected');
    // The node appears, sampled at most once a second: the retry monitors it, granted less.
    server.addVariable('Boiler.Later', 1.5);
    (server.server.engine.addressSpace!.findNode(`ns=${server.namespaceIndex};s=Boiler.Later`) as unknown as { minimumSamplingInterval: number }).minimumSamplingInterval = 1000;
    await pointWhere(t, (p) => p.metric === 'later', 'the late node, once retried');
    await t.waitFor(() => t.logs.messages('warn').some((m) => m.includes('granted less')), 'the grant said', 25_000);
    expect(t.logs.messages('warn').filter((m) => m.includes('granted less'))).toEqual([
      `${server.endpointUrl}: the server granted less than the mapping asks: it samples 1 variable slower than sampling_interval_ms asks, so a change undone between two samples is not seen: later every 1s (asked 100ms)`,
    ]);
  });

  it('a status that is not Good travels as quality and status tags, or is dropped and counted', async () => {
    const { t } = await runSource(track, {
      ...base(),
      nodes: [
        { metric: 'tagged', node_id: nsu('Boiler.Running'), sampling_interval_ms: 0 },
        { metric: 'dropped', node_id: nsu('Boiler.Running'), sampling_interval_ms: 0, quality: 'drop' },
      ],
    });
    await t.waitFor(() => pointsOf(t, 'dropped').length > 0 && pointsOf(t, 'tagged').length > 0, 'the first values');
    server.set('Boiler.Running', false, { status: 'UncertainLastUsableValue' });
    const uncertain = await pointWhere(t, (p) => p.metric === 'tagged' && p.tags?.quality === 'uncertain', 'the uncertain value');
    expect(uncertain).toMatchObject({ value: false, tags: { quality: 'uncertain', status: 'UncertainLastUsableValue' } });
    await t.waitFor(() => t.problems.some((p) => p.key === 'opcua.value.dropped.bad_quality'), 'the dropped value reported');
    server.set('Boiler.Running', true);
    await t.waitFor(() => pointsOf(t, 'dropped').length === 2, 'a Good value again');
    expect(pointsOf(t, 'dropped').map((p) => p.value)).toEqual([true, true]);
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'bad_quality' })).toBe(1);
    expect(t.problems.filter((p) => p.key === 'opcua.value.dropped.bad_quality').map((p) => p.kind)).toEqual(['report', 'resolve']);
  });

  it('a node id that does not exist is reported by name while the others flow, and monitored once it appears', async () => {
    const { t, source } = await runSource(track, {
      ...base(),
      retry_refused_ms: '1s',
      nodes: [
        { metric: 'boiler.pressure', node_id: nsu('Boiler.Pressure') },
        { metric: 'boiler.late', node_id: nsu('Boiler.Late') },
      ],
    });
    await t.waitFor(() => t.problems.some((p) => p.key === 'opcua.item.boiler.late.item_refused'), 'the refusal reported');
    const refusal = t.problems.find((p) => p.key === 'opcua.item.boiler.late.item_refused')!;
    expect(refusal.message).toBe('boiler.late: the server refused to monitor nsu=urn:fieldbridge:opcua-sim;s=Boiler.Late (BadNodeIdUnknown): no node has this id; bridge-opcua --browse lists the ids the server has; trying again every 1s');
    await t.waitFor(() => pointsOf(t, 'boiler.pressure').length > 0 && t.ready(), 'the other node flowing');
    expect(await t.metric('fieldbridge_opcua_monitored_items', { state: 'refused' })).toBe(1);
    server.addVariable('Boiler.Late', 7.5);
    await pointWhere(t, (p) => p.metric === 'boiler.late' && p.value === 7.5, 'the late node, once retried');
    await t.waitFor(() => t.problems.some((p) => p.kind === 'resolve' && p.key === 'opcua.item.boiler.late.item_refused'), 'the refusal resolved');
    expect(source.items().map((i) => i.state)).toEqual(['active', 'active']);
    expect(await t.metric('fieldbridge_opcua_monitored_items', { state: 'refused' })).toBe(0);
  });

  it('a browse path written from the root, with dots, or with a typo is reported with the path to write', async () => {
    const { t } = await runSource(track, {
      ...base(),
      nodes: [
        { metric: 'from.objects', browse_path: 'Objects/Boiler/Temperature' },
        { metric: 'from.root', browse_path: '/Root/Objects/Boiler/Pressure' },
        { metric: 'dotted', browse_path: 'Boiler.Temperature' },
        { metric: 'typo', browse_path: 'Boiler/Temprature' },
        { metric: 'far', browse_path: 'Boiler/Flow' },
      ],
    });
    await t.waitFor(() => t.ready(), 'subscribed');
    const said = (metric: string) => t.problems.find((p) => p.key === `opcua.item.${metric}.node_unresolved`)?.message;
    expect(said('from.objects')).toMatch(/Objects has no child named Objects \(it has [^)]*\); a browse path starts below the Objects folder: write Boiler\/Temperature; trying again/);
    expect(said('from.root')).toMatch(/Objects has no child named Root \(it has [^)]*\); a browse path starts below the Objects folder: write Boiler\/Pressure; trying again/);
    expect(said('dotted')).toMatch(/Objects has no child named Boiler.Temperature \(it has [^)]*\); the steps of a browse path are separated by \/: write Boiler\/Temperature; trying again/);
    expect(said('typo')).toMatch(/Boiler has no child named Temprature \(it has Temperature, [^)]*\); did you mean Boiler\/Temperature\?; trying again/);
    expect(said('far')).toMatch(/Boiler has no child named Flow \(it has [^)]*\); trying again/);
  });

  it('a node id with a namespace index the server does not have is reported with the namespaces it has', async () => {
    const { t, source } = await runSource(track, { ...base(), nodes: [{ metric: 'wrong.index', node_id: 'ns=7;s=Boiler.Temperature' }] });
    await t.waitFor(() => t.ready(), 'subscribed');
    const said = t.problems.find((p) => p.key === 'opcua.item.wrong.index.node_unresolved')?.message;
    expect(said).toMatch(/^wrong\.index: node ns=7;s=Boiler\.Temperature: the server has no namespace 7 \(it has 0: http:\/\/opcfoundation\.org\/UA\/, 1: [^,]+, 2: urn:fieldbridge:opcua-sim\); trying again every 1m$/);
    expect(source.items()).toEqual([expect.objectContaining({ key: 'wrong.index', state: 'unresolved' })]);
  });

  it('a folder that names nothing is reported, counted as unresolved and listed, while the others flow', async () => {
    const { t, source } = await runSource(track, {
      ...base(),
      nodes: [{ metric: 'boiler.pressure', node_id: nsu('Boiler.Pressure') }],
      folders: [{ metric: 'x.{path}', node_id: 'nsu=urn:audit;s=NoSuchFolder' }],
    });
    await t.waitFor(() => pointsOf(t, 'boiler.pressure').length > 0 && t.ready(), 'the node flowing');
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'node_unresolved' })).toBe(1);
    expect(await t.metric('fieldbridge_opcua_monitored_items', { state: 'unresolved' })).toBe(1);
    expect(await t.metric('fieldbridge_opcua_monitored_items', { state: 'active' })).toBe(1);
    expect(source.items().find((i) => i.key === 'x.{path}')).toMatchObject({ kind: 'value', label: 'nsu=urn:audit;s=NoSuchFolder', state: 'unresolved', message: expect.stringMatching(/urn:audit/) });
    expect(source.subscription()!.stats().unresolved).toBe(1);
  });

  it('a folder cut short at max_items is reported under its entry, and stays so while its variables flow', async () => {
    const { t } = await runSource(track, { ...base(), folders: [{ metric: 'line1.{path}', browse_path: 'Line1', max_items: 4 }] });
    // Ready once the subscription is up and its items' states were taken (which ends the episodes of active items).
    await t.waitFor(() => t.ready(), 'subscribed');
    expect(await t.metric('fieldbridge_opcua_monitored_items', { state: 'active' })).toBe(4);
    expect(t.problems.filter((p) => p.key.endsWith('folder_truncated'))).toEqual([
      { kind: 'report', key: 'opcua.item.line1.{path}.folder_truncated', logged: true, message: expect.stringMatching(/^folder line1\.\{path\} \(Line1\): max_items 4 took 4 of 6 variables/) },
    ]);
  });

  it('max_rate_hz holds back the changes of a series and counts them', async () => {
    const { t } = await runSource(track, {
      ...base(),
      nodes: [
        { metric: 'raw', node_id: nsu('Line1.Motor1.Speed'), sampling_interval_ms: 0 },
        { metric: 'slow', node_id: nsu('Line1.Motor1.Speed'), sampling_interval_ms: 0, max_rate_hz: 0.001 },
      ],
    });
    await t.waitFor(() => pointsOf(t, 'raw').length > 0 && pointsOf(t, 'slow').length > 0, 'the first values');
    for (const value of [1, 2, 3]) {
      server.set('Line1.Motor1.Speed', value);
      await pointWhere(t, (p) => p.metric === 'raw' && p.value === value, `raw ${value}`);
    }
    expect(pointsOf(t, 'slow')).toHaveLength(1);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { reason: 'rate' })).toBe(3);
  });

  it('an alarm arrives as an event point, named from its source', async () => {
    const { t } = await runSource(track, {
      ...base(),
      events: [{ metric: 'alarms.{source_name}', where: { min_severity: 100 }, tags: { area: 'boiler-room' } }],
    });
    await t.waitFor(() => t.ready(), 'subscribed');
    await server.eventsMonitored();
    server.setAlarmInput(95);
    // node-opcua's server writes an event's SourceName as the source's qualified browse name.
    const source = `${server.namespaceIndex}:Boiler`;
    const alarm = await pointWhere(t, (p) => p.metric === `alarms.${source}` && (p.value as { ActiveState?: boolean }).ActiveState === true, 'the alarm');
    expect(alarm).toMatchObject({
      class: 'event',
      timestamp: expect.any(Number),
      tags: { area: 'boiler-room' },
      value: { EventType: 'ExclusiveLimitAlarmType', SourceName: source, ConditionName: 'TemperatureAlarm', ActiveState: true, AckedState: false, Severity: expect.any(Number) },
    });
    expect((alarm.value as { Message: string }).Message).toMatch(/95/);
    expect(alarm.value).not.toHaveProperty('Time');
    server.setAlarmInput(20);
  });

  it('with min_severity an alarm\'s raise and its return to normal arrive, once each; branches: true adds the branch of the unacknowledged raise', async () => {
    const { t } = await runSource(track, {
      ...base(),
      events: [
        { metric: 'alarms', where: { min_severity: 100 } },
        { metric: 'alarms.all', where: { min_severity: 100 }, branches: true },
      ],
    });
    await t.waitFor(() => t.ready(), 'subscribed');
    server.setAlarmInput(20);
    await server.eventsMonitored(2);
    const active = (p: { value: unknown }) => (p.value as { ActiveState?: boolean }).ActiveState;
    server.setAlarmInput(90);
    await pointWhere(t, (p) => p.metric === 'alarms' && active(p) === true, 'the raise');
    server.setAlarmInput(50);
    // The branch comes before the return to normal, in the same message or an earlier one.
    await pointWhere(t, (p) => p.metric === 'alarms' && active(p) === false, 'the return to normal');
    await pointWhere(t, (p) => p.metric === 'alarms.all' && active(p) === false, 'the return to normal, with branches');
    expect(pointsOf(t, 'alarms').map(active)).toEqual([true, false]);
    expect(pointsOf(t, 'alarms').map((p) => p.value)).toEqual([
      expect.not.objectContaining({ BranchId: expect.anything() }),
      expect.objectContaining({ ActiveState: false, Severity: 0, Message: 'Back to normal' }),
    ]);
    const all = pointsOf(t, 'alarms.all');
    expect(all.map(active)).toEqual([true, true, false]);
    expect(all[1]).toMatchObject({ timestamp: all[0]!.timestamp, value: { ...(all[0]!.value as object), BranchId: expect.any(String) } });
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { reason: 'branch' })).toBe(1);
  });

  it('an events[] entry on a node that reports no events is reported with what to name instead, rather than staying silent', async () => {
    const { t, source } = await runSource(track, {
      ...base(),
      events: [
        { metric: 'ev.boiler', browse_path: 'Boiler' },
        { metric: 'ev.variable', browse_path: 'Boiler/Temperature' },
        { metric: 'ev.line', node_id: nsu('Line1') },
      ],
    });
    await t.waitFor(() => t.ready(), 'subscribed');
    const said = (metric: string) => t.problems.find((p) => p.key === `opcua.item.${metric}.node_unresolved`)?.message;
    const instead = 'name an object that reports events, or leave node_id and browse_path out for the Server object, which reports every event of the server';
    expect(said('ev.variable')).toBe(`ev.variable: ${nsu('Boiler.Temperature')} reports no events: it has no EventNotifier attribute (a variable?); ${instead}; trying again every 1m`);
    expect(said('ev.line')).toBe(`ev.line: ${nsu('Line1')} reports no events: its EventNotifier attribute does not have SubscribeToEvents; ${instead}; trying again every 1m`);
    expect(said('ev.boiler')).toBeUndefined();
    expect(source.items().map((i) => [i.key, i.state])).toEqual([
      ['ev.boiler', 'active'],
      ['ev.variable', 'unresolved'],
      ['ev.line', 'unresolved'],
    ]);
  });

  it('an event field the server cannot select stays reported while its item runs: the item being monitored does not end it', async () => {
    const { t } = await runSource(track, { ...base(), events: [{ metric: 'alarms.typo', fields: ['Severity', 'Mesage'] }] });
    await t.waitFor(() => t.ready(), 'subscribed');
    const refused = t.problems.filter((p) => p.key === 'opcua.item.alarms.typo.event_field_refused');
    expect(refused).toEqual([expect.objectContaining({ kind: 'report', logged: true, message: expect.stringContaining('cannot select event field Mesage (BadNoMatch)') })]);
    expect(t.logs.messages().filter((m) => m.startsWith('alarms.typo: clean again'))).toEqual([]);
  });
});

describe('security and login through the bridge', () => {
  it('SignAndEncrypt with a user name and password: values flow', async () => {
    const { t } = await runSource(track, {
      ...base(),
      security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' },
      auth: { username: 'operator', password: PASSWORD },
      nodes: [{ metric: 'pressure', node_id: nsu('Boiler.Pressure'), sampling_interval_ms: 0 }],
    });
    server.set('Boiler.Pressure', 1.75);
    await pointWhere(t, (p) => p.metric === 'pressure' && p.value === 1.75, 'a value over SignAndEncrypt');
    // The first values can arrive before the session loop counts the connect (its hook runs once
    // the subscription is set up); the channel turns connected right after counting.
    await t.waitFor(() => t.ready(), 'the session counted as up');
    expect(await t.metric('fieldbridge_opcua_connects_total', { result: 'ok' })).toBe(1);
  });

  it('a wrong password fails the channel with what to do, once per episode, and is tried again', async () => {
    const { t } = await runSource(track, {
      ...base(),
      security: { mode: 'SignAndEncrypt' },
      auth: { username: 'operator', password: 'wrong' },
      nodes: [{ metric: 'pressure', node_id: nsu('Boiler.Pressure') }],
    });
    await t.waitFor(() => t.states.some((s) => s.state === 'failed'), 'the channel failed');
    expect(t.channels()[server.endpointUrl]).toMatchObject({ state: 'failed', reason: expect.stringMatching(/refused the login as user "operator" \(BadUserAccessDenied\): check the user name and password/) });
    await t.waitFor(() => t.problems.filter((p) => p.key === 'opcua.connection.auth_failed').length >= 2, 'a second attempt');
    expect(t.problems.filter((p) => p.key === 'opcua.connection.auth_failed').map((p) => p.logged).slice(0, 2)).toEqual([true, false]);
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'auth_failed' })).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(t.problems)).not.toContain('wrong');
  });
});
