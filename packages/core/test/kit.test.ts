import { readdirSync, readFileSync } from 'node:fs';
import { Counter, Registry } from 'prom-client';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { BridgeContext, Clock, ClockSample, PointWriter, ProblemReporter } from '../src/kit.js';
import { compileTemplate, createKeyedCache, createOutage, POINT_LIMITS, createReconnector, createSourceMetrics, excerpt, jsonNestsDeeperThan, MAX_LABELLED_CHANNELS, metricOnce, namedPlaceholders, oneLine, rateText, renderMetricName, textTable } from '../src/kit.js';

describe('kit: reconnector', () => {
  it('grows the delay while attempts fail, and starts over only after a connection that lasted', () => {
    let now = 0;
    const r = createReconnector({ initialMs: 100, maxMs: 1000, jitter: 0, stableMs: 30_000, now: () => now });
    expect([r.failed(), r.failed(), r.failed(), r.failed(), r.failed()]).toEqual([100, 200, 400, 800, 1000]);
    // A peer that accepts and closes at once: the connection did not last, the backoff keeps growing.
    r.connected();
    now += 50;
    expect(r.failed()).toBe(1000);
    expect(r.attempts()).toBe(6);
    // A connection that lasted 30 s: the next loss starts over.
    r.connected();
    now += 30_000;
    expect(r.failed()).toBe(100);
  });

  it('schedules one attempt at a time, cancellable', async () => {
    const r = createReconnector({ initialMs: 1, maxMs: 1, jitter: 0 });
    let runs = 0;
    r.schedule(() => (runs += 1));
    r.schedule(() => (runs += 10));
    expect(r.pending()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toBe(10);
    r.schedule(() => (runs += 100));
    r.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toBe(10);
  });
});

describe('kit: templates', () => {
  const resolve = namedPlaceholders<{ message: string; signal?: string }>({ message: (v) => v.message, signal: (v) => v.signal });

  it('compiles once and fills per message', () => {
    const t = compileTemplate('{message}.{signal}', resolve);
    if (!t.ok) throw new Error(t.message);
    expect(t.template.placeholders).toEqual(['message', 'signal']);
    expect(t.template.render({ message: 'EngineData', signal: 'rpm' })).toEqual({ ok: true, text: 'EngineData.rpm' });
    expect(t.template.render({ message: 'EngineData' })).toEqual({ ok: false, message: '{signal} is not available here' });
  });

  it('refuses unknown placeholders and stray braces with a message naming what is allowed', () => {
    expect(compileTemplate('{mesage}.x', resolve)).toEqual({ ok: false, message: 'unknown placeholder {mesage}; use {message}, {signal}' });
    expect(compileTemplate('a}b', resolve)).toMatchObject({ ok: false, message: expect.stringMatching(/unbalanced/) });
    // Names on Object.prototype are not placeholders.
    expect(compileTemplate('{constructor}', resolve)).toMatchObject({ ok: false });
  });

  it('a template without placeholders is a constant; metric names drop empty segments', () => {
    const c = compileTemplate('plant.pressure', resolve);
    expect(c.ok && c.template.constant).toBe('plant.pressure');
    const t = compileTemplate('{message}..{signal}.', resolve);
    if (!t.ok) throw new Error(t.message);
    expect(renderMetricName(t.template, { message: 'a', signal: '' })).toEqual({ ok: true, text: 'a' });
    expect(renderMetricName(t.template, { message: '', signal: '' })).toMatchObject({ ok: false, message: expect.stringMatching(/empty name/) });
  });
});

describe('kit: metricOnce', () => {
  it('makes a metric the first time and hands the same one back after (a reload on the same registry)', () => {
    const registry = new Registry();
    let made = 0;
    const make = () => (made++, new Counter({ name: 'fieldbridge_test_things_total', help: 'things', registers: [registry] }));
    const first = metricOnce(registry, 'fieldbridge_test_things_total', make);
    expect(metricOnce(registry, 'fieldbridge_test_things_total', make)).toBe(first);
    expect(made).toBe(1);
  });
});

describe('kit: standard source metrics', () => {
  it('counts by bridge and channel, bounds the channel label, and forgets a closed channel', async () => {
    const registry = new Registry();
    const m = createSourceMetrics(registry, 'can');
    m.points('vcan0', 10);
    m.error('vcan0', 'bad_frame');
    m.connected('vcan0', true);
    for (let i = 0; i < MAX_LABELLED_CHANNELS + 5; i++) m.points(`tag-${i}`, 1);
    const points = (await registry.getSingleMetric('fieldbridge_source_points_total')!.get()).values;
    expect(points.find((v) => v.labels.channel === 'vcan0')?.value).toBe(10);
    expect(points.find((v) => v.labels.channel === '_other')?.value).toBe(6);
    m.forget('vcan0');
    const text = await registry.metrics();
    expect(text).not.toMatch(/channel="vcan0"/);
    // Counted again after a channel was forgotten (it came back): a fresh series, from 0.
    m.error('vcan0', 'bad_frame');
    m.suppressed('vcan0', 'rate', 3);
    expect(await registry.getSingleMetricAsString('fieldbridge_source_errors_total')).toMatch(/bridge="can",channel="vcan0",kind="bad_frame"} 1$/m);
    expect(await registry.getSingleMetricAsString('fieldbridge_source_points_suppressed_total')).toMatch(/bridge="can",channel="vcan0",reason="rate"} 3$/m);
  });

  it('adds points and messages up in plain numbers, and every read sees them all, of every bridge on the registry', async () => {
    const registry = new Registry();
    const can = createSourceMetrics(registry, 'can');
    const mqtt = createSourceMetrics(registry, 'mqtt');
    for (let i = 0; i < 1000; i++) {
      can.messages('vcan0');
      can.points('vcan0', 3);
      mqtt.messages('plant/#', 2);
    }
    const read = async (name: string) => Object.fromEntries((await registry.getSingleMetric(name)!.get()).values.map((v) => [`${v.labels.bridge}/${v.labels.channel}`, v.value]));
    expect(await read('fieldbridge_source_messages_total')).toEqual({ 'can/vcan0': 1000, 'mqtt/plant/#': 2000 });
    expect(await read('fieldbridge_source_points_total')).toEqual({ 'can/vcan0': 3000 });
    can.points('vcan0', 1);
    expect(await registry.metrics()).toMatch(/fieldbridge_source_points_total\{bridge="can",channel="vcan0"\} 3001/);
  });
});

