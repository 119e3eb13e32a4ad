import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, createRule, defineBridge, parseMapping, startBridge, startBridges } from '../src/index.js';
import { trackCleanups, until } from '../src/testing/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';

const track = trackCleanups();
const quiet = pino({ level: 'silent' });
const tally = defineBridge({ ...counterBridge, name: 'tally' });

/** `{ f0: v, f1: v, ... }` with `n` tags. */
const fileTags = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `f${i}: v`).join(', ')} }`;
const file = (tags: number, rules: string, more = '') => `source_id: plant-a\ntags: ${fileTags(tags)}\nrules:\n${rules}counter:\n  channels: [{ name: a, metric: m }]\n${more}`;

function refusal(text: string): ConfigError {
  try {
    parseMapping(text, 'map.yaml', [counterBridge, tally], {});
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('the file\'s tags, a rule\'s tags and rule, state: at most 16 on every alert event', () => {
  it('refuses a rule whose tags and the file\'s make more than 16, at the rule\'s tags', () => {
    const err = refusal(file(12, "  - { name: out_alarm, when: 'ctl.a > 50', tags: { r1: v, r2: v, r3: v } }\n"));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ file: 'map.yaml', line: 4, col: 50, path: 'rules[0].tags' });
    expect(err.issues[0]!.message).toBe(
      "at most 2 tags here: every alert event also carries the file's 12 tags (tags:) and rule and state, and a point may have 16; with these 3 it would carry 17, so the sink would refuse every alert event (dead-lettered, never sent). Remove 1 here or from tags:",
    );
  });

  it('refuses every rule of a file whose tags leave no room for rule and state, at the rule', () => {
    const err = refusal(file(15, "  - { name: out_alarm, when: 'ctl.a > 50' }\n  - name: other\n    when: m > 1\n"));
    expect(err.issues.map((i) => [i.line, i.col, i.path])).toEqual([
      [4, 5, 'rules[0]'],
      [5, 5, 'rules[1]'],
    ]);
    expect(err.issues[0]!.message).toMatch(/^its alert events would carry 17 tags, more than the 16 a point may have: the file's 15 \(tags:, added to every point\) and rule and state \(added by the rule\), so the sink would refuse every alert event \(dead-lettered, never sent\)\. Remove 1 from the file's tags:$/);
  });

  it('accepts 16 in all, a tag the rule shares with the file counted once', () => {
    expect(() => parseMapping(file(14, '  - { name: a, when: m > 1 }\n'), 'map.yaml', counterBridge, {})).not.toThrow();
    expect(() => parseMapping(file(13, '  - { name: a, when: m > 1, tags: { f0: w, r: v } }\n'), 'map.yaml', counterBridge, {})).not.toThrow();
    expect(() => parseMapping(file(13, '  - { name: a, when: m > 1, tags: { f0: w, r: v, s: v } }\n'), 'map.yaml', counterBridge, {})).toThrow(/rules\[0\]\.tags: at most 1 tags here/);
  });

  it('library rules meet the file\'s tags when the bridge starts', async () => {
    const config = parseMapping(file(12, '  - { name: a, when: m > 1 }\n').replace('source_id: plant-a\n', 'source_id: plant-a\nsink: { url: stdout }\n'), 'map.yaml', counterBridge, {});
    const mine = createRule({ name: 'mine', metrics: ['m'], tags: { r1: 'v', r2: 'v', r3: 'v' } }, () => true);
    await expect(startBridge(counterBridge, config, { logger: quiet, rules: [mine] })).rejects.toThrow(/rule mine: its alert events would carry 17 tags with the mapping's tags/);
  });

  it('a file of several sections: alert events carry no bridge or channel tag, so 14 file tags still deliver them', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g: Gateway) => g.close());
    const text = `source_id: plant-a\ntags: ${fileTags(14)}\nsink: { url: '${gw.url}', api_key: k, batch: { linger_ms: 20 } }\nrules:\n  - { name: both, when: demo.a >= 2 }\ncounter:\n  interval_ms: 20\n  channels: [{ name: a, metric: demo.a }]\ntally:\n  interval_ms: 20\n  channels: [{ name: b, metric: demo.b }]\n`;
    const running = track.add(await startBridges([counterBridge, tally], parseMapping(text, 'map.yaml', [counterBridge, tally], {}), { logger: quiet }), (b) => b.stop());
    const alert = await until(() => gw.points({ metric: 'alert.both' })[0], 'the alert at the gateway');
    await running.stop();
    expect(Object.keys(alert!.tags!)).toHaveLength(16);
    expect(alert!.tags).toMatchObject({ f0: 'v', f13: 'v', rule: 'both', state: 'fired' });
    expect(alert!.tags).not.toHaveProperty('bridge');
    expect(gw.points({ metric: 'demo.a' })[0]!.tags).toMatchObject({ bridge: 'counter', channel: 'a', f13: 'v' });
  });
});
