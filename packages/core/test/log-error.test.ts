import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BridgeError, FieldbridgeError } from '../src/errors.js';
import { createLogger } from '../src/shared/logger.js';

/** The JSON lines a logger made by `createLogger` writes, as the command's stderr carries them. */
function logLines(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[] } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  return { logger: createLogger({ stderr: out }), lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('errors in the logs', () => {
  it('an expected, coded error (core or a bridge) is logged with its code, its message and its cause, without a stack', () => {
    const { logger, lines } = logLines();
    const cause = Object.assign(new Error('socket() failed: EAFNOSUPPORT'), { code: 'EAFNOSUPPORT' });
    logger.fatal({ err: new BridgeError('NO_BLUETOOTH', 'this kernel has no Bluetooth support', { cause }) }, 'could not start');
    logger.error({ err: new FieldbridgeError('SPOOL_LOCKED', 'the spool is in use by another fieldbridge process') }, 'could not start');
    const [ble, core] = lines();
    expect(ble!.err).toEqual({ type: 'BridgeError', code: 'NO_BLUETOOTH', message: 'this kernel has no Bluetooth support', cause: 'socket() failed: EAFNOSUPPORT' });
    expect(core!.err).toEqual({ type: 'FieldbridgeError', code: 'SPOOL_LOCKED', message: 'the spool is in use by another fieldbridge process' });
  });

  it('an unexpected error (a bug) keeps its stack and its cause', () => {
    const { logger, lines } = logLines();
    logger.fatal({ err: new TypeError('x is undefined', { cause: new Error('deeper') }) }, 'failed');
    const err = lines()[0]!.err as { type: string; message: string; stack: string };
    expect(err.type).toBe('TypeError');
    expect(err.message).toBe('x is undefined: deeper');
    expect(err.stack).toMatch(/TypeError: x is undefined\n\s+at .*log-error\.test\.ts/);
    expect(err.stack).toMatch(/caused by: Error: deeper/);
  });
});
