import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuleSet, createSink, type Point, type RuleEvent, type Sink } from '../src/index.js';
import { exprRule } from './helpers/rules.js';

// Rules see what the sink took: an alert on a point the sink refused (dead-lettered, never sent)
// would report a reading the receiver never got.
let gateway: Gateway;
let sink: Sink;
beforeEach(async () => {
  gateway = await createGateway({ apiKeys: ['write-key'] });
  sink = createSink({ url: gateway.url, apiKey: 'write-key', sourceId: 'rules-app', logger: pino({ level: 'silent' }), deadLetterPath: '/dev/null', batch: { lingerMs: 5 } });
});
afterEach(async () => {
  await sink.close();
  await gateway.close();
});

function oilRule() {
  const rule = exprRule({ name: 'oil_hot' }, 'press1.oil.temperature > 80');
  const fired: RuleEvent[] = [];
  rule.listen({ onFire: (e) => fired.push(e) });
  const set = createRuleSet({ rules: [rule], sink, sourceId: 'rules-app' });
  return { set, fired };
}

describe('a rule set on the sink', () => {
  it('does not evaluate a point the sink refused: a timestamp in seconds, a bad source_id, a NaN', async () => {
    const { set, fired } = oilRule();
    set.write({ metric: 'press1.oil.temperature', value: 95, timestamp: Math.floor(Date.now() / 1000) });
    set.write({ metric: 'press1.oil.temperature', value: 99, source_id: 'BAD ID' });
    set.send('press1.oil.temperature', 97, { tags: { n: 1 as unknown as string } });
    expect(fired).toEqual([]);
    // The same reading, valid: it fires.
    set.write({ metric: 'press1.oil.temperature', value: 95 });
    expect(fired.map((e) => e.values)).toEqual([{ 'press1.oil.temperature': 95 }]);
    await sink.flush();
    set.stop();
    expect(gateway.points({ metric: 'press1.oil.temperature' }).map((p) => p.value)).toEqual([95]);
  });

  it('write() and observe() of something that is not a point never throw', () => {
    const { set, fired } = oilRule();
    expect(() => set.write(null as unknown as Point)).not.toThrow();
    expect(() => set.write(undefined as unknown as Point)).not.toThrow();
    expect(() => set.observe(null as unknown as Point)).not.toThrow();
    expect(() => set.observe({ value: 1 } as unknown as Point)).not.toThrow();
    expect(fired).toEqual([]);
    set.stop();
  });

  it('a writer that answers nothing still has every point evaluated', () => {
    const rule = exprRule({ name: 'oil_hot' }, 'press1.oil.temperature > 80');
    const fired: RuleEvent[] = [];
    rule.listen({ onFire: (e) => fired.push(e) });
    const written: Point[] = [];
    const set = createRuleSet({ rules: [rule], sink: { write: (p) => void written.push(p) }, sourceId: 'plant-a' });
    set.write({ metric: 'press1.oil.temperature', value: 90 });
    expect(fired).toHaveLength(1);
    set.stop();
  });
});
