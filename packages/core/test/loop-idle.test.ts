import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLoopIdleProbe } from '../src/sink/_loop-idle.js';

describe('loop idle probe', () => {
  it('says idle after a wait on a timer and busy after code ran the whole time, each window since the last call', async () => {
    const idle = createLoopIdleProbe();
    await delay(30);
    expect(idle()).toBe(true);
    const end = performance.now() + 30;
    while (performance.now() < end);
    expect(idle()).toBe(false);
    await delay(30);
    expect(idle()).toBe(true);
  });
});
