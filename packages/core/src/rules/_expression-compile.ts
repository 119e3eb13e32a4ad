import type jsep from 'jsep';
import { SOURCE_ID_PATTERN } from '../point/point.js';
import { AGGREGATES, ARITHMETIC, BINARY, EQUALITY, equated, finite, MATH, MISSING, notFiniteReason, num, OFFERED_FUNCTIONS, ordered, ORDERING, shown } from './_expression-ops.js';
import { withMatch } from './_match.js';
import type { RuleView } from './rule-view.js';

/** A compiled expression part: a closure over the rule's view, no parsing left. */
export type Part = (view: RuleView) => unknown;

/** What compiling collects, and how it refuses. */
export interface CompileContext {
  /** Exact metric names read. */
  metrics: Set<string>;
  /** Wildcard patterns read (`max_of("press*.temp")`). */
  patterns: Set<string>;
  /** Sources named in `value(name, source)` and `age(name, source)`. */
  sources: Set<string>;
  /** Names with a `*` read one metric at a time (`value("freezer*.temperature")`): one alert per metric matched. */
  matched: Set<string>;
  /** Set when a part reads the clock (`age()`): the value can change with no point arriving. */
  readsClock: boolean;
  /** The condition as written, to point into. */
  readonly text: string;
  /** Refuses the expression; `near` is a piece of its text to point at. */
  fail(message: string, near?: string): never;
}

/**
 * Names that reach JavaScript internals rather than data. The evaluator never touches an
 * object's properties by a user's name (metrics are looked up in a Map), so these could do no
 * harm; they are refused anyway, so no expression even looks like an escape.
 */