describe('kit: keyed cache', () => {
  it('computes once per key, keeps at most maxKeys (first in, first out), and never keeps what keep() refuses', () => {
    const computed: string[] = [];
    const lengthOf = createKeyedCache((key: string) => (computed.push(key), key.length), { maxKeys: 2, keep: (key) => key.length < 10 });
    expect([lengthOf('a'), lengthOf('bb'), lengthOf('a'), lengthOf('bb')]).toEqual([1, 2, 1, 2]);
    expect(computed).toEqual(['a', 'bb']);
    lengthOf('ccc');
    lengthOf('a');
    expect(computed).toEqual(['a', 'bb', 'ccc', 'a']);
    lengthOf('x'.repeat(20));
    lengthOf('x'.repeat(20));
    expect(computed.filter((k) => k.length === 20)).toHaveLength(2);
    expect(createKeyedCache((key: number) => (key > 0 ? undefined : 0))(1)).toBeUndefined();
  });

  it('answers a hit with one lookup (it runs per value on hot paths), and keeps an undefined result too', () => {
    let runs = 0;
    const nothing = createKeyedCache((key: number) => ((runs += 1), key > 0 ? undefined : key));
    expect([nothing(1), nothing(1)]).toEqual([undefined, undefined]);
    expect(runs).toBe(1);
    const square = createKeyedCache((key: number) => key * key);
    square(3);
    const has = vi.spyOn(Map.prototype, 'has');
    try {
      expect(square(3)).toBe(9);
      expect(has).not.toHaveBeenCalled();
    } finally {
      has.mockRestore();
    }
  });
});

