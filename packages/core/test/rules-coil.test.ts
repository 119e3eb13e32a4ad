import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRuleSet, type Point } from '../src/index.js';
import { captureLogger } from './helpers/ws-sink.js';
import { fileRules, T0 } from './helpers/rules.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

/** The file's rules on a collecting writer with a captured logger: a PLC's pump coil and flow meter, every second. */
function pump(when: string) {
  const { logger, lines } = captureLogger();
  const written: Point[] = [];
  const set = createRuleSet({ rules: fileRules({ name: 'dry_run', when, for: '20s' }), sink: { write: (p) => written.push(p) > 0 }, sourceId: 'plc-1', logger, unheardAfterMs: 0 });
  for (let s = 0; s < 30; s++) {
    // A coil arrives as a boolean (bridge-modbus `bool`, the default on coils).
    set.write({ metric: 'pump.running', value: true, timestamp: Date.now() });
    set.write({ metric: 'pump.flow', value: 0.4, timestamp: Date.now() });
    vi.advanceTimersByTime(1000);
  }
  return { set, events: written.filter((p) => p.class === 'event'), warnings: lines().filter((l) => l.level === 40) };
}

describe('pump running but no flow, the coil compared with what it is not', () => {
  it('written with true, fires after its 20 s with both values', () => {
    const { events, warnings } = pump('pump.running == true && pump.flow < 1');
    expect(events.map((e) => e.value)).toMatchObject([{ state: 'fired', for_ms: 20_000, values: { 'pump.running': true, 'pump.flow': 0.4 } }]);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['pump.running == 1 && pump.flow < 1', 'true == 1 compares a boolean with a number, which are never equal'],
    ['pump.running != 0 && pump.flow < 1', 'true != 0 compares a boolean with a number, which are never equal'],
    ['pump.running == "on" && pump.flow < 1', 'true == "on" compares a boolean with a string, which are never equal'],
  ])('written as %s, cannot tell, and says so once instead of never (or always) firing', (when, why) => {
    const { set, events, warnings } = pump(when);
    expect(events).toEqual([]);
    expect(set.rules[0]!.errors()).toBe(60);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toBe(
      `rule dry_run: its condition cannot tell (${why}: a coil or a switch arrives as true or false, so write == true (or == false)), which changes nothing; ` +
        'counted in fieldbridge_rule_errors_total, reported once until it evaluates again, and the bridge goes on',
    );
  });
});