const INTERNAL_NAMES = new Set(['__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

/** Compiles one node of jsep's tree, refusing whatever is not offered. */
export function compilePart(node: jsep.Expression, c: CompileContext): Part {
  switch (node.type) {
    case 'Literal':
      return literal(node as jsep.Literal, c);
    case 'Identifier':
    case 'MemberExpression': {
      const name = metricName(node, c);
      c.metrics.add(name);
      return reference(name, undefined);
    }
    case 'UnaryExpression':
      return unary(node as jsep.UnaryExpression, c);
    case 'BinaryExpression':
      return binary(node as jsep.BinaryExpression, c);
    case 'ConditionalExpression': {
      const n = node as jsep.ConditionalExpression;
      const test = compilePart(n.test, c);
      const yes = compilePart(n.consequent, c);
      const no = compilePart(n.alternate, c);
      return (view) => {
        const t = test(view);
        return t === MISSING ? MISSING : t ? yes(view) : no(view);
      };
    }
    case 'CallExpression':
      return call(node as jsep.CallExpression, c);
    case 'ThisExpression':
      return c.fail('`this` is not offered: name a metric instead, e.g. press1.oil.temperature', 'this');
    case 'Compound':
    case 'SequenceExpression':
      return compound(node, c);
    case 'ArrayExpression':
      return c.fail('arrays are not offered', '[');
    default:
      return c.fail(`${node.type} is not offered`);
  }
}

function literal(node: jsep.Literal, c: CompileContext): Part {
  const v = node.value;
  if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') c.fail(`the literal ${node.raw} is not offered: use numbers, 'strings', true or false`, node.raw);
  if (typeof v === 'number' && !Number.isFinite(v)) c.fail(`the number ${node.raw} is too large`, node.raw);
  return () => v;
}

function unary(node: jsep.UnaryExpression, c: CompileContext): Part {
  const arg = compilePart(node.argument, c);
  if (node.operator === '!') return (view) => missingOr(arg(view), (a) => !a);
  if (node.operator === '-') return (view) => missingOr(arg(view), (a) => finite(-num(a), () => `-${shown(a)}`, 'arithmetic on what is not a number'));
  if (node.operator === '+') return (view) => missingOr(arg(view), (a) => finite(num(a), () => `+${shown(a)}`, 'arithmetic on what is not a number'));
  return c.fail(`the operator ${node.operator} is not offered`, node.operator);
}

function binary(node: jsep.BinaryExpression, c: CompileContext): Part {
  const left = compilePart(node.left, c);
  const right = compilePart(node.right, c);
  // Three-valued: an unknown side decides nothing unless the other side decides alone.
  if (node.operator === '&&') {
    return (view) => {
      const a = left(view);
      if (a === MISSING) {
        const b = right(view);
        return b !== MISSING && !b ? b : MISSING;
      }
      return a ? right(view) : a;
    };
  }
  if (node.operator === '||') {
    return (view) => {
      const a = left(view);
      if (a === MISSING) {
        const b = right(view);
        return b !== MISSING && b ? b : MISSING;
      }
      return a ? a : right(view);
    };
  }
  const op = BINARY.get(node.operator);
  if (!op) return c.fail(`the operator ${node.operator} is not offered (offered: ${[...BINARY.keys(), '&&', '||', '!', '? :'].join(' ')})`, node.operator);
  const operator = node.operator;
  if ((operator === '/' || operator === '%') && node.right.type === 'Literal' && (node.right as jsep.Literal).value === 0) {
    // Never a number, whatever the data: refused now rather than counted on every point.
    const at = /[/%]\s*[0.]+(?![\w.])/.exec(c.text)?.[0];
    c.fail(`${operator} 0 is ${operator === '/' ? 'a division' : 'a modulo'} by zero, which never gives a number: the condition could never tell`, at ?? operator);
  }
  if (ARITHMETIC.has(operator)) {
    return (view) => {
      const a = left(view);
      if (a === MISSING) return MISSING;
      const b = right(view);
      if (b === MISSING) return MISSING;
      const result = op(a, b);
      // The message is made only for a result that needs one: this runs on every evaluation.
      return typeof result === 'number' && !Number.isFinite(result) ? finite(result, () => `${shown(a)} ${operator} ${shown(b)}`, notFiniteReason(operator, a, b)) : result;
    };
  }
  if (ORDERING.has(operator)) {
    return (view) => {
      const a = left(view);
      if (a === MISSING) return MISSING;
      const b = right(view);
      if (b === MISSING) return MISSING;
      ordered(a, b, operator);
      return op(a, b);
    };
  }
  const equality = EQUALITY.has(operator);
  return (view) => {
    const a = left(view);
    if (a === MISSING) return MISSING;
    const b = right(view);
    if (b === MISSING) return MISSING;
    if (equality) equated(a, b, operator);
    return op(a, b);
  };
}

function call(node: jsep.CallExpression, c: CompileContext): Part {
  const callee = node.callee;
  if (callee.type === 'MemberExpression') {
    // A refused name inside the chain says more than "not offered" (x.constructor.constructor()).
    const chain = metricName(callee, c);
    return c.fail(`${chain}() is not offered: only these functions may be called: ${OFFERED_FUNCTIONS.join(', ')}`, chain);
  }
  if (callee.type !== 'Identifier') {
    compilePart(callee, c);
    return c.fail('calling what a call returns is not offered', ')(');
  }
  const fn = (callee as jsep.Identifier).name;
  const args = node.arguments;
  if (fn === 'value' || fn === 'age') {
    if (args.length < 1 || args.length > 2) c.fail(`${fn}() takes a metric name and optionally a source id: ${fn}("drone-1.alt") or ${fn}("line.speed", "plc-2")`, fn);
    const name = matchedArgument(args[0]!, fn, c);
    const source = args.length === 2 ? sourceArgument(args[1]!, fn, c) : undefined;
    c.metrics.add(name);
    if (source !== undefined) c.sources.add(source);
    if (fn === 'value') return reference(name, source);
    c.readsClock = true;
    return age(name, source);
  }
  if (fn === 'changes') {
    if (args.length !== 2) c.fail('changes() takes a metric name and a window in seconds: changes(pump.running, 3600) is how often it changed in the last hour', fn);
    const name = matchedArgument(args[0]!, fn, c);
    const seconds = windowArgument(args[1]!, fn, c);
    c.metrics.add(name);
    // Changes leave the window as time passes, with no point arriving: evaluated on the clock too.
    c.readsClock = true;
    return (view) => view.changes(withMatch(name, view.match), seconds * 1000) ?? MISSING;
  }
  if (fn === 'rate') {
    if (args.length !== 2) c.fail('rate() takes a metric name and a window in seconds: rate(oven.temperature, 60) is its change per second over the last minute', fn);
    const name = matchedArgument(args[0]!, fn, c);
    const seconds = windowArgument(args[1]!, fn, c);
    c.metrics.add(name);
    const label = `rate(${name}, ${seconds})`;
    return (view) => {
      const perSecond = view.rate(withMatch(name, view.match), seconds * 1000);
      return perSecond === undefined ? MISSING : finite(perSecond, () => label, 'the rate of what is not a number');
    };
  }
  const aggregate = AGGREGATES.get(fn);
  if (aggregate) {
    if (args.length !== 1) c.fail(`${fn}() takes one metric pattern, e.g. ${fn}("press*.oil.temperature")`, fn);
    const pattern = nameArgument(args[0]!, fn, c);
    c.patterns.add(pattern);
    const label = `${fn}(${pattern})`;
    // max_of and min_of also say which metric gave the value: over a fleet, which device it is.
    const from = fn === 'max_of' || fn === 'min_of' ? `${label} from` : undefined;
    return (view) => {
      const g = view.gather(pattern);
      const result = finite(aggregate(g), () => label, 'out of the range of numbers');
      if (result !== MISSING) {
        view.note(label, result);
        if (from) {
          const metric = fn === 'max_of' ? g.maxMetric : g.minMetric;
          view.note(from, view.sourceId === undefined ? `${fn === 'max_of' ? g.maxSource : g.minSource}:${metric}` : metric);
        }
      }
      return result;
    };
  }
  const math = MATH.get(fn);
  if (!math) return c.fail(`the function ${fn}() is not offered (offered: ${OFFERED_FUNCTIONS.join(', ')})`, fn);
  if (args.length === 0 || ((fn !== 'min' && fn !== 'max') && args.length !== 1)) c.fail(`${fn}() takes ${fn === 'min' || fn === 'max' ? 'one or more numbers' : 'one number'}`, fn);
  const parts = args.map((a) => compilePart(a, c));
  return (view) => {
    const values: unknown[] = [];
    for (const part of parts) {
      const v = part(view);
      if (v === MISSING) return MISSING;
      values.push(v);
    }
    return finite(math(values), () => `${fn}(${values.map(shown).join(', ')})`, 'a function of what is not a number');
  };
}

function compound(node: jsep.Expression, c: CompileContext): never {
  const body = ((node as jsep.Compound).body ?? (node as jsep.SequenceExpression).expressions ?? []) as jsep.Expression[];
  const keyword = body.find((n) => n.type === 'Identifier' && ['new', 'in', 'typeof', 'instanceof', 'function', 'return', 'import', 'delete', 'void', 'await'].includes((n as jsep.Identifier).name));
  if (keyword) c.fail(`\`${(keyword as jsep.Identifier).name}\` is not offered`, (keyword as jsep.Identifier).name);
  return c.fail('one expression is expected (an operator is missing between two parts, or a comma separates them)');
}

/** A dotted chain of plain names (`press1.oil.temperature`) as one metric name. */
function metricName(node: jsep.Expression, c: CompileContext): string {
  if (node.type === 'Identifier') return checkedSegment((node as jsep.Identifier).name, c);
  if (node.type !== 'MemberExpression') return c.fail(`expected a metric name, found ${node.type}`);
  const m = node as jsep.MemberExpression;
  if (m.computed) {
    const inner = m.property.type === 'Literal' ? String((m.property as jsep.Literal).raw) : '';
    return c.fail(`[ ] access is not offered: write a metric name as a.b.c, or as value("name with-other/characters")`, inner ? `[${inner}]` : '[');
  }
  if (m.optional) return c.fail('?. is not offered', '?.');
  if (m.object.type === 'ThisExpression') return c.fail('`this` is not offered: name a metric instead, e.g. press1.oil.temperature', 'this');
  if (m.property.type !== 'Identifier') return c.fail('expected a name after the dot');
  return `${metricName(m.object, c)}.${checkedSegment((m.property as jsep.Identifier).name, c)}`;
}

function checkedSegment(name: string, c: CompileContext): string {
  if (INTERNAL_NAMES.has(name)) c.fail(`\`${name}\` names a JavaScript internal, not a metric: it is refused so that no expression can reach an object's prototype`, name);
  return name;
}

function nameArgument(node: jsep.Expression, fn: string, c: CompileContext): string {
  if (node.type === 'Literal' && typeof (node as jsep.Literal).value === 'string') {
    const name = (node as jsep.Literal).value as string;
    if (name.length < 1 || name.length > 256) c.fail(`${fn}(): a metric name has 1 to 256 characters`, fn);
    return name;
  }
  if (node.type === 'Identifier' || node.type === 'MemberExpression') return metricName(node, c);
  return c.fail(`${fn}() takes a metric name: a.b.c or "any name"`, fn);
}

/**
 * The metric name of `value()`, `age()`, `rate()` or `changes()`: with one `*` (a quoted name), it
 * reads, in each alert, the metric the `*` matched (`value("freezer*.temperature")`: one alert per
 * freezer), noted in `matched`.
 */
function matchedArgument(node: jsep.Expression, fn: string, c: CompileContext): string {
  const name = nameArgument(node, fn, c);
  const stars = name.split('*').length - 1;
  if (stars === 0) return name;
  if (stars > 1) c.fail(`${fn}("${name}"): a name read one metric at a time takes one * (one alert per metric it matches, e.g. ${fn}("freezer*.temperature")); for the highest of many, write max_of("${name}")`, name);
  c.matched.add(name);
  return name;
}

/** The longest window `rate()` and `changes()` take, in seconds: a day. */
const MAX_WINDOW_S = 86_400;

/** A window of `rate()` or `changes()`: a number of seconds written as a number (no unit, no metric). */
function windowArgument(node: jsep.Expression, fn: string, c: CompileContext): number {
  const v = node.type === 'Literal' ? (node as jsep.Literal).value : undefined;
  if (typeof v !== 'number' || !(v >= 1 && v <= MAX_WINDOW_S)) {
    c.fail(`${fn}(): the window is a number of seconds from 1 to ${MAX_WINDOW_S}, written as a number: ${fn}(${fn === 'rate' ? 'oven.temperature, 60' : 'pump.running, 3600'})`, fn);
  }
  return v as number;
}

function sourceArgument(node: jsep.Expression, fn: string, c: CompileContext): string {
  const v = node.type === 'Literal' ? (node as jsep.Literal).value : undefined;
  if (typeof v !== 'string' || !SOURCE_ID_PATTERN.test(v) || v.length > 256) c.fail(`${fn}(): the source must be a quoted source id such as "plc-2" (lower case letters, digits, . _ -)`, fn);
  return v as string;
}

function reference(name: string, source: string | undefined): Part {
  return (view) => {
    const v = view.value(withMatch(name, view.match), source);
    return v === undefined ? MISSING : v;
  };
}

function age(name: string, source: string | undefined): Part {
  // Noted like value(): the event says how old the data was, not only that the condition held.
  const label = (metric: string) => `age(${source === undefined ? metric : `${source}:${metric}`})`;
  const fixed = label(name);
  return (view) => {
    const metric = withMatch(name, view.match);
    const t = view.timestamp(metric, source);
    if (t === undefined) return MISSING;
    const seconds = (view.now() - t) / 1000;
    view.note(metric === name ? fixed : label(metric), seconds);
    return seconds;
  };
}

function missingOr(v: unknown, f: (v: unknown) => unknown): unknown {
  return v === MISSING ? MISSING : f(v);
}
