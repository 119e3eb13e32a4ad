import { describe } from 'vitest';
import { capacityTests } from './_spool-conformance-capacity.js';
import { lifecycleTests } from './_spool-conformance-lifecycle.js';
import { queueTests } from './_spool-conformance-queue.js';
import { spoolMaker } from './_spool-kit.js';
import type { SpoolFactory } from './_spool-kit.js';

export type { SpoolFactory, SpoolFactoryResult } from './_spool-kit.js';

/**
 * The shared vitest suite every {@link Spool} implementation must pass: order oldest first,
 * leases, release, ack, replace, exact stats, each `whenFull` policy with exact drops, the
 * oversize rules, expiry, close; and, when the factory returns `reopen`, what survives a
 * reopen (content and order) and what does not (leases).
 *
 * `factory` is called once per test with the limits the test needs and must return a fresh,
 * empty spool, or `{ spool, reopen }` where `reopen()` opens the same storage again after the
 * suite has closed `spool`. The suite closes every spool it gets; cleaning up storage (temp
 * directories) is the caller's job, e.g. in `afterAll`. Call it at the top level of a test file.
 *
 * @param name Shown in the test names, e.g. `'memory'`.
 */
export function describeSpoolConformance(name: string, factory: SpoolFactory): void {
  describe(`Spool conformance: ${name}`, () => {
    const make = spoolMaker(factory);
    queueTests(make);
    capacityTests(make);
    lifecycleTests(make);
  });
}
