// max_of, min_of, avg_of, sum_of and count_of over many metrics are kept as points arrive (a group
// per pattern) instead of walking every metric at each evaluation: these check the kept totals
// against a walk of the same values, and against values worked out by hand.
import { describe, expect, it } from 'vitest';
import type { PointValue } from '../src/index.js';
import { walkPattern, type PatternAggregates } from '../src/rules/_pattern-group.js';
import { createRuleState, type RuleState } from '../src/rules/_state.js';
import { seededRandom } from '../src/testing/index.js';

const blank = (): PatternAggregates => ({ count: 0, numbers: 0, sum: 0, min: 0, max: 0, minMetric: '', minSource: '', maxMetric: '', maxSource: '' });
const stateOf = (perAll: boolean, patterns: string[]): RuleState => createRuleState(perAll, () => 0, patterns, (t) => t);

/** What the state keeps for `pattern`, seen from `source` (undefined: across sources), and what walking the same values gives. */
function both(state: RuleState, source: string | undefined, pattern: string): { kept: PatternAggregates; walked: PatternAggregates } {
  state.begin(source);
  const kept = { ...state.view.gather(pattern) };
  const walked = walkPattern(state.view.matching, pattern, blank());
  return { kept, walked };
}

/** The kept totals agree with the walk: counts, least and greatest exactly (a tie may name either metric), the sum to rounding. */
function expectAgree({ kept, walked }: { kept: PatternAggregates; walked: PatternAggregates }, valueOf: (source: string, metric: string) => PointValue | undefined, seed: string): void {
  expect([kept.count, kept.numbers, kept.min, kept.max], seed).toEqual([walked.count, walked.numbers, walked.min, walked.max]);
  if (walked.numbers > 0) {
    expect(valueOf(kept.minSource, kept.minMetric), seed).toBe(walked.min);
    expect(valueOf(kept.maxSource, kept.maxMetric), seed).toBe(walked.max);
  }
  expect(Math.abs(kept.sum - walked.sum), seed).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(walked.sum)) * Math.max(1, walked.count));
}

describe('aggregates kept as points arrive', () => {
  it.each([
    ['per source', false],
    ['across sources (per: all)', true],
  ])('agree with walking the values, %s, whatever arrives (numbers, text, the extreme moving away)', (_what, perAll) => {
    for (const seed of [1, 2, 3, 4]) {
      const random = seededRandom(seed);
      const state = stateOf(perAll, ['cell*.v']);
      const values = new Map<string, PointValue>();
      const sources = ['s1', 's2', 's3'];
      for (let i = 0; i < 6000; i++) {
        const source = sources[Math.floor(random() * sources.length)]!;
        const n = Math.floor(random() * 120);
        // Mostly cells; some metrics the pattern does not match.
        const metric = random() < 0.9 ? `cell${n}.v` : `pack${n}.v`;
        const r = random();
        // Numbers near each other (ties), far apart, negative, fractions; now and then text or a boolean.
        const value: PointValue = r < 0.05 ? 'fault' : r < 0.08 ? true : r < 0.3 ? Math.floor(random() * 4) : r < 0.32 ? 1e12 * (random() - 0.5) : (random() - 0.3) * 100;
        state.put(source, metric, value, i);
        values.set(`${source}\u0000${metric}`, value);
        if (i % 7 !== 0) continue;
        const valueOf = (s: string, m: string) => values.get(`${s}\u0000${m}`);
        if (perAll) expectAgree(both(state, undefined, 'cell*.v'), valueOf, `seed ${seed}, point ${i}`);
        else for (const s of sources) expectAgree(both(state, s, 'cell*.v'), valueOf, `seed ${seed}, point ${i}, ${s}`);
      }
    }
  });

  it('hand-worked: 40 cells of 3.0 .. 3.39 V, the highest falling to 3.0, one becoming text', () => {
    const state = stateOf(false, ['cell*']);
    for (let i = 0; i < 40; i++) state.put('pack', `cell${i}`, 3 + i / 100, i);
    const read = () => {
      state.begin('pack');
      return { ...state.view.gather('cell*') };
    };
    let g = read();
    expect([g.count, g.numbers, g.min, g.minMetric, g.max, g.maxMetric]).toEqual([40, 40, 3, 'cell0', 3.39, 'cell39']);
    // 40 * 3 + (0 + 1 + ... + 39) / 100 = 120 + 7.8
    expect(g.sum).toBeCloseTo(127.8, 10);
    state.put('pack', 'cell39', 3, 40);
    g = read();
    expect([g.max, g.maxMetric, g.min]).toEqual([3.38, 'cell38', 3]);
    expect(g.sum).toBeCloseTo(127.41, 10);
    state.put('pack', 'cell0', 'open', 41);
    g = read();
    // cell39 now holds the least, 3.0; cell0 counts but is no number.
    expect([g.count, g.numbers, g.min, g.minMetric]).toEqual([40, 39, 3, 'cell39']);
    expect(g.sum / g.numbers).toBeCloseTo(124.41 / 39, 10);
  });

  it('go on across a reload: the state handed over keeps its totals, and the walk still agrees', () => {
    const values = new Map<string, PointValue>();
    const before = stateOf(true, ['t*']);
    for (let i = 0; i < 100; i++) {
      before.put(`s${i % 4}`, `t${i}`, i, i);
      values.set(`s${i % 4}\u0000t${i}`, i);
    }
    const after = stateOf(true, ['t*']);
    after.adopt(before.handOver());
    after.put('s3', 't99', -5, 100);
    values.set('s3\u0000t99', -5);
    const agreed = both(after, undefined, 't*');
    expectAgree(agreed, (s, m) => values.get(`${s}\u0000${m}`), 'after the reload');
    expect([agreed.kept.min, agreed.kept.minMetric, agreed.kept.max, agreed.kept.maxMetric]).toEqual([-5, 't99', 98, 't98']);
  });
});
