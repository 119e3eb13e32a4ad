import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createRule, createRuleExchange, defineBridge, parseMapping, startBridge, startBridges, type RuleEvent } from '../src/index.js';
import { formatCheck } from '../src/cli/print-check.js';
import { trackCleanups, until } from '../src/testing/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { spawnCounterCli } from './helpers/spawn-cli.js';

const track = trackCleanups();
const quiet = pino({ level: 'silent' });

async function gateway(): Promise<Gateway> {
  return track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
}

const mapping = (gw: Gateway, rules: string, channels = '[{ name: a, metric: demo.a }]') => `source_id: rules-test
sink:
  url: ${gw.url}
  api_key: k
  batch: { linger_ms: 20 }
rules:
${rules}counter:
  interval_ms: 20
  channels: ${channels}
`;

describe('rules in a running bridge', () => {
  it('every point of every channel passes the rules; the event goes through the sink to the gateway, after `for`', async () => {
    const gw = await gateway();
    // The count crosses 5 half a second in, once the sink's clock has its first server samples:
    // stamps taken before those are corrected by as much as half the first round trip.
    const config = parseMapping(mapping(gw, '  - { name: counted, when: demo.a >= 5, for: 0.2s, tags: { severity: low } }\n', '[{ name: a, metric: demo.a, start: -20 }]'), 'map.yaml', counterBridge, {});
    const bridge = track.add(await startBridge(counterBridge, config, { logger: quiet }), (b) => b.stop());
    const fired: RuleEvent[] = [];
    bridge.rules!.rules[0]!.listen({ onFire: (e) => fired.push(e) });
    const event = await until(() => gw.points({ metric: 'alert.counted' })[0], 'the alert at the gateway');
    expect(event).toMatchObject({ source_id: 'rules-test', class: 'event', tags: { rule: 'counted', state: 'fired', severity: 'low' }, value: { rule: 'counted', state: 'fired', condition: 'demo.a >= 5', for_ms: 200 } });
    const crossing = gw.points({ metric: 'demo.a' }).find((p) => (p.value as number) >= 5)!;
    // Timestamps are on the corrected clock, which each gateway answer may nudge (by up to half
    // a round trip, a few ms on a quiet machine); `for` itself is timed on the monotonic clock.
    const NUDGE_MS = 5 + (bridge.sink.clock.roundTripMs() ?? 0) / 2;
    expect(event!.timestamp! - crossing.timestamp!).toBeGreaterThanOrEqual(200 - NUDGE_MS);
    expect((event!.value as { since: number }).since).toBeGreaterThanOrEqual(crossing.timestamp! - NUDGE_MS);
    expect(fired).toHaveLength(1);
    expect(await bridge.registry.getSingleMetricAsString('fieldbridge_rules_firing')).toMatch(/rule="counted"} 1/);
  });

  it('bridges sharing a sink share one rule set: a rule reads what both bring', async () => {
    const gw = await gateway();
    const tally = defineBridge({ ...counterBridge, name: 'tally' });
    const text = `${mapping(gw, '  - { name: both, when: demo.a >= 3 && demo.b >= 3 }\n')}tally:\n  interval_ms: 20\n  channels: [{ name: b, metric: demo.b }]\n`;
    const config = parseMapping(text, 'map.yaml', [counterBridge, tally], {});
    const running = track.add(await startBridges([counterBridge, tally], config, { logger: quiet }), (b) => b.stop());
    expect(running.bridges.map((b) => b.rules)).toEqual([running.rules, running.rules]);
    await until(() => gw.points({ metric: 'alert.both' }).length > 0, 'the alert at the gateway');
    await running.stop();
    expect(gw.points({ metric: 'alert.both' })).toHaveLength(1);
    expect((gw.points({ metric: 'alert.both' })[0]!.value as { values: unknown }).values).toEqual({ 'demo.a': expect.any(Number), 'demo.b': expect.any(Number) });
  });

  it('library rules run beside the file\'s, and no rule at all costs nothing', async () => {
    const gw = await gateway();
    const config = parseMapping(mapping(gw, '  - { name: from_file, when: demo.a >= 2 }\n'), 'map.yaml', counterBridge, {});
    const mine = createRule({ name: 'from_code', metrics: ['demo.a'] }, (view) => (view.value('demo.a') as number) >= 4);
    const bridge = track.add(await startBridge(counterBridge, config, { logger: quiet, rules: [mine] }), (b) => b.stop());
    await until(() => gw.points({ metric: 'alert.from_code' }).length > 0 && gw.points({ metric: 'alert.from_file' }).length > 0, 'both alerts');
    await bridge.stop();

    const plain = parseMapping(mapping(gw, '').replace('rules:\n', ''), 'map.yaml', counterBridge, {});
    const none = track.add(await startBridge(counterBridge, plain, { logger: quiet }), (b) => b.stop());
    expect(none.rules).toBeUndefined();
  });

  it('a stale-data alarm on age() fires after the source stops sending, the age in its values', async () => {
    const gw = await gateway();
    // The channel sends one point and no more, like a register behind a deadband.
    const text = mapping(gw, '  - { name: stale, when: \'age("demo.a") > 0.3\', for: 0.2s }\n').replace('  interval_ms: 20\n', '  interval_ms: 20\n  end_after: 1\n');
    const bridge = track.add(await startBridge(counterBridge, parseMapping(text, 'map.yaml', counterBridge, {}), { logger: quiet }), (b) => b.stop());
    const event = await until(() => gw.points({ metric: 'alert.stale' })[0], 'the stale-data alert at the gateway');
    const only = gw.points({ metric: 'demo.a' });
    expect(only).toHaveLength(1);
    const age = (event!.value as { values: Record<string, number> }).values['age(demo.a)']!;
    expect(age).toBeGreaterThan(0.3);
    expect(event!.timestamp! - only[0]!.timestamp!).toBeGreaterThanOrEqual(500 - 5);
    await bridge.stop();
  });

  it('--check lists the rules', () => {
    const config = parseMapping(
      `source_id: a\nrules:\n  - { name: oil_hot, when: press1.oil.temperature > 80, for: 30s, recover_for: 15s, cooldown: 1m }\n  - { name: door, when: door.open == true, recovery: silence, recover_for: 10, per: all, sources: [plc-*] }\ncounter:\n  channels: [{ name: a, metric: m }]\n`,
      'map.yaml',
      counterBridge,
      {},
    );
    expect(formatCheck(counterBridge, 'map.yaml', config)).toContain(
      [
        'rules:',
        '  oil_hot: when press1.oil.temperature > 80; for 30s; resolved once false for 15s; cooldown 1m; one alert per source; -> alert.oil_hot',
        '  door: when door.open == true; resolved by 10s of silence; one alert over all sources; sources plc-*; -> alert.door',
      ].join('\n'),
    );
  });
});

