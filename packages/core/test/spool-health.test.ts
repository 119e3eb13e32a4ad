import { describe, expect, it } from 'vitest';
import { FieldbridgeError } from '../src/errors.js';
import { DEFAULT_RETRY } from '../src/index.js';
import { createProblemReporter } from '../src/shared/problems.js';
import { createSpoolHealth } from '../src/sink/_spool-health.js';
import { createMemorySpool } from '../src/spool/index.js';
import type { Spool } from '../src/spool/spool.js';
import { captureLogger } from './helpers/ws-sink.js';

/** A spool health on a memory spool whose `recover` is counted and whose unwritten acknowledgements are set by the test. */
function health(unwritten = () => 0) {
  const { logger, lines } = captureLogger();
  let recovered = 0;
  const spool: Spool = {
    ...createMemorySpool({ maxBytes: 1 << 20, whenFull: 'drop_oldest' }),
    recover() {
      recovered += 1;
      return { batches: 0, points: 0, bytes: 0 };
    },
    unwrittenAcks: unwritten,
  };
  const h = createSpoolHealth({ spool, logger, problems: createProblemReporter(logger), backoff: DEFAULT_RETRY, onRecovered: () => undefined });
  return { h, lines, recovered: () => recovered };
}

const unusable = new FieldbridgeError('SPOOL_UNUSABLE', 'spool: read failed: database disk image is malformed');
const full = new FieldbridgeError('SPOOL_FULL', 'spool: store failed: database or disk is full (the disk is full)');

describe('how the sink judges its spool', () => {
  it('new data stored does not end failures of another kind: a file that fails to read is still given up after five in a row', () => {
    const { h, recovered } = health();
    for (let i = 0; i < 4; i++) {
      h.failed(unusable, 'read');
      h.stored();
    }
    expect(h.stalled()).toBe(true);
    h.failed(unusable, 'read');
    expect(recovered()).toBe(1);
  });

  it('a full disk ends when new data is stored again, not when an acknowledgement fits, nor while acknowledgements wait for room', () => {
    let waiting = 2;
    const { h, lines } = health(() => waiting);
    h.failed(full, 'store');
    expect(h.diskFull()).toBe(true);
    h.ok();
    // Delivery went on; the acknowledgements it had no room for still wait.
    expect([h.stalled(), h.diskFull()]).toEqual([false, true]);
    waiting = 0;
    h.ok();
    expect(h.diskFull()).toBe(false);
    expect(lines().some((l) => /room again/.test(l.msg))).toBe(false);
    h.stored();
    expect(lines().filter((l) => /room again/.test(l.msg))).toHaveLength(1);
  });
});
