import { describe, expect, it } from 'vitest';
import { compileExpression, ConfigError, ExpressionError, parseMapping, type PointValue, type RuleView } from '../src/index.js';
import { seededRandom } from '../src/testing/index.js';
import { walkPattern } from '../src/rules/_pattern-group.js';
import { counterBridge } from './fixtures/counter-bridge.js';

/** What compiling `text` throws (undefined when it compiles). */
function compileRefusal(text: string): unknown {
  try {
    compileExpression(text);
    return undefined;
  } catch (err) {
    return err;
  }
}

/** A view over fixed values (`source:metric` keys for other sources), clock at 1 000 000 ms. */
function view(values: Record<string, PointValue>, timestamps: Record<string, number> = {}): RuleView & { noted: Record<string, unknown> } {
  const noted: Record<string, unknown> = {};
  return {
    sourceId: 'a',
    noted,
    value: (m, s) => values[s === undefined ? m : `${s}:${m}`],
    timestamp: (m, s) => timestamps[s === undefined ? m : `${s}:${m}`],
    // rate() and changes() are read from the rule state's history: rules-windows.test.ts runs them on real rules.
    rate: () => undefined,
    changes: () => undefined,
    matching(pattern, visit) {
      const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      for (const [k, v] of Object.entries(values)) if (!k.includes(':') && re.test(k)) visit(k, v, 'a');
    },
    gather(pattern) {
      return walkPattern(this.matching, pattern, { count: 0, numbers: 0, sum: 0, min: 0, max: 0, minMetric: '', minSource: '', maxMetric: '', maxSource: '' });
    },
    now: () => 1_000_000,
    note: (k, v) => (noted[k] = v),
  };
}
const run = (text: string, values: Record<string, PointValue>, timestamps?: Record<string, number>) => compileExpression(text).evaluate(view(values, timestamps));

describe('the condition language', () => {
  it.each([
    ['press1.oil.temperature > 80', { 'press1.oil.temperature': 80.5 }, true],
    ['press1.oil.temperature > 80', { 'press1.oil.temperature': 80 }, false],
    ['press1.oil.temperature > 80', {}, undefined],
    ['a + b * 2 >= 10 && !(c == "off")', { a: 2, b: 4, c: 'on' }, true],
    ['a % 7 == 3 || b', { a: 10, b: false }, true],
    ['mode == "auto" ? speed > 100 : speed > 50', { mode: 'manual', speed: 60 }, true],
    ['value("drone-1.alt") > 100', { 'drone-1.alt': 120 }, true],
    ['value("line.speed", "plc-2") - line.speed > 5', { 'line.speed': 10, 'plc-2:line.speed': 16 }, true],
    ['age(press1.temp) > 30', { 'press1.temp': 1 }, undefined],
    ['abs(min(a, b) - max(a, b)) == 3 && round(c) == 2 && floor(c) == 1 && ceil(c) == 2', { a: 1, b: 4, c: 1.6 }, true],
    ['max_of("vib.*") > 7', { 'vib.x': 3, 'vib.y': 8, other: 100 }, true],
    ['min_of("vib.*") < 1', { 'vib.x': 'text' }, undefined],
    ['count_of("vib.*") == 0', { other: 1 }, true],
    ['unknown.metric > 1 && known > 1', { known: 0 }, false],
    ['unknown.metric > 1 && known > 1', { known: 2 }, undefined],
  ] as const)('%s with %j is %s', (text, values, expected) => {
    expect(run(text, values as Record<string, PointValue>)).toBe(expected);
  });

  it.each([
    ['a / b > 2', { a: 10, b: 0 }, /^10 \/ 0 is Infinity, a division by zero$/],
    ['(a - a) / (b - b) != 1', { a: 10, b: 3 }, /^0 \/ 0 is NaN, a division by zero$/],
    ['a % b == 0', { a: 10, b: 0 }, /^10 % 0 is NaN, a modulo by zero$/],
    ['a * a > 1', { a: 1e200 }, /^1e\+200 \* 1e\+200 is Infinity, out of the range of numbers$/],
    ['a + 1 > 0', { a: 'text' }, /^"text" \+ 1 is NaN, arithmetic on what is not a number$/],
    ['-a < 0', { a: true }, /^-true is NaN, arithmetic on what is not a number$/],
    ['abs(a) > 1', { a: 'high' }, /^abs\("high"\) is NaN, a function of what is not a number$/],
    ['sum_of("big.*") > 1', { 'big.a': 1.7e308, 'big.b': 1.7e308 }, /^sum_of\(big\.\*\) is Infinity, out of the range of numbers$/],
    ['x > "3"', { x: 5 }, /^5 > "3" compares a number with a string, which tells nothing$/],
    ['x <= 80', { x: 'ERR' }, /^"ERR" <= 80 compares a string with a number/],
    ['x >= 1', { x: true }, /^true >= 1 compares a boolean with a number/],
    ['x < 1', { x: { code: 7 } }, /^an object < 1 compares an object with a number/],
  ] as const)('%s with %j gives no finite number, or orders what is not two numbers or two strings: it throws EXPRESSION_NOT_FINITE saying why (the rule takes it as unknown)', (text, values, message) => {
    let error: unknown;
    try {
      run(text, values as Record<string, PointValue>);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'EXPRESSION_NOT_FINITE', message: expect.stringMatching(message) });
  });

  it('a division that is never reached decides nothing: `||` and `? :` only evaluate what they need', () => {
    expect(run('a > 1 || a / b > 2', { a: 10, b: 0 })).toBe(true);
    expect(run('b == 0 ? false : a / b > 2', { a: 10, b: 0 })).toBe(false);
  });

  it('age() is in seconds on the rule\'s clock', () => {
    expect(run('age(press1.temp) > 30', { 'press1.temp': 1 }, { 'press1.temp': 1_000_000 - 31_000 })).toBe(true);
    expect(run('age("press1.temp") > 30', { 'press1.temp': 1 }, { 'press1.temp': 1_000_000 - 29_000 })).toBe(false);
  });

  it('names what it reads, so the rule set can route by it', () => {
    const c = compileExpression('a.b > 1 && value("c-d", "plc-2") && max_of("e*") > 1 && age(f) < 2');
    expect(c.metrics).toEqual(['a.b', 'c-d', 'f']);
    expect(c.patterns).toEqual(['e*']);
    expect(c.sources).toEqual(['plc-2']);
  });
});

