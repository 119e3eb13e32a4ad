import { describe, expect, it } from 'vitest';
import { createSequenceSeen, SEEN_MESSAGES } from '../src/_sequence-seen.js';

describe('messages already handled', () => {
  it('are told by sequence number and publish time, so a subscription made anew (numbered from 1 again) loses nothing', () => {
    const seen = createSequenceSeen();
    expect(seen.first(1, 1000)).toBe(true);
    expect(seen.first(2, 1050)).toBe(true);
    // Sent again (a Republish answer): the same number and publish time.
    expect(seen.first(1, 1000)).toBe(false);
    // A server that restarted numbers its new subscription's messages from 1 again, at a later time.
    expect(seen.first(1, 90_000)).toBe(true);
    expect(seen.first(1, 90_000)).toBe(false);
    // No publish time: never taken for one seen.
    expect(seen.first(3, Number.NaN)).toBe(true);
    expect(seen.first(3, Number.NaN)).toBe(true);
  });

  it('remembers the last SEEN_MESSAGES only', () => {
    const seen = createSequenceSeen();
    for (let n = 1; n <= SEEN_MESSAGES + 1; n++) seen.first(n, n);
    expect(seen.first(SEEN_MESSAGES + 1, SEEN_MESSAGES + 1)).toBe(false);
    expect(seen.first(1, 1)).toBe(true);
  });
});
