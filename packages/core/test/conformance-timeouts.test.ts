import type { RunnerTask, RunnerTestSuite } from 'vitest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineBridge } from '../src/runtime/define-bridge.js';
import { CONFORMANCE_TEST_TIMEOUT_MS, describeBridgeConformance } from '../src/testing/bridge-conformance.js';

// Collected, never run: what matters is the timeout each of the suite's tests carries, whatever
// the package's vitest config says (this repository's root config sets 30 s; vitest's default is 5 s).
describe.skip('collected only', () => {
  describeBridgeConformance('timeouts', {
    definition: defineBridge({ name: 'none', version: '0.0.0', configSchema: z.object({}), describe: () => ['none'], create: () => ({ start: async () => undefined, stop: async () => undefined }) }),
    startPeer: async () => ({ close: async () => undefined }),
    section: () => ({}),
  });
});

function testsOf(task: RunnerTask): RunnerTask[] {
  return task.type === 'suite' ? (task as RunnerTestSuite).tasks.flatMap(testsOf) : [task];
}

describe('the bridge conformance suite', () => {
  it('sets its own timeout on every test, above its longest wait', ({ task }) => {
    const suite = task.file.tasks.find((t) => t.name === 'collected only')!;
    const tests = testsOf(suite);
    expect(tests.length).toBeGreaterThanOrEqual(7);
    for (const t of tests) expect((t as RunnerTask & { timeout: number }).timeout, t.name).toBe(CONFORMANCE_TEST_TIMEOUT_MS);
  });
});
