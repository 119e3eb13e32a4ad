// A service reloaded again and again (SIGHUP from a config-management loop) must hold only what
// runs: each rule set and bridge made with `previous` takes the state it needs and lets go of the
// one it replaced, or every earlier set (its routes, its rules' state, its sink) would stay.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseMapping, startBridges, type RuleSet } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { fileRules, ruleHarness } from './helpers/rules.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects what nothing reaches; WeakRefs are cleared once the job that read them has ended. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

const hot = { name: 'hot', when: 'demo.a > 50', for: '2s' };

describe('reloads keep no replaced rule set', () => {
  it('a rule set made with `previous` lets the one it replaced go', async () => {
    let set: RuleSet = ruleHarness(fileRules(hot)).set;
    const first = new WeakRef(set);
    for (let i = 0; i < 3; i++) set = ruleHarness(fileRules(hot), 'plant-a', { previous: set }).set;
    await collect();
    expect(first.deref()).toBeUndefined();
    set.stop();
  });

  it('the bridges a reload starts (`previousRules`) let the replaced rule set go', async () => {
    const config = parseMapping('source_id: plant-a\nsink: { url: stdout }\nrules:\n  - { name: hot, when: demo.a > 50 }\ncounter:\n  interval_ms: 60000\n  channels: [{ name: a, metric: demo.a }]\n', 'map.yaml', counterBridge, {});
    const options = { sink: { write: () => true, clock: { now: Date.now, monotonicNow: Date.now } } as never, logger: pino({ level: 'silent' }) };
    let running = await startBridges([counterBridge], config, options);
    const first = new WeakRef(running.rules!);
    for (let i = 0; i < 3; i++) {
      const previousRules = running.rules!;
      await running.stop();
      running = await startBridges([counterBridge], config, { ...options, previousRules });
    }
    await collect();
    expect(first.deref()).toBeUndefined();
    await running.stop();
  });
});
