import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { compileTemplate, createReconnector, createSourceMetrics, MAX_LABELLED_CHANNELS, namedPlaceholders, renderMetricName } from '../src/kit.js';

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
});
