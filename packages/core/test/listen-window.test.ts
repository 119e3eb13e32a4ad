import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { listenWindow } from '../src/bridge/listen-window.js';

// The window a `--scan` listens for: its duration, or until Ctrl-C, or until the source ends.
describe('listenWindow', () => {
  it('lasts its duration and says it as asked, leaving no listener or timer behind', async () => {
    vi.useFakeTimers();
    try {
      const signals = new EventEmitter();
      const window = listenWindow(10_000, { signals });
      expect(signals.listenerCount('SIGINT')).toBe(1);
      expect(signals.listenerCount('SIGTERM')).toBe(1);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(await window).toEqual({ ms: 10_000, interrupted: false, text: '10s' });
      expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each(['SIGINT', 'SIGTERM'])('ends at the first %s, saying how long it listened and that it was stopped early', async (name) => {
    vi.useFakeTimers();
    try {
      const signals = new EventEmitter();
      const window = listenWindow(600_000, { signals });
      await vi.advanceTimersByTimeAsync(4_230);
      signals.emit(name);
      expect(await window).toEqual({ ms: 4_200, interrupted: true, text: '4.2s (stopped early)' });
      // The second Ctrl-C is not taken: the process ends as usual.
      expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says it listens only once Ctrl-C is taken', async () => {
    const signals = new EventEmitter();
    let listenersWhenStarted = -1;
    const window = listenWindow(60_000, { signals, started: () => (listenersWhenStarted = signals.listenerCount('SIGINT')) });
    expect(listenersWhenStarted).toBe(1);
    signals.emit('SIGINT');
    expect((await window).interrupted).toBe(true);
  });

  it('ends when the source does (resolved or rejected), without calling it an interruption', async () => {
    vi.useFakeTimers();
    try {
      for (const ended of [Promise.resolve(), Promise.reject(new Error('gone'))]) {
        const window = listenWindow(60_000, { signals: new EventEmitter(), ended });
        expect(await window).toEqual({ ms: 0, interrupted: false, text: '0s' });
      }
      let end: () => void = () => undefined;
      const window = listenWindow(60_000, { signals: new EventEmitter(), ended: new Promise<void>((resolve) => (end = resolve)) });
      await vi.advanceTimersByTimeAsync(1_500);
      end();
      expect(await window).toEqual({ ms: 1_500, interrupted: false, text: '1.5s' });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
