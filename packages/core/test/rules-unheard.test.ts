import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRuleSet, UNHEARD_AFTER_MS, type Point, type Rule } from '../src/index.js';
import { exprRule, T0 } from './helpers/rules.js';
import { captureLogger } from './helpers/ws-sink.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

/** A rule set on a collecting writer with a captured logger; `put` writes a point through it. */
function harness(rules: Rule[], unheardAfterMs?: number) {
  const { logger, lines } = captureLogger();
  const set = createRuleSet({ rules, sink: { write: () => true }, sourceId: 'plant-a', logger, ...(unheardAfterMs === undefined ? {} : { unheardAfterMs }) });
  return {
    set,
    put: (metric: string, value: Point['value'], extra: Partial<Point> = {}) => set.write({ metric, value, timestamp: Date.now(), ...extra }),
    warnings: () => lines().filter((l) => l.level === 40),
  };
}

describe('a metric a rule reads that no source sends', () => {
  it('is said once, after 5 min, with the name sent that it most likely meant', () => {
    const h = harness([exprRule({ name: 'oil_hot' }, 'press1.oil.temprature > 80 && press1.running == true')]);
    h.put('press1.oil.temperature', 85);
    h.put('press1.running', true);
    vi.advanceTimersByTime(UNHEARD_AFTER_MS - 1);
    expect(h.warnings()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(h.warnings()).toHaveLength(1);
    expect(h.warnings()[0]).toMatchObject({
      rule: 'oil_hot',
      unheard: ['press1.oil.temprature'],
      msg:
        'rule oil_hot: no source it watches sent press1.oil.temprature (press1.oil.temperature was sent: a typo?) in the 5 min since the rules started; ' +
        'what its condition reads of it stays unknown until one does, so the rule cannot fire on it: check the name against the metrics the bridges send',
    });
    vi.advanceTimersByTime(UNHEARD_AFTER_MS * 3);
    expect(h.warnings()).toHaveLength(1);
  });

  it('says nothing once every name and pattern has been heard, and names a pattern that matched nothing', () => {
    const heard = harness([exprRule({ name: 'hot' }, 'oil.temperature > 80'), exprRule({ name: 'fleet' }, 'max_of("press*.temp") > 80')]);
    heard.put('oil.temperature', 20);
    heard.put('press2.temp', 20);
    vi.advanceTimersByTime(UNHEARD_AFTER_MS);
    expect(heard.warnings()).toEqual([]);

    const unmatched = harness([exprRule({ name: 'fleet' }, 'max_of("press*.temp") > 80 || age(line.speed) > 60')]);
    unmatched.put('pump1.temp', 20);
    vi.advanceTimersByTime(UNHEARD_AFTER_MS);
    expect(unmatched.warnings().map((l) => l.msg)).toEqual([
      'rule fleet: no source it watches sent line.speed or anything matching press*.temp in the 5 min since the rules started; what its condition reads of them stays unknown until one does, so the rule cannot fire on them: check the names against the metrics the bridges send',
    ]);
  });

  it('counts only the sources the rule watches: a metric sent by another source is still unheard', () => {
    const h = harness([exprRule({ name: 'line_b', sources: ['line-b'] }, 'speed < 10')], 60_000);
    h.put('speed', 5, { source_id: 'line-a' });
    vi.advanceTimersByTime(60_000);
    expect(h.warnings().map((l) => l.msg)).toEqual([expect.stringMatching(/^rule line_b: no source it watches sent speed \(other sources did: check its sources\) in the 1 min since/)]);
  });

  it('goes on over a reload: what a kept rule heard before is not unheard after, a new rule starts its own wait', () => {
    const { logger, lines } = captureLogger();
    const rules = () => [exprRule({ name: 'slow' }, 'tank.level < 5'), exprRule({ name: 'typo' }, 'tank.levle < 5')];
    const before = createRuleSet({ rules: rules(), sink: { write: () => true }, sourceId: 'plant-a', logger });
    // A metric sent once an hour: heard before the reload, not again within 5 minutes after it.
    before.write({ metric: 'tank.level', value: 40, timestamp: Date.now() });
    vi.advanceTimersByTime(60_000);
    createRuleSet({ rules: rules(), sink: { write: () => true }, sourceId: 'plant-a', logger, previous: before });
    vi.advanceTimersByTime(UNHEARD_AFTER_MS);
    expect(lines().filter((l) => l.level === 40).map((l) => l.rule)).toEqual(['typo']);
  });

  it('is never said with unheardAfterMs 0, nor after the set stopped', () => {
    const off = harness([exprRule({ name: 'a' }, 'x > 1')], 0);
    vi.advanceTimersByTime(UNHEARD_AFTER_MS);
    expect(off.warnings()).toEqual([]);
    const stopped = harness([exprRule({ name: 'b' }, 'y > 1')]);
    stopped.set.stop();
    vi.advanceTimersByTime(UNHEARD_AFTER_MS);
    expect(stopped.warnings()).toEqual([]);
  });
});
