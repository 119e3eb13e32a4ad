import { createGateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRuleSet, createSink, type Point } from '../src/index.js';
import { MAX_SOURCES } from '../src/rules/_state.js';
import { trackCleanups, until } from '../src/testing/index.js';
import { exprRule } from './helpers/rules.js';

const track = trackCleanups();

/** A pino logger whose lines are kept, parsed. */
function capturedLogger(): { logger: pino.Logger; lines: { msg: string }[] } {
  const lines: { msg: string }[] = [];
  return { logger: pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as { msg: string }) }), lines };
}

const states = (points: readonly { metric: string; value: unknown }[], metric: string) => points.filter((p) => p.metric === metric).map((p) => (p.value as { state: string }).state);

describe('what a condition reads is not what it expected', () => {
  it('a string, a boolean or an object where a number was compared cannot tell: the firing alert stays firing, counted and logged once, and arrives at the receiver unresolved until a number resolves it', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const sink = track.add(createSink({ url: gw.url, apiKey: 'k', sourceId: 'tank-1', logger: pino({ level: 'silent' }), batch: { lingerMs: 5 }, deadLetterPath: '/dev/null' }), (s) => s.close({ timeoutMs: 2_000 }));
    const { logger, lines } = capturedLogger();
    const registry = new Registry();
    const hot = exprRule({ name: 'hot' }, 'tank.temp > 25');
    const set = createRuleSet({ rules: [hot], sink, sourceId: 'tank-1', logger, registry });
    track.add(set, (s) => s.stop());
    set.send('tank.temp', 30);
    // A sensor's error text, a flag and a JSON object, where the number was: before, each read as
    // false ("ERR" > 25) and resolved the alert by value although nothing had cooled down.
    set.send('tank.temp', 'ERR', { class: 'event' });
    set.send('tank.temp', true);
    set.send('tank.temp', { code: 7 }, { class: 'event' });
    await until(() => gw.points({ metric: 'tank.temp' }).length === 4, 'the four readings at the gateway');
    expect(states(gw.points({}), 'alert.hot')).toEqual(['fired']);
    expect(hot.firing()).toBe(1);
    expect(hot.errors()).toBe(3);
    expect(lines.map((l) => l.msg)).toEqual([
      'rule hot: its condition cannot tell ("ERR" > 25 compares a string with a number, which tells nothing), which changes nothing; counted in fieldbridge_rule_errors_total, reported once until it evaluates again, and the bridge goes on',
    ]);
    expect(await registry.metrics()).toMatch(/fieldbridge_rule_errors_total\{rule="hot"\} 3/);
    set.send('tank.temp', 20);
    await until(() => states(gw.points({}), 'alert.hot').length === 2, 'the resolve at the gateway');
    expect(states(gw.points({}), 'alert.hot')).toEqual(['fired', 'resolved']);
    expect((gw.points({ metric: 'alert.hot' })[1]!.value as { values: unknown }).values).toEqual({ 'tank.temp': 20 });
  });

  it('two strings still compare, and == and != still compare across kinds without a word', () => {
    const written: Point[] = [];
    const mode = exprRule({ name: 'mode' }, 'line.mode > "b" && line.state != 3');
    const set = createRuleSet({ rules: [mode], sink: { write: (p) => written.push(p) }, sourceId: 'line-1' });
    set.send('line.state', 'running');
    set.send('line.mode', 'c');
    expect(states(written, 'alert.mode')).toEqual(['fired']);
    expect(mode.errors()).toBe(0);
    set.stop();
  });
});

describe('max_of and min_of say which metric gave the value', () => {
  it('over one source the metric, across sources (per: all) source:metric', () => {
    const written: Point[] = [];
    const fleet = exprRule({ name: 'fleet_hot' }, 'max_of("dev*.temp") > 80 && min_of("dev*.temp") < 10');
    const across = exprRule({ name: 'across', per: 'all' }, 'max_of("dev*.temp") > 80');
    const set = createRuleSet({ rules: [fleet, across], sink: { write: (p) => written.push(p) }, sourceId: 'fleet-a' });
    for (let i = 0; i < 100; i++) set.send(`dev${i}.temp`, i === 42 ? 91 : i === 7 ? 3 : 20 + (i % 10));
    set.send('dev5.temp', 85, { source_id: 'fleet-b' });
    const fired = (metric: string) => (written.find((p) => p.metric === metric)!.value as { values: unknown }).values;
    expect(fired('alert.fleet_hot')).toEqual({ 'max_of(dev*.temp)': 91, 'max_of(dev*.temp) from': 'dev42.temp', 'min_of(dev*.temp)': 3, 'min_of(dev*.temp) from': 'dev7.temp' });
    // The fleet's alert fired at dev42's point: then the largest was dev42's, of source fleet-a.
    expect(fired('alert.across')).toEqual({ 'max_of(dev*.temp)': 91, 'max_of(dev*.temp) from': 'fleet-a:dev42.temp' });
    set.stop();
  });
});

describe('the bounds of a rule\'s state', () => {
  it(`a source past the ${MAX_SOURCES} a rule keeps is logged once, naming it, and the rule goes on with the others`, () => {
    const written: Point[] = [];
    const { logger, lines } = capturedLogger();
    const hot = exprRule({ name: 'hot' }, 'temp > 25');
    const set = createRuleSet({ rules: [hot], sink: { write: (p) => written.push(p) }, sourceId: 'plant', logger });
    for (let i = 0; i < MAX_SOURCES; i++) set.send('temp', 20, { source_id: `dev-${i}` });
    expect(lines).toEqual([]);
    set.send('temp', 30, { source_id: 'dev-late' });
    set.send('temp', 30, { source_id: 'dev-later' });
    // Before, the two were left out without a word: their alerts could never fire.
    expect(states(written, 'alert.hot')).toEqual([]);
    expect(lines.map((l) => l.msg)).toEqual([
      `rule hot: it keeps at most ${MAX_SOURCES} sources, so dev-late and every further source are not evaluated (a point past the bound is ignored by this rule, the point itself is sent)`,
    ]);
    expect(written.filter((p) => p.metric === 'temp')).toHaveLength(MAX_SOURCES + 2);
    set.send('temp', 30, { source_id: 'dev-9' });
    expect(states(written, 'alert.hot')).toEqual(['fired']);
    set.stop();
  });
});
