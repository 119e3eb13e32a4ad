import { validatePoint } from '@fieldbridge/core';
import { seededRandom } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { opcuaConfigSchema } from '../src/config.js';
import { createPointMapper, isProblem } from '../src/decode.js';
import { decodeNotificationMessage, type HandleLookup, type Registered } from '../src/notifications.js';
import { planOpcua } from '../src/plan.js';
import type { EventRecord, ValueRecord } from '../src/records.js';

const SEED = 20_261_201;
const section = opcuaConfigSchema.parse({
  endpoint: 'opc.tcp://127.0.0.1:4840',
  quality: 'tag',
  nodes: [
    { metric: 'n.a', node_id: 'ns=2;s=A', unit: 'bar', tags: { k: 'v' } },
    { metric: 'n.{path}.{name}', browse_path: 'B/C', quality: 'drop' },
  ],
  folders: [{ metric: 'f.{path.0}.{path.3}.{name}', browse_path: 'Line1' }, { metric: '{path}', browse_path: 'Line2' }],
  events: [{ metric: 'e.{source_name}.{event_type}' }, { metric: 'e.plain', fields: ['Message'] }],
});
const planned = planOpcua(section);
if (!planned.ok) throw new Error(JSON.stringify(planned.issues));
const plan = planned.plan;
const keys = [...plan.routes.keys(), 'not-a-key'];

describe('the mapper never throws and only makes points the sink accepts (fuzz, seed 20261201)', () => {
  const random = seededRandom(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const text = (): string => {
    const n = pick([0, 1, 5, 40, 300]);
    const short = Array.from({ length: n }, () => String.fromCharCode(Math.floor(random() * 0x3000))).join('');
    // Now and then a long one: a few random characters repeated past the 64 KiB an event may carry.
    return random() < 0.05 ? short.padEnd(70_000, short || 'x') : short;
  };
  const value = (depth = 0): unknown =>
    pick<() => unknown>([
      () => null,
      () => random() * 1e6 - 5e5,
      () => (random() < 0.5 ? Number.NaN : Number.POSITIVE_INFINITY),
      () => random() < 0.5,
      text,
      () => (depth > 3 ? [] : Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1))),
      () => (depth > 3 ? {} : { [text()]: value(depth + 1) }),
      () => undefined,
    ])();
  const record = (): ValueRecord =>
    ({
      item: { key: pick(keys), nodeId: text(), ...(random() < 0.6 ? { browsePath: Array.from({ length: Math.floor(random() * 6) }, text) } : {}), timestamps: pick(['source', 'server', 'local']) },
      value: value(),
      quality: pick(['good', 'uncertain', 'bad', 'weird']),
      status: text(),
      overflow: random() < 0.1,
      timestampMs: pick([1_800_000_000_000, random() * 1e13, Number.NaN]),
      timestampFrom: 'source',
    }) as ValueRecord;
  const event = (): EventRecord =>
    ({
      item: { key: pick(keys), notifier: 'i=2253', fields: ['SourceName', 'EventType', 'Message', 'Time', 'BranchId'], timeIndex: 3, timestamps: 'source' },
      fields: Object.fromEntries(['SourceName', 'EventType', 'Message', 'Time', 'BranchId', text()].map((f) => [f, value()])),
      timestampMs: 1_800_000_000_000,
      timestampFrom: 'source',
    }) as EventRecord;

  it('for values and events', () => {
    const mapper = createPointMapper(plan);
    for (let i = 0; i < 3000; i++) {
      const out = random() < 0.7 ? mapper.value(record()) : mapper.event(event());
      // An event of a condition branch is left out (branches: false).
      if (out === undefined) continue;
      if (isProblem(out)) {
        expect(typeof out.kind).toBe('string');
        expect(typeof out.message).toBe('string');
      } else {
        expect(out.metric.length).toBeGreaterThan(0);
        expect(out.metric.length).toBeLessThanOrEqual(256);
        expect(out.value).not.toBeNull();
        expect(out.value).not.toBeUndefined();
      }
    }
  });

  it('for whole notification messages of random shapes, and every point it makes validates', () => {
    const mapper = createPointMapper(plan);
    const registered = new Map<number, Registered>(
      [...plan.routes.values()].map((route, i) => [
        i,
        route.kind === 'value'
          ? { kind: 'value', item: { key: route.key, nodeId: 'ns=2;s=X', ...(route.template ? { browsePath: ['Motor1', 'Speed'] } : {}), timestamps: 'source' } }
          : { kind: 'event', item: { key: route.key, notifier: 'i=2253', fields: ['SourceName', 'EventType', 'Time'], timeIndex: 2, timestamps: 'source' } },
      ]),
    );
    const handles: HandleLookup = { get: (h) => registered.get(h) };
    const junk = (depth: number): unknown => {
      if (depth > 3) return random() < 0.3 ? null : Math.floor(random() * 100);
      return pick<() => unknown>([
        () => null,
        () => Math.floor(random() * 8),
        () => Array.from({ length: Math.floor(random() * 4) }, () => junk(depth + 1)),
        () => ({ clientHandle: Math.floor(random() * 8), value: junk(depth + 1), eventFields: junk(depth + 1) }),
        () => ({ schema: { name: pick(['DataChangeNotification', 'EventNotificationList', 'x']) }, monitoredItems: junk(depth + 1), events: junk(depth + 1) }),
        () => ({ dataType: Math.floor(random() * 30), value: random() < 0.5 ? junk(depth + 1) : text(), arrayType: Math.floor(random() * 3) }),
        () => ({
          clientHandle: Math.floor(random() * 8),
          value: { value: { dataType: pick([1, 6, 11, 12]), value: pick([random() * 10, 'x', true, text()]) }, statusCode: { value: pick([0, 0x40900000, 0x808c0000]) }, sourceTimestamp: new Date(1_800_000_000_000) },
        }),
        () => ({ schema: { name: 'DataChangeNotification' }, monitoredItems: Array.from({ length: 3 }, () => junk(depth + 1)) }),
      ])();
    };
    let points = 0;
    for (let i = 0; i < 5000; i++) {
      const batch = decodeNotificationMessage({ sequenceNumber: i, notificationData: junk(0) } as never, handles, 1_800_000_000_000, { namespaces: ['http://opcfoundation.org/UA/'] });
      const result = mapper.batch(batch);
      for (const point of result.points) {
        expect(validatePoint(point), JSON.stringify(point).slice(0, 200)).toBeUndefined();
        points += 1;
      }
    }
    expect(points).toBeGreaterThan(0);
  });
});
