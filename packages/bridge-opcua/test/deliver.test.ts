import { createTestContext } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { createDelivery } from '../src/_deliver.js';
import { createOpcuaMetrics } from '../src/_metrics.js';
import { opcuaConfigSchema } from '../src/config.js';
import type { NotificationBatch } from '../src/notifications.js';
import { planOpcua } from '../src/plan.js';
import type { EventItem, EventRecord, ValueItem, ValueRecord } from '../src/records.js';

// What the source does with each NotificationMessage, without a server: the records are made
// here as the subscription layer makes them (see records.test.ts and the decode fixtures).
const T = 1_800_000_000_000;
const section = opcuaConfigSchema.parse({
  endpoint: 'opc.tcp://127.0.0.1:4840',
  nodes: [
    { metric: 'level', node_id: 'ns=2;s=Level', queue_size: 5 },
    { metric: 'state', node_id: 'ns=2;s=State', on_change: true },
  ],
  events: [{ metric: 'alarms.{source_name}' }],
});
const planned = planOpcua(section);
if (!planned.ok) throw new Error('plan');
const level: ValueItem = { key: 'level', nodeId: 'nsu=urn:x;s=Level', timestamps: 'source' };
const state: ValueItem = { key: 'state', nodeId: 'nsu=urn:x;s=State', timestamps: 'source' };
const alarms: EventItem = { key: 'alarms.{source_name}', notifier: 'i=2253', fields: ['SourceName', 'Time'], timeIndex: 1, timestamps: 'source' };

const value = (item: ValueItem, v: ValueRecord['value'], overflow = false): ValueRecord => ({ item, value: v, quality: 'good', status: 'Good', overflow, timestampMs: T, timestampFrom: 'source' });
const event = (source: string | null): EventRecord => ({ item: alarms, fields: { SourceName: source, Time: T }, timestampMs: T, timestampFrom: 'source' });
const batch = (values: ValueRecord[], events: EventRecord[] = [], problems: NotificationBatch['problems'] = []): NotificationBatch => ({ values, events, problems, sequenceNumber: 1, statusChanges: [] });

function setup() {
  const t = createTestContext({ bridge: 'opcua' });
  let emits = 0;
  const emit = t.ctx.emit;
  t.ctx.emit = (channel, points) => {
    emits += 1;
    emit(channel, points);
  };
  const channel = t.ctx.channel('opc.tcp://127.0.0.1:4840');
  const deliver = createDelivery(planned.ok ? planned.plan : (undefined as never), t.ctx, channel, createOpcuaMetrics(t.registry));
  return { t, deliver, emits: () => emits };
}

const episodes = (t: ReturnType<typeof createTestContext>) => t.problems.map((p) => `${p.kind} ${p.key}`);

describe('delivering a NotificationMessage', () => {
  it('emits once per message, with values and events together, and counts messages and overflows', async () => {
    const { t, deliver, emits } = setup();
    deliver(batch([value(level, 1.5, true), value(state, 'On')], [event('Boiler')]));
    expect(emits()).toBe(1);
    expect(t.points.map((p) => p.metric)).toEqual(['level', 'state', 'alarms.Boiler']);
    expect(await t.metric('fieldbridge_source_messages_total', { bridge: 'opcua' })).toBe(1);
    expect(await t.metric('fieldbridge_opcua_queue_overflows_total', {})).toBe(1);
  });

  it('warns once per episode when the server dropped values from full queues, naming how many items, which, and queue_size', () => {
    const { t, deliver } = setup();
    deliver(batch([value(level, 1, true), value(state, 'On', true), value(level, 2)]));
    expect(episodes(t)).toEqual(['report opcua.queue_overflow']);
    expect(t.problems[0]).toMatchObject({
      logged: true,
      message: 'opc.tcp://127.0.0.1:4840: the server dropped values of 2 item(s) whose queue overflowed: level (queue_size 5), state (queue_size 10); raise their queue_size to keep what changes between two publishes or during an outage',
    });
    deliver(batch([value(level, 3, true)]));
    expect(t.problems.map((p) => p.logged)).toEqual([true, false]);
    // Events alone say nothing about queues; the next values without a flag end the episode.
    deliver(batch([], [event('Boiler')]));
    expect(episodes(t)).toHaveLength(2);
    deliver(batch([value(level, 4)]));
    expect(episodes(t).at(-1)).toBe('resolve opcua.queue_overflow');
    expect(t.valuesOf('level')).toEqual([1, 2, 3, 4]);
  });

  it('keeps back repeats of an on_change series and counts them', async () => {
    const { t, deliver } = setup();
    deliver(batch([value(state, 'On'), value(level, 1)]));
    deliver(batch([value(state, 'On'), value(level, 1)]));
    deliver(batch([value(state, 'Off')]));
    expect(t.valuesOf('state')).toEqual(['On', 'Off']);
    expect(t.valuesOf('level')).toEqual([1, 1]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { reason: 'unchanged' })).toBe(1);
  });

  it('opens one episode per series and kind, and ends it with the series\' next clean record', async () => {
    const { t, deliver } = setup();
    deliver(batch([value(level, null), value(state, 'On')]));
    deliver(batch([value(level, null)]));
    expect(episodes(t)).toEqual(['report opcua.value.level.no_value', 'report opcua.value.level.no_value']);
    expect(t.problems.map((p) => p.logged)).toEqual([true, false]);
    deliver(batch([value(level, 2)]));
    expect(episodes(t).at(-1)).toBe('resolve opcua.value.level.no_value');
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'no_value' })).toBe(2);
  });

  it('ends an event entry\'s episode with its next event point, and a message-wide one with the next message free of it', () => {
    const { t, deliver } = setup();
    deliver(batch([], [event(null)], [{ kind: 'unknown_item', message: '1 notification(s) for items this client does not monitor' }]));
    expect(episodes(t)).toEqual(['report opcua.value.alarms.{source_name}.bad_metric', 'report opcua.value.notification.unknown_item']);
    deliver(batch([], [event('Boiler')]));
    expect(episodes(t).slice(2).sort()).toEqual(['resolve opcua.value.alarms.{source_name}.bad_metric', 'resolve opcua.value.notification.unknown_item']);
    expect(t.valuesOf('alarms.Boiler')).toEqual([{ SourceName: 'Boiler' }]);
  });
});