describe('rules across the files of one run', () => {
  /** A mapping file of the run: its own source and sink, a counter on line.speed from `start`. */
  const lineFile = (gw: Gateway, source: string, start: number, rules: string) => `source_id: ${source}
sink:
  url: ${gw.url}
  api_key: k
  batch: { linger_ms: 20 }
${rules ? `rules:\n${rules}` : ''}counter:
  interval_ms: 20
  channels: [{ name: speed, metric: line.speed, start: ${start} }]
`;
  const mismatch = `  - { name: line_mismatch, when: 'abs(value("line.speed", "plc-1") - value("line.speed", "plc-2")) > 5', per: all, sources: [plc-*] }\n`;
  // No sources: it reads its own file's points only, so it fires for plc-1 alone.
  const moving = '  - { name: moving, when: line.speed >= 0 }\n';

  it('a rule that lists sources reads the other files\' sources (a file without rules shows its points too), its event going to its own sink; one without reads its own file only', async () => {
    const gw = await gateway();
    const exchange = createRuleExchange();
    const plc1 = parseMapping(lineFile(gw, 'plc-1', 0, mismatch + moving), 'plc1.yaml', counterBridge, {});
    const plc2 = parseMapping(lineFile(gw, 'plc-2', 100, ''), 'plc2.yaml', counterBridge, {});
    const one = track.add(await startBridges([counterBridge], plc1, { logger: quiet, ruleExchange: exchange }), (b) => b.stop());
    const two = track.add(await startBridges([counterBridge], plc2, { logger: quiet, ruleExchange: exchange }), (b) => b.stop());
    const event = await until(() => gw.points({ metric: 'alert.line_mismatch' })[0], 'the cross-file alert at the gateway');
    expect(event).toMatchObject({ source_id: 'plc-1', tags: { rule: 'line_mismatch', state: 'fired' } });
    expect((event!.value as { values: Record<string, number> }).values).toEqual({ 'plc-1:line.speed': expect.any(Number), 'plc-2:line.speed': expect.any(Number) });
    await until(() => gw.points({ metric: 'line.speed' }).filter((p) => p.source_id === 'plc-2').length > 5, 'more points of plc-2');
    await two.stop();
    await one.stop();
    // `moving` lists no sources: it fired for its own file's source, never for plc-2's points.
    expect(gw.points({ metric: 'alert.moving' }).map((p) => p.source_id)).toEqual(['plc-1']);
    expect(gw.points({ metric: 'alert.line_mismatch' })).toHaveLength(1);
  });

  it('without the run\'s exchange (each file on its own) the cross-file rule never fires', async () => {
    const gw = await gateway();
    const plc1 = parseMapping(lineFile(gw, 'plc-1', 0, mismatch), 'plc1.yaml', counterBridge, {});
    const plc2 = parseMapping(lineFile(gw, 'plc-2', 100, ''), 'plc2.yaml', counterBridge, {});
    const one = track.add(await startBridges([counterBridge], plc1, { logger: quiet }), (b) => b.stop());
    const two = track.add(await startBridges([counterBridge], plc2, { logger: quiet }), (b) => b.stop());
    await until(() => gw.points({ metric: 'line.speed' }).filter((p) => p.source_id === 'plc-2').length > 10, 'points of both files');
    await Promise.all([one.stop(), two.stop()]);
    expect(gw.points({ metric: 'alert.line_mismatch' })).toEqual([]);
  });
});

