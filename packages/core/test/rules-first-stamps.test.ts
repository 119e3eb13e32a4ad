import { performance } from 'node:perf_hooks';
import type { Gateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createClock, createRuleExchange, createRuleSet, createSink, parseMapping, type RuleExchange, type Sink } from '../src/index.js';
import { rulesFromConfig } from '../src/runtime/rules-from-config.js';
import { until } from '../src/testing/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { KEY, startGateway } from './helpers/ws-sink.js';

/** Real monotonic time in epoch ms: what both the device and the simulated server build on. */
const mono = () => performance.timeOrigin + performance.now();

type Alert = { timestamp: number; value: { state: string; since?: number; fired_at?: number; by?: string } };

/** A sink to `gateway` over HTTP or WebSocket, on a clock of its own with no sample yet. */
function sinkTo(gateway: Gateway, transport: 'http' | 'ws'): Sink {
  const sink = createSink({ url: transport === 'http' ? gateway.url : gateway.wsUrl, apiKey: KEY, sourceId: 'clk', clock: createClock({ monotonicNow: mono }), logger: pino({ level: 'silent' }), batch: { lingerMs: 5 }, deadLetterPath: '/dev/null' });
  expect(sink.clock.synced()).toBe(false);
  return sink;
}

/** The rule set of a mapping file with `rules`, on the sink's clock as a bridge makes it. */
function fileRuleSet(sink: Sink, rule: string, sourceId = 'clk', exchange?: RuleExchange) {
  const config = parseMapping(`source_id: ${sourceId}\n${rule ? `rules:\n${rule}` : ''}counter:\n  channels: [{ name: a, metric: m }]\n`, 'map.yaml', counterBridge, {});
  return createRuleSet({ rules: rulesFromConfig(config.rules, sink), sink, sourceId, ...(exchange ? { exchange } : {}) });
}

const alerts = (gateway: Gateway) => gateway.points({ metric: 'alert.clk' }) as unknown as Alert[];

/** `clk.w` makes the rule evaluate now, on server time: it fires, its `age` term the reading's real age (seconds). */
async function expectFiredWithAge(gateway: Gateway, sink: Sink, rules: ReturnType<typeof fileRuleSet>, age: string): Promise<void> {
  rules.send('clk.w', 1, { timestamp: sink.clock.now() });
  await sink.flush();
  const fired = alerts(gateway)[0] as (Alert & { value: { values: Record<string, number> } }) | undefined;
  expect(fired?.value.state).toBe('fired');
  expect(fired!.value.values[age]).toBeLessThan(5);
  expect(fired!.value.values[age]).toBeGreaterThanOrEqual(0);
}

describe.each(['http', 'ws'] as const)('an alert of the first moments of a run, the gateway 90 s ahead (%s)', (transport) => {
  it('fired and resolved before the clock\'s first sample: `since` and `fired_at` are the fired event\'s timestamp, on server time', async () => {
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000 });
    const sink = sinkTo(gateway, transport);
    try {
      const rules = fileRuleSet(sink, '  - { name: clk, when: clk.v > 5 }\n');
      rules.send('clk.v', 10, { timestamp: sink.clock.now() });
      rules.send('clk.v', 1, { timestamp: sink.clock.now() });
      await sink.flush();
      const [fired, resolved] = alerts(gateway);
      expect([fired?.value.state, resolved?.value.state]).toEqual(['fired', 'resolved']);
      expect(fired!.value.since).toBe(fired!.timestamp);
      expect(resolved!.value.fired_at).toBe(fired!.timestamp);
      // On server time, as the point that fired it: not 90 s before it.
      const reading = gateway.points({ metric: 'clk.v' }).find((p) => p.value === 10)!;
      expect(Math.abs(fired!.timestamp - reading.timestamp!)).toBeLessThan(1_000);
      expect(Math.abs(fired!.timestamp - gateway.clockNow())).toBeLessThan(5_000);
    } finally {
      await sink.close();
    }
  });

  it('fired before the first sample and resolved after it: `fired_at` is still the fired event\'s timestamp', async () => {
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000 });
    const sink = sinkTo(gateway, transport);
    try {
      const rules = fileRuleSet(sink, '  - { name: clk, when: clk.v > 5 }\n');
      rules.send('clk.v', 10, { timestamp: sink.clock.now() });
      await sink.flush();
      expect(sink.clock.synced()).toBe(true);
      rules.send('clk.v', 1, { timestamp: sink.clock.now() });
      await sink.flush();
      const [fired, resolved] = alerts(gateway);
      expect(resolved!.value.fired_at).toBe(fired!.timestamp);
      expect(fired!.value.since).toBe(fired!.timestamp);
      expect(Math.abs(resolved!.timestamp - fired!.timestamp)).toBeLessThan(5_000);
    } finally {
      await sink.close();
    }
  });

  it('pending before the first sample, fired after it: `since` is on server time, as the point that made it true', async () => {
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000 });
    const sink = sinkTo(gateway, transport);
    try {
      const rules = fileRuleSet(sink, '  - { name: clk, when: clk.v > 5, for: 0.3s }\n');
      rules.send('clk.v', 10, { timestamp: sink.clock.now() });
      await sink.flush();
      expect(sink.clock.synced()).toBe(true);
      const fired = await until(() => alerts(gateway)[0], 'the alert, after its `for`');
      const reading = gateway.points({ metric: 'clk.v' })[0]!;
      expect(Math.abs(fired!.value.since! - reading.timestamp!)).toBeLessThan(1_000);
      expect(fired!.timestamp - fired!.value.since!).toBeGreaterThanOrEqual(300 - 50);
      rules.stop();
    } finally {
      await sink.close();
    }
  });

  it('age() of another file\'s reading, stamped before that file\'s sink had a sample, is its real age on this file\'s time', async () => {
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000 });
    const exchange = createRuleExchange();
    const other = sinkTo(gateway, transport);
    const sink = sinkTo(gateway, transport);
    try {
      const theirs = fileRuleSet(other, '', 'other', exchange);
      const rules = fileRuleSet(sink, '  - { name: clk, sources: [clk, other], per: all, when: clk.w > 0 && age(other.v) < 30 }\n', 'clk', exchange);
      // The other file's sink has sent nothing yet: its stamp is on this box's clock.
      theirs.send('other.v', 1, { timestamp: other.clock.now() });
      expect(other.clock.synced()).toBe(false);
      sink.send('sync', 1);
      await sink.flush();
      expect(sink.clock.synced()).toBe(true);
      await expectFiredWithAge(gateway, sink, rules, 'age(other.v)');
      theirs.stop();
      rules.stop();
    } finally {
      await sink.close();
      await other.close();
    }
  });

  it('age() of a reading stamped before the first sample, read after it, is its real age, not 90 s more', async () => {
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000 });
    const sink = sinkTo(gateway, transport);
    try {
      const rules = fileRuleSet(sink, '  - { name: clk, when: clk.w > 0 && age(clk.v) < 30 }\n');
      rules.send('clk.v', 1, { timestamp: sink.clock.now() });
      await sink.flush();
      expect(sink.clock.synced()).toBe(true);
      // The reading of clk.v is still the early one.
      await expectFiredWithAge(gateway, sink, rules, 'age(clk.v)');
    } finally {
      await sink.close();
    }
  });
});