describe('kit: outage episodes', () => {
  it('logs a flapping connection once, and ends the episode only after a connection lasted', () => {
    vi.useFakeTimers();
    try {
      const calls: string[] = [];
      const problems = { report: (key: string, message: string) => (calls.push(`report ${key}: ${message}`), calls.length === 1), resolve: (key: string, message?: string) => void calls.push(`resolve ${key}: ${message}`), open: () => [] };
      const outage = createOutage(problems, { key: 'x.connection', stableMs: 30_000 });
      expect(outage.connected('up again')).toBe(true);
      outage.failed('lost');
      for (let i = 0; i < 3; i++) {
        expect(outage.connected('up again')).toBe(false);
        vi.advanceTimersByTime(29_999);
        outage.failed('lost again');
      }
      expect(calls.filter((c) => c.startsWith('resolve'))).toEqual([]);
      expect(outage.connected('up again')).toBe(false);
      vi.advanceTimersByTime(30_000);
      expect(calls.at(-1)).toBe('resolve x.connection: up again (the connection held 30s)');
      expect(outage.connected('up again')).toBe(true);
      outage.failed('lost');
      outage.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('kit: bounds on what peers send', () => {
  it('oneLine keeps a peer\'s text on its line: control characters and line separators become a space', () => {
    expect(oneLine('ATC_1234')).toBe('ATC_1234');
    expect(oneLine('a\r\nb\u001b[2Jc\u2028d\u0000e\u007ff')).toBe('a b [2Jc d e f');
  });

  it('rateText gives sightings per second between the first and the last, or - when that says nothing', () => {
    expect(rateText(3, 1000, 1200)).toBe('10/s');
    expect(rateText(2, 0, 1000)).toBe('1.0/s');
    expect(rateText(5, 0, 1600)).toBe('2.5/s');
    expect([rateText(1, 0, 1000), rateText(4, 500, 500), rateText(0, 0, 0)]).toEqual(['-', '-', '-']);
  });

  it('textTable aligns columns, the last one unpadded, a capped column pushing its row out', () => {
    expect(textTable([['name', 'value', 'note'], ['a', '1', ''], ['longer', '22', 'x']])).toEqual(['name    value  note', 'a       1', 'longer  22     x']);
    expect(textTable([['ab', 'c'], ['abcdef', 'd']], 3)).toEqual(['ab   c', 'abcdef  d']);
    expect(textTable([])).toEqual([]);
  });

  it('excerpt cuts text copied into messages', () => {
    expect(excerpt('short')).toBe('short');
    expect(excerpt('x'.repeat(100), 10)).toBe('xxxxxxx...');
    expect(excerpt('x'.repeat(60))).toBe('x'.repeat(60));
  });

  it('jsonNestsDeeperThan counts brackets outside strings, escaped quotes included', () => {
    const deep = (n: number) => Buffer.from(`${'['.repeat(n)}1${']'.repeat(n)}`);
    expect(jsonNestsDeeperThan(deep(64), 64)).toBe(false);
    expect(jsonNestsDeeperThan(deep(65), 64)).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify({ a: '['.repeat(100), b: '\\"[[[[' })), 2)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from('{"a": [[{"b": [1]}]]}'), 3)).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from(`${'{"a":'.repeat(200_000)}1`), 64)).toBe(true);
  });
});

describe('kit: what its own API names is exported from it', () => {
  it('POINT_LIMITS bounds what a peer sends', () => {
    expect(POINT_LIMITS.metricMaxChars).toBe(256);
    expect(POINT_LIMITS.maxTags).toBe(16);
  });

  it('BridgeContext.problems and .clock, and what createOutage and createKeyedProblems take, are the kit\'s types', () => {
    expectTypeOf<BridgeContext['problems']>().toEqualTypeOf<ProblemReporter>();
    expectTypeOf<BridgeContext['clock']>().toEqualTypeOf<Clock>();
    expectTypeOf<BridgeContext['sink']>().toEqualTypeOf<PointWriter>();
    expectTypeOf<Parameters<typeof createOutage>[0]>().toEqualTypeOf<ProblemReporter>();
    expectTypeOf<Parameters<Clock['addSample']>[0]>().toEqualTypeOf<ClockSample>();
  });

  it('every core type the definition, the context and the kit helpers import is exported by the kit', () => {
    const src = new URL('../src/', import.meta.url);
    const kit = readFileSync(new URL('kit.ts', src), 'utf8');
    const files = ['runtime/define-bridge.ts', ...readdirSync(new URL('bridge/', src)).map((f) => `bridge/${f}`)];
    const missing: string[] = [];
    for (const file of files) {
      for (const [, names, from] of readFileSync(new URL(file, src), 'utf8').matchAll(/^import type \{([^}]*)\} from '(\.[^']+)'/gm)) {
        for (const name of names!.split(',').map((n) => n.trim()).filter(Boolean)) if (!new RegExp(`\\b${name}\\b`).test(kit)) missing.push(`${name} (${file} from ${from})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