describe('new rules under running bridges (RunningBridges.replaceRules)', () => {
  it('the bridges write into the new set at once and never stop: a kept rule keeps its state, a removed one is resolved', async () => {
    const gw = await gateway();
    const started = '  - { name: started, when: demo.a >= 0 }\n';
    const running = track.add(await startBridges([counterBridge], parseMapping(mapping(gw, started), 'map.yaml', counterBridge, {}), { logger: quiet }), (b) => b.stop());
    await until(() => gw.points({ metric: 'alert.started' }).length === 1, 'the first alert');
    const before = running.rules!;
    running.replaceRules(parseMapping(mapping(gw, `${started}  - { name: ten, when: demo.a >= 10 }\n`), 'map.yaml', counterBridge, {}));
    expect(running.rules).not.toBe(before);
    expect(running.rules!.rules.map((r) => [r.name, r.firing()])).toEqual([['started', 1], ['ten', expect.any(Number)]]);
    await until(() => gw.points({ metric: 'alert.ten' }).length === 1, 'the new rule firing');
    running.replaceRules(parseMapping(mapping(gw, '').replace('rules:\n', ''), 'map.yaml', counterBridge, {}));
    // A file of no rule resolves the alerts of the rules it removed, then the points go to the sink alone.
    await until(() => gw.points({ metric: 'alert.ten' }).length === 2 && gw.points({ metric: 'alert.started' }).length === 2, 'both alerts resolved by the reload');
    expect(gw.points({ metric: 'alert.ten' }).map((p) => (p.value as { state: string; by?: string }).by)).toEqual([undefined, 'reload']);
    const values = gw.points({ metric: 'demo.a' }).map((p) => p.value as number).sort((a, b) => a - b);
    expect(values).toEqual(values.map((_, i) => i));
  });

  it('rules that cannot be made are refused, and the running ones go on', async () => {
    const gw = await gateway();
    const mine = createRule({ name: 'from_code', metrics: ['demo.a'] }, (view) => (view.value('demo.a') as number) >= 1000);
    const later = '  - { name: later, when: demo.a >= 8 }\n';
    const running = track.add(await startBridges([counterBridge], parseMapping(mapping(gw, later), 'map.yaml', counterBridge, {}), { logger: quiet, rules: [mine] }), (b) => b.stop());
    const before = running.rules;
    const clash = parseMapping(mapping(gw, `${later}  - { name: from_code, when: demo.a > 0 }\n`), 'map.yaml', counterBridge, {});
    expect(() => running.replaceRules(clash)).toThrow(/two rules are named from_code/);
    expect(running.rules).toBe(before);
    await until(() => gw.points({ metric: 'alert.later' }).length === 1, 'the running rule firing after the refusal');
  });
});

describe('rules across a SIGHUP reload', () => {
  it('an unchanged rule keeps its state, so its firing alert gets its resolved; a removed one that was firing is resolved by "reload"', async () => {
    const gw = await gateway();
    const dir = await track.tempDir();
    const file = join(dir, 'map.yaml');
    const counted = '  - { name: counted, when: demo.a >= 5, for: 0.1s }\n';
    writeFileSync(file, mapping(gw, `${counted}  - { name: gone, when: demo.a >= 3 }\n`));
    const cli = spawnCounterCli(['--config', file]);
    track.defer(() => {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    });
    await cli.waitForLog(/2 alert rules evaluated on every point: counted, gone/);
    await until(() => gw.points({ metric: 'alert.counted' }).length === 1 && gw.points({ metric: 'alert.gone' }).length === 1, 'both alerts fired');
    // A changed interval too: the bridge is started again (a reload of the rules alone would leave it counting on).
    writeFileSync(file, mapping(gw, counted).replace('interval_ms: 20', 'interval_ms: 25'));
    cli.child.kill('SIGHUP');
    await cli.waitForLog(/alert rules replaced: kept with their state: counted; removed: gone; 1 firing alert of those resolved \(by: reload\)/);
    // The counter starts over at 0 with the new bridge: the alert carried over is resolved by that
    // value, then fires again once the count reaches 5.
    const events = await until(() => (gw.points({ metric: 'alert.counted' }).length === 3 && gw.points({ metric: 'alert.gone' }).length === 2 ? gw.points({ metric: 'alert.counted' }) : undefined), 'the carried alert resolved, then fired again');
    const [fired, resolved, again] = events!.map((p) => p.value as { state: string; by?: string; fired_at?: number });
    expect([fired!.state, resolved!.state, resolved!.by, again!.state]).toEqual(['fired', 'resolved', 'value', 'fired']);
    expect(resolved!.fired_at).toBe(events![0]!.timestamp);
    const [goneFired, goneResolved] = gw.points({ metric: 'alert.gone' });
    expect(goneResolved).toMatchObject({ tags: { rule: 'gone', state: 'resolved' }, value: { state: 'resolved', by: 'reload', fired_at: goneFired!.timestamp } });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});
