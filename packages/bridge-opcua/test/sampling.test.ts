import { describe, expect, it } from 'vitest';
import type { OpcuaConnection } from '../src/connection.js';
import type { OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector, type Collector } from './helpers/collect.js';
import { nsu, sessionForFile } from './helpers/servers.js';

const cleanup = createCleanup();
let server: OpcuaTestServer;
let connection: OpcuaConnection;

sessionForFile(cleanup, (s, c) => {
  server = s;
  connection = c;
});

/**
 * Sets each value and waits for the report every listed item owes for it. Items sample on their
 * own, so an item may not have seen a value yet when another reports it; a report that must not
 * happen is proven absent by a later report of the same item, which the server sends in order.
 */
async function feed(c: Collector, variable: string, steps: Array<[value: number, reporters: string[]]>): Promise<void> {
  for (const [value, reporters] of steps) {
    const from = c.values.length;
    server.set(variable, value);
    for (const key of reporters) await c.value((v) => v.item.key === key && v.value === value && c.values.indexOf(v) >= from);
  }
}

describe('server-side deadband (DataChangeFilter)', () => {
  it('absolute: reports a change only once it passes the deadband', async () => {
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 20,
      variables: [
        { key: 'raw', nodeId: nsu('Boiler.Pressure'), samplingIntervalMs: 0 },
        { key: 'db', nodeId: nsu('Boiler.Pressure'), samplingIntervalMs: 0, deadband: { type: 'absolute', value: 0.5 } },
      ],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    // 10 moves 9 from the first value; 10.6 and 11.2 move 0.6 from the last one reported.
    await feed(c, 'Boiler.Pressure', [[10, ['raw', 'db']], [10.2, ['raw']], [10.4, ['raw']], [10.6, ['raw', 'db']], [10.8, ['raw']], [11.2, ['raw', 'db']]]);
    expect(c.valuesOf('raw').slice(-6)).toEqual([10, 10.2, 10.4, 10.6, 10.8, 11.2]);
    expect(c.valuesOf('db').slice(-3)).toEqual([10, 10.6, 11.2]);
  });

  it('percent: relative to the EURange of an AnalogItem (0-200 degC, 10 % = 20 degC)', async () => {
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 20,
      variables: [
        { key: 'raw', nodeId: nsu('Boiler.Temperature'), samplingIntervalMs: 0 },
        { key: 'db', nodeId: nsu('Boiler.Temperature'), samplingIntervalMs: 0, deadband: { type: 'percent', value: 10 } },
      ],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    await feed(c, 'Boiler.Temperature', [[100, ['raw', 'db']], [110, ['raw']], [115, ['raw']], [125, ['raw', 'db']], [130, ['raw']], [144.5, ['raw']], [146, ['raw', 'db']]]);
    expect(c.valuesOf('db').slice(-3)).toEqual([100, 125, 146]);
  });

  it('percent on a variable without EURange is refused by name while the rest flows', async () => {
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 20,
      variables: [
        { key: 'pressure.pct', nodeId: nsu('Boiler.Pressure'), deadband: { type: 'percent', value: 5 } },
        { key: 'counter', nodeId: nsu('Boiler.Counter') },
      ],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    const problem = await c.problem((p) => p.item === 'pressure.pct');
    expect(problem.kind).toBe('item_refused');
    expect(problem.message).toMatch(
      /^pressure\.pct: the server refused to monitor nsu=urn:fieldbridge:opcua-sim;s=Boiler\.Pressure \(Bad\w+\): its deadband 5% needs a variable with an EURange \(an AnalogItem\); give an absolute deadband \(a number, in the value's units\) or none; trying again every 1m$/,
    );
    await c.value((v) => v.item.key === 'counter');
  });

  it('on a variable that is not numeric is refused, naming the deadband as the cause', async () => {
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 20, variables: [{ key: 'running', nodeId: nsu('Boiler.Running'), deadband: { type: 'absolute', value: 1 } }], ...c.handlers });
    cleanup.add(() => sub.close());
    const problem = await c.problem((p) => p.item === 'running');
    expect(problem.message).toMatch(
      /^running: the server refused to monitor nsu=urn:fieldbridge:opcua-sim;s=Boiler\.Running \(Bad\w+\): a deadband needs a numeric variable, which this one is not; remove the deadband \(below a folder: map such variables under nodes\[\] without one\); trying again every 1m$/,
    );
  });
});

describe('timestamps and status', () => {
  it('takes the source, server or local timestamp as each item asks', async () => {
    const c = collector();
    const receivedAt = Date.UTC(2030, 0, 1);
    const sub = await subscribe(connection, {
      publishingIntervalMs: 20,
      now: () => receivedAt,
      variables: [
        { key: 'src', nodeId: nsu('Boiler.Counter'), samplingIntervalMs: 0, timestamps: 'source' },
        { key: 'srv', nodeId: nsu('Boiler.Counter'), samplingIntervalMs: 0, timestamps: 'server' },
        { key: 'loc', nodeId: nsu('Boiler.Counter'), samplingIntervalMs: 0, timestamps: 'local' },
      ],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'loc');
    const deviceTime = new Date(Date.UTC(2020, 5, 1, 12, 0, 0, 125));
    server.set('Boiler.Counter', 4242, { sourceTimestamp: deviceTime });
    const src = await c.value((v) => v.item.key === 'src' && v.value === 4242);
    const srv = await c.value((v) => v.item.key === 'srv' && v.value === 4242);
    const loc = await c.value((v) => v.item.key === 'loc' && v.value === 4242);
    expect(src).toMatchObject({ timestampMs: deviceTime.getTime(), timestampFrom: 'source' });
    expect(srv.timestampFrom).toBe('server');
    expect(srv.timestampMs).toBeGreaterThan(deviceTime.getTime());
    expect(srv.timestampMs).not.toBe(receivedAt);
    expect(loc).toMatchObject({ timestampMs: receivedAt, timestampFrom: 'local' });
  });

  it('reports a status that is not Good as the record quality', async () => {
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 20, variables: [{ key: 'running', nodeId: nsu('Boiler.Running'), samplingIntervalMs: 0 }], ...c.handlers });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'running');
    server.set('Boiler.Running', false, { status: 'UncertainLastUsableValue' });
    expect(await c.value((v) => v.quality === 'uncertain')).toMatchObject({ value: false, status: 'UncertainLastUsableValue' });
    server.set('Boiler.Running', false, { status: 'BadSensorFailure' });
    expect(await c.value((v) => v.quality === 'bad')).toMatchObject({ status: 'BadSensorFailure' });
    server.set('Boiler.Running', true);
    expect(await c.value((v) => v.quality === 'good' && v.value === true && c.values.indexOf(v) > 1)).toMatchObject({ status: 'Good' });
  });
});