describe('conditions that try to escape are refused when compiled, saying where', () => {
  it.each([
    ['x.__proto__.polluted == 1', /`__proto__` names a JavaScript internal/, 2],
    ['x["__proto__"] == 1', /\[ \] access is not offered/, 1],
    ['x.constructor.constructor("return process")()', /`constructor` names a JavaScript internal/, 2],
    ['constructor == 1', /`constructor` names a JavaScript internal/, 0],
    ['a.prototype.b > 1', /`prototype` names a JavaScript internal/, 2],
    ['this.x > 1', /`this` is not offered/, 0],
    ['process.exit(1)', /process\.exit\(\) is not offered: only these functions may be called/, 0],
    ['require("fs")', /the function require\(\) is not offered/, 0],
    ['eval("1") > 0', /the function eval\(\) is not offered/, 0],
    ['Function("return this")()', /the function Function\(\) is not offered/, 0],
    ['abs(x)(2)', /calling what a call returns is not offered/, 5],
    ['x.toString() == "1"', /x\.toString\(\) is not offered/, 0],
    ['new Date() > 0', /`new` is not offered/, 0],
    ['typeof x == "object"', /`typeof` is not offered/, 0],
    ['x = 1', /Unexpected "="/, 2],
    ['x => x', /Unexpected "="/, 2],
    ['`${x}`', /Unexpected "`"/, 0],
    ['[x][0] > 1', /\[ \] access is not offered|arrays are not offered/, undefined],
    ['x ** 2 > 1', /the operator \*\* is not offered/, 2],
    ['x ?? 1', /the operator \?\? is not offered/, 2],
    ['~x', /the operator ~ is not offered/, 0],
    ['x > null', /the literal null is not offered/, 4],
    ['1 > 0', /reads no metric/, undefined],
    ['x > 1e999', /the number 1e999 is too large/, 4],
    ['x >', /Expected expression after >/, undefined],
    ['x / 0 > 1', /\/ 0 is a division by zero, which never gives a number: the condition could never tell/, 2],
    ['x > 1 && y % 0.0 == 1', /% 0 is a modulo by zero/, 11],
    ['x > 80degC', /^`80degC`: a condition takes no units \(values carry none\): write `> 80`, the number alone in the unit the metric is sent in/, 6],
    ['age(x) > 30s', /`30s`: a condition takes no units \(values carry none\): write `> 30`/, 11],
    // jsep alone: "Expected expression after %", "one expression is expected", and TRUE a metric that never comes.
    ['battery < 20 %', /^`20 %`: a condition takes no units \(values carry none\): write `< 20`, the number alone/, 13],
    ['(battery <= 20%) && x', /^`20%`: a condition takes no units .*write `<= 20`/, 14],
    ['temp > -15 °C', /^`15 °C`: a condition takes no units .*write `> -15`/, 11],
    ['temp > 15 C || x > 1', /^`15 C`: a condition takes no units .*write `> 15`/, 10],
    ['pump.running == TRUE', /^`TRUE` would be read as a metric named TRUE: write true \(lower case\) for the boolean, or value\("TRUE"\) for a metric of that name/, 16],
    ['!(pump.running != False)', /^`False` would be read as a metric named False: write false \(lower case\)/, 18],
  ] as const)('%s', (text, message, offset) => {
    const error = compileRefusal(text);
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).code).toBe('EXPRESSION_INVALID');
    expect((error as ExpressionError).message).toMatch(message);
    if (offset !== undefined) expect((error as ExpressionError).offset).toBe(offset);
  });

  it.each([
    ['pump-a.temp > 5', /^`pump-a\.temp` reads as pump - a\.temp: write value\("pump-a\.temp"\) for a metric name with "-"; put spaces around - to subtract/, 4],
    ['a.b-1 > 0', /`a\.b-1` reads as a\.b - 1: write value\("a\.b-1"\) for a metric name with "-"; put spaces around - to subtract/, 3],
    ['temp-1 > 0', /write value\("temp-1"\) for a metric name with "-"; put spaces around - to subtract/, 4],
    ['x > 1 && drone-1.alt > 100', /`drone-1\.alt` reads as drone - 1\.alt: write value\("drone-1\.alt"\)/, 14],
    ['age(pump-a.temp) > 30', /write age\("pump-a\.temp"\) for a metric name with "-"/, 8],
    ['plant.1.temp > 5', /^`plant\.1\.temp`: a part of a metric name written bare cannot start with a digit: write value\("plant\.1\.temp"\)/, 6],
  ] as const)('a metric name the parser would misread is refused with a hint: %s', (text, message, offset) => {
    const error = compileRefusal(text);
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).message).toMatch(message);
    expect((error as ExpressionError).offset).toBe(offset);
  });

  it.each([
    ['a - b > 0', { a: 5, b: 1 }, true],
    ['a -b > 0', { a: 5, b: 1 }, true],
    ['a- b > 0', { a: 5, b: 1 }, true],
    ['x > -1 && x*-2 < 0', { x: 1 }, true],
    ['abs(x)-1 > 0 && (x)-(1) > 0', { x: 3 }, true],
    ['x > 1e-3 && x < 2.5E+2', { x: 1 }, true],
    ['x > 10-2 && x*2-1 > 0 && 1.5-x < 0', { x: 9 }, true],
    ['value("pump-a.temp") > 5 && value(\'plant.1.temp\') > 5', { 'pump-a.temp': 6, 'plant.1.temp': 6 }, true],
  ] as const)('a minus with a space beside it, or after a number, subtracts: %s', (text, values, expected) => {
    expect(run(text, values as Record<string, PointValue>)).toBe(expected);
  });

  it('a literal divisor other than 0, and numbers with exponents, are no division by zero nor units', () => {
    expect(run('x / 0.5 > 1 && x % 10 == 1 && x > 1e2 && x / 0.05 > 0', { x: 101 })).toBe(true);
  });

  it('a modulo after a number, true and false in lower case, and TRUE quoted are no units nor misread constants', () => {
    expect(run('x % 20 == 1 && 100 % x == 16 && (x % 3) == 0 && p == true && value("TRUE") == false && s == \'TRUE\'', { x: 21, p: true, TRUE: false, s: 'TRUE' })).toBe(true);
  });

  it('refuses a condition past its length bound', () => {
    expect(() => compileExpression(`${'('.repeat(600)}x${')'.repeat(600)}`)).toThrow(/longer than 1000 characters/);
  });
});

