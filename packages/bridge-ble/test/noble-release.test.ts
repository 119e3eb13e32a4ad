import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { initBindings, releaseBindings, tameDevUpPoll } from '../src/adapter/noble-quirks.js';
import type { NobleBindings } from '../src/adapter/noble-types.js';

// noble's real HCI layer (lib/hci-socket/hci.js) with only its native socket replaced: there
// is no Bluetooth on these machines, so the socket is the one part that cannot run here.
function hciWithFakeSocket() {
  const require = createRequire(import.meta.url);
  const Hci = require('@abandonware/noble/lib/hci-socket/hci.js') as { prototype: object };
  const socket = { polls: 0, stopped: 0, isDevUp() { this.polls += 1; return false; }, stop() { this.stopped += 1; } };
  const hci = Object.assign(Object.create(Hci.prototype) as EventEmitter & { pollIsDevUp(): void }, { _socket: socket, _isDevUp: null, _state: null });
  EventEmitter.call(hci);
  return { hci, socket, bindings: { _hci: hci } as unknown as NobleBindings };
}

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
afterEach(() => {
  globalThis.setTimeout = realSetTimeout;
  globalThis.clearTimeout = realClearTimeout;
});

/** A timer handle that records what is done with it; the poll's callback is kept, never run. */
interface Handle {
  ms: number | undefined;
  unrefed: boolean;
  unref(): Handle;
}

describe("releasing noble's bindings", () => {
  it("makes the HCI layer's one-second adapter poll unref()ed, and clears it and stops the socket on release", () => {
    const { hci, socket, bindings } = hciWithFakeSocket();
    const created: Handle[] = [];
    const cleared: unknown[] = [];
    globalThis.setTimeout = ((_fn: () => void, ms?: number) => {
      const handle: Handle = { ms, unrefed: false, unref: () => ((handle.unrefed = true), handle) };
      created.push(handle);
      return handle;
    }) as unknown as typeof setTimeout;
    globalThis.clearTimeout = ((handle: unknown) => void cleared.push(handle)) as typeof clearTimeout;
    expect(tameDevUpPoll(bindings)).toBe(true);
    expect(tameDevUpPoll(bindings)).toBe(false);
    const states: string[] = [];
    hci.on('stateChange', (s: string) => states.push(s));
    hci.pollIsDevUp();
    expect(states).toEqual(['poweredOff']);
    expect(socket.polls).toBe(1);
    expect(created).toEqual([expect.objectContaining({ ms: 1000, unrefed: true })]);
    releaseBindings(bindings);
    expect(socket.stopped).toBe(1);
    expect(cleared).toEqual([created[0]]);
    hci.pollIsDevUp();
    expect(socket.polls).toBe(1);
    releaseBindings(bindings);
  });

  it('removes the exit listeners the bindings added when they initialized', () => {
    const listener = (): void => undefined;
    const bindings = new EventEmitter() as unknown as NobleBindings;
    const noble = {
      get state() {
        process.on('exit', listener);
        return 'poweredOn';
      },
    };
    initBindings(noble, bindings);
    expect(process.listeners('exit')).toContain(listener);
    releaseBindings(bindings);
    expect(process.listeners('exit')).not.toContain(listener);
  });
});
