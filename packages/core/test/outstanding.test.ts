import { describe, expect, it } from 'vitest';
import { createOutstanding } from '../src/sink/outstanding.js';

/** Whether `promise` has settled, after the microtasks queued so far. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('outstanding batches (what flush() waits for)', () => {
  it('waits for everything added before the call, not what comes after, whatever the order of settling', async () => {
    const o = createOutstanding();
    for (const id of ['a', 'b', 'c']) o.add(id);
    const flushed = o.drained(10_000);
    o.add('later');
    o.settle('c');
    o.settle('a');
    expect(await settled(flushed)).toBe(false);
    o.settle('b');
    expect(await settled(flushed)).toBe(true);
  });

  it('a batch cut into parts is waited for until its last part settles', async () => {
    const o = createOutstanding();
    o.add('p');
    o.add('q');
    const flushed = o.drained(10_000);
    o.replace('p', ['p.a', 'p.b']);
    o.settle('q');
    o.settle('p.a');
    expect(await settled(flushed)).toBe(false);
    o.settle('p.b');
    expect(await settled(flushed)).toBe(true);
  });

  it('settles what the spool lost, and times out naming the wait', async () => {
    const o = createOutstanding();
    for (let i = 0; i < 50_000; i++) o.add(`b${i}`);
    const flushed = o.drained(10_000);
    for (let i = 0; i < 49_999; i++) o.settle(`b${i}`);
    expect(await settled(flushed)).toBe(false);
    o.settleAllBut(() => false);
    expect(await settled(flushed)).toBe(true);
    o.add('stuck');
    await expect(o.drained(20)).rejects.toThrow('not drained within 20 ms');
  });
});