describe('a mapping file with a refused condition names file:line:col, the column inside the condition', () => {
  const file = (rules: string) => `source_id: plant-a\nrules:\n${rules}counter:\n  channels: [{ name: a, metric: m }]\n`;
  const refusal = (text: string) => {
    try {
      parseMapping(text, 'map.yaml', counterBridge, {});
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
    throw new Error('accepted');
  };

  it.each([
    ['  - name: a\n    when: x.constructor.name == "y"\n', 4, 13, 'rules[0].when', /`constructor` names a JavaScript internal.*\(at character 3 of the condition\)/],
    ['  - name: a\n    when: "x.__proto__ > 1"\n', 4, 14, 'rules[0].when', /`__proto__` names a JavaScript internal/],
    ["  - { name: a, when: 'process.exit(1)' }\n", 3, 23, 'rules[0].when', /process\.exit\(\) is not offered/],
    // A folded block: the column stays at the value's start.
    ['  - name: a\n    when: >-\n      eval("x") > 1\n', 4, 11, 'rules[0].when', /the function eval\(\) is not offered/],
    ['  - name: a\n    when: m > 1\n  - name: b\n    when: m >\n', 6, 13, 'rules[1].when', /Expected expression after >/],
    ["  - { name: a, when: 'pump-a.temp > 5' }\n", 3, 27, 'rules[0].when', /write value\("pump-a\.temp"\) for a metric name with "-"; put spaces around - to subtract/],
    ['  - name: low\n    when: battery < 20 %\n', 4, 24, 'rules[0].when', /`20 %`: a condition takes no units \(values carry none\): write `< 20`/],
    ['  - name: cold\n    when: temp > -15 °C\n', 4, 22, 'rules[0].when', /`15 °C`: a condition takes no units .*write `> -15`/],
    ['  - name: dry\n    when: pump.running == TRUE\n', 4, 27, 'rules[0].when', /`TRUE` would be read as a metric named TRUE: write true/],
    ['  - name: low\n    when: battery < 20\n    resolve_when: battery > 25%\n', 5, 31, 'rules[0].resolve_when', /`25%`: a condition takes no units .*write `> 25`/],
  ] as const)('%j', (rules, line, col, path, message) => {
    const err = refusal(file(rules));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ file: 'map.yaml', line, col, path });
    expect(err.issues[0]!.message).toMatch(message);
    expect(err.message.startsWith(`map.yaml:${line}:${col} ${path}: `)).toBe(true);
  });

  it.each([
    ['  - { name: a, when: m > 1, recovery: silence }\n', 'rules[0].recovery', /recovery: silence needs recover_for/],
    ['  - { name: a, when: m > 1 }\n  - { name: a, when: m > 2 }\n', 'rules[1].name', /a second rule named a/],
    ['  - { name: a, when: \'value("m", "plc-9") > 1\', sources: [plc-1] }\n', 'rules[0].when', /reads source plc-9, which sources does not watch/],
    ['  - { name: a, when: m > 1, for: 2d }\n', 'rules[0].for', /must be at most 1d/],
    ['  - { name: A, when: m > 1 }\n', 'rules[0].name', /lower case letters/],
    ['  - { name: a, when: m > 1, tags: { state: x } }\n', 'rules[0].tags.state', /set by the rule itself/],
    ['  - { name: a, when: m > 1, after: 3s }\n', 'rules[0].after', /unknown key/],
  ] as const)('%j', (rules, path, message) => {
    const err = refusal(file(rules));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]!.path).toBe(path);
    expect(err.issues[0]!.message).toMatch(message);
  });

  it('takes durations in seconds or with their unit', () => {
    const config = parseMapping(file('  - { name: a, when: m > 1, for: 30, recover_for: 1.5m, cooldown: 2h, recovery: value }\n'), 'map.yaml', counterBridge, {});
    expect(config.rules).toEqual([{ name: 'a', when: 'm > 1', for: 30_000, recover_for: 90_000, cooldown: 7_200_000, recovery: 'value' }]);
  });
});

