import type { PointValue } from '../point/point.js';
import type { RuleView } from './rule-view.js';

/** A metric's latest value in a group: the rule state's entry. */
export interface Member {
  readonly metric: string;
  readonly value: PointValue;
  readonly sourceId: string;
}

/** What the aggregates over the metrics matching a pattern read (`max_of`, `avg_of`, ...). */
export interface PatternAggregates {
  /** Values of any type. */
  count: number;
  /** Values that are numbers, and their sum, least and greatest. */
  numbers: number;
  sum: number;
  min: number;
  max: number;
  /** The metric that gave `min`, and its source, for the event's values. */
  minMetric: string;
  minSource: string;
  /** The metric that gave `max`, and its source. */
  maxMetric: string;
  maxSource: string;
}

/**
 * The latest values of the metrics matching one pattern (of one source, or of every source for a
 * rule `per: 'all'`), and their aggregates kept as the values change, so that reading `max_of`
 * over ten thousand metrics at each point does not walk ten thousand values. The sum is kept
 * running, compensated for rounding, and added up afresh once as many values changed as the group
 * holds (so what rounding still loses never builds up); the least and the
 * greatest are kept with their member and looked for afresh only when that member's value moves
 * away. A tie between members goes to either.
 */
export interface PatternGroup {
  readonly members: readonly Member[];
  /** A member joined, with its first value. */
  add(member: Member): void;
  /** `member`'s value changed from `before` to what it holds now. */
  changed(member: Member, before: PointValue): void;
  /** The aggregates now, written into `into`. */
  gather(into: PatternAggregates): PatternAggregates;
}

/** No value at all: what the aggregates of a pattern nothing matched read. */
function emptied(into: PatternAggregates): PatternAggregates {
  into.count = 0;
  into.numbers = 0;
  into.sum = 0;
  into.min = Infinity;
  into.max = -Infinity;
  into.minMetric = into.minSource = into.maxMetric = into.maxSource = '';
  return into;
}

/**
 * The aggregates of what `matching` visits, added up by walking it (a pattern no group keeps: one
 * a rule did not declare): in visiting order, a tie going to the first.
 */
export function walkPattern(matching: RuleView['matching'], pattern: string, into: PatternAggregates): PatternAggregates {
  const g = emptied(into);
  matching(pattern, (metric, value, sourceId) => {
    g.count += 1;
    if (typeof value !== 'number') return;
    g.numbers += 1;
    g.sum += value;
    if (value < g.min) {
      g.min = value;
      g.minMetric = metric;
      g.minSource = sourceId;
    }
    if (value > g.max) {
      g.max = value;
      g.maxMetric = metric;
      g.maxSource = sourceId;
    }
  });
  return g;
}

export function createPatternGroup(): PatternGroup {
  const members: Member[] = [];
  let numbers = 0;
  // The running sum, compensated (Neumaier): what rounding lost is kept apart and added back, so a
  // large value that came and went leaves the small ones' sum as it was.
  let sum = 0;
  let lost = 0;
  let least: Member | undefined;
  let greatest: Member | undefined;
  // Set when the member holding the least (greatest) value moved away from it: found afresh at the next read.
  let leastLost = false;
  let greatestLost = false;
  let roundings = 0;

  const add = (value: number): void => {
    const next = sum + value;
    lost += Math.abs(sum) >= Math.abs(value) ? sum - next + value : value - next + sum;
    sum = next;
    roundings += 1;
  };
  const take = (member: Member, value: number): void => {
    numbers += 1;
    add(value);
    if (!leastLost && (least === undefined || value < (least.value as number))) least = member;
    if (!greatestLost && (greatest === undefined || value > (greatest.value as number))) greatest = member;
  };
  /** Everything added up afresh, in the order the members joined. */
  const recount = (): void => {
    numbers = 0;
    sum = 0;
    lost = 0;
    least = undefined;
    greatest = undefined;
    for (const m of members) {
      const v = m.value;
      if (typeof v !== 'number') continue;
      numbers += 1;
      add(v);
      if (least === undefined || v < (least.value as number)) least = m;
      if (greatest === undefined || v > (greatest.value as number)) greatest = m;
    }
    leastLost = false;
    greatestLost = false;
    roundings = 0;
  };

  return {
    members,
    add(member) {
      members.push(member);
      if (typeof member.value === 'number') take(member, member.value);
    },
    changed(member, before) {
      const now = member.value;
      // A steady value (most of a plant's) changes no total.
      if (now === before) return;
      if (typeof before === 'number') {
        numbers -= 1;
        add(-before);
        if (member === least && !(typeof now === 'number' && now <= before)) leastLost = true;
        if (member === greatest && !(typeof now === 'number' && now >= before)) greatestLost = true;
      }
      if (typeof now === 'number') take(member, now);
    },
    gather(into) {
      if (roundings > members.length || leastLost || greatestLost) recount();
      into.count = members.length;
      into.numbers = numbers;
      into.sum = numbers === 0 ? 0 : sum + lost;
      into.min = least === undefined ? Infinity : (least.value as number);
      into.max = greatest === undefined ? -Infinity : (greatest.value as number);
      into.minMetric = least?.metric ?? '';
      into.minSource = least?.sourceId ?? '';
      into.maxMetric = greatest?.metric ?? '';
      into.maxSource = greatest?.sourceId ?? '';
      return into;
    },
  };
}
