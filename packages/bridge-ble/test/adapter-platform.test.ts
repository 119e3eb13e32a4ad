import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { explainAdapterError } from '../src/adapter/adapter-errors.js';
import { loadNoble } from '../src/adapter/load-noble.js';
import type { NobleBindings } from '../src/adapter/noble-types.js';
import { releaseSigint, silenceStateAdvice } from '../src/adapter/noble-quirks.js';
import { applyScanMode, makeScanPassive } from '../src/adapter/scan-mode.js';
import { isBleBridgeError } from '../src/errors.js';
import { SimulatedBindings } from '../src/sim/simulated-bindings.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('the platform adapter', () => {
  it('either opens, or says which capability is missing (these machines have no Bluetooth: EAFNOSUPPORT)', async () => {
    const outcome = await loadNoble().then(
      () => 'opened',
      (err: unknown) => err,
    );
    if (outcome === 'opened') return;
    expect(isBleBridgeError(outcome)).toBe(true);
    expect(['NO_BLUETOOTH', 'NO_PERMISSION', 'NO_ADAPTER']).toContain((outcome as { code: string }).code);
    expect((outcome as Error).message).toMatch(/EAFNOSUPPORT|cap_net_raw|adapter/);
  });

  it('explains errno errors it was not given a rule for, keeping the cause', () => {
    const cause = Object.assign(new Error('boom'), { code: 'EIO' });
    const err = explainAdapterError(cause);
    expect(err.code).toBe('NO_ADAPTER');
    expect(err.cause).toBe(cause);
    expect(explainAdapterError(err)).toBe(err);
  });
});

describe('passive scanning', () => {
  it('rewrites the scan type of LE Set Scan Parameters commands, legacy and extended, and nothing else', () => {
    // Legacy: 01 | 0b 20 | 07 | type 01 | interval 1200 | window 1200 | own 00 | filter 00 (Core Vol 4 Part E 7.8.10)
    const legacy = hex('01 0b20 07 01 1200 1200 00 00');
    expect(makeScanPassive(legacy)).toBe(true);
    expect(legacy.toString('hex')).toBe('010b200700120012000000');
    // Extended: 01 | 41 20 | 0d | own 00 | filter 00 | PHYs 05 (1M + coded) | 01 1200 1200 | 01 1200 1200 (7.8.64)
    const extended = hex('01 4120 0d 00 00 05 01 1200 1200 01 1200 1200');
    expect(makeScanPassive(extended)).toBe(true);
    expect(extended.toString('hex')).toBe('0141200d00000500120012000012001200');
    // LE Set Scan Enable (0x200c) is left alone
    const enable = hex('01 0c20 02 01 00');
    expect(makeScanPassive(enable)).toBe(false);
    expect(enable.toString('hex')).toBe('010c20020100');
  });

  it('patches an HCI socket once, tells bindings that scan passively themselves, and says when neither works', () => {
    const sent: string[] = [];
    const socket = { write: (p: Buffer) => void sent.push(p.toString('hex')) };
    const hciLike = { _hci: { _socket: socket } } as unknown as NobleBindings;
    expect(applyScanMode(hciLike, 'passive')).toBe(true);
    expect(applyScanMode(hciLike, 'passive')).toBe(true);
    socket.write(hex('01 0b20 07 01 1200 1200 00 00'));
    expect(sent).toEqual(['010b200700120012000000']);
    const told: string[] = [];
    const sim = new SimulatedBindings();
    sim.setScanMode = (mode) => void told.push(mode);
    expect(applyScanMode(sim, 'passive')).toBe(true);
    expect(told).toEqual(['passive']);
    const plain = {} as NobleBindings;
    expect(applyScanMode(plain, 'passive')).toBe(false);
    expect(applyScanMode(plain, 'active')).toBe(true);
  });
});

describe("noble's HCI bindings, tamed", () => {
  // noble's real bindings class, with its socket-owning parts replaced (no Bluetooth here).
  function hciBindings() {
    const require = createRequire(import.meta.url);
    const HciBindings = require('@abandonware/noble/lib/hci-socket/bindings.js') as { prototype: object };
    const bindings = Object.assign(Object.create(HciBindings.prototype) as EventEmitter, { _state: null, _gap: Object.assign(new EventEmitter(), { stopScanning: () => undefined }), _hci: Object.assign(new EventEmitter(), { init: () => undefined }) });
    return bindings as unknown as NobleBindings & { onStateChange(state: string): void };
  }

  it('keeps its state advice off stdout', () => {
    const bindings = hciBindings();
    const printed: unknown[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => void printed.push(args);
    try {
      expect(silenceStateAdvice(bindings)).toBe(true);
      const states: string[] = [];
      bindings.on('stateChange', (s: string) => states.push(s));
      bindings.onStateChange('unauthorized');
      bindings.onStateChange('unauthorized');
      bindings.onStateChange('unsupported');
      expect(states).toEqual(['unauthorized', 'unsupported']);
    } finally {
      console.log = original;
    }
    expect(printed).toEqual([]);
  });

  it('does not keep the SIGINT listener that would exit the process', () => {
    const bindings = hciBindings();
    const before = process.listeners('SIGINT').length;
    bindings.init();
    expect(process.listeners('SIGINT')).toHaveLength(before + 1);
    expect(releaseSigint(bindings)).toBe(true);
    expect(process.listeners('SIGINT')).toHaveLength(before);
    expect(releaseSigint(bindings)).toBe(false);
  });
});