describe(`fuzz: conditions from random tokens compile or are refused, and evaluating throws nothing but a number that is not finite (seed ${Number(process.env.FUZZ_SEED ?? 19)}; FUZZ_SEED reproduces)`, () => {
  it('5,000 conditions', () => {
    const random = seededRandom(Number(process.env.FUZZ_SEED ?? 19));
    const tokens = ['a', 'b.c', '__proto__', 'constructor', 'this', '(', ')', '[', ']', '.', ',', '"x"', "'y'", '1', '80.5', 'true', 'null', '+', '-', '*', '/', '%', '>', '<=', '==', '!=', '&&', '||', '!', '?', ':', 'abs(', 'max_of("a*")', 'value(', 'age(', 'new', 'eval(', '=', '=>', '`', '\\u0000', ' '];
    let compiled = 0;
    for (let i = 0; i < 5000; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 12) }, () => tokens[Math.floor(random() * tokens.length)]).join(random() < 0.5 ? ' ' : '');
      let c: ReturnType<typeof compileExpression> | undefined;
      try {
        c = compileExpression(text);
      } catch (err) {
        expect(err, text).toBeInstanceOf(ExpressionError);
        continue;
      }
      compiled += 1;
      let result: boolean | undefined;
      try {
        result = c.evaluate(view({ a: 90, 'b.c': 'on', 'a1': 3 }));
      } catch (err) {
        // Arithmetic that gives no finite number (`a / 0`, `"on" * 2`): the rule counts it and takes the condition as unknown.
        expect(err, text).toMatchObject({ code: 'EXPRESSION_NOT_FINITE' });
        continue;
      }
      expect([true, false, undefined], text).toContain(result);
    }
    expect(compiled).toBeGreaterThan(0);
  });
});
