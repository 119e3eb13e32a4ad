import { describe, expect, it } from 'vitest';
import { formatOpcuaMessage, makeLogHooks, MAX_OPCUA_LOG_CHARS, opcuaLogLevel } from '../src/log-redirect.js';
import { capturingLogger } from './helpers/logger.js';

describe('node-opcua messages into a logger', () => {
  it('formats the arguments as one plain, bounded text', () => {
    expect(formatOpcuaMessage(['\u001b[36mwarning\u001b[39m :', 42, { a: 1 }])).toBe('warning : 42 { a: 1 }');
    const long = formatOpcuaMessage(['x'.repeat(5000)]);
    expect(long.startsWith('x'.repeat(MAX_OPCUA_LOG_CHARS))).toBe(true);
    expect(long.endsWith('... (5000 characters)')).toBe(true);
    const hostile = { [Symbol.for('nodejs.util.inspect.custom')]: () => { throw new Error('no'); } };
    expect(formatOpcuaMessage(['a', hostile])).toBe('a object');
  });

  it('demotes what this package reports better itself', () => {
    expect(opcuaLogLevel('warning', '[NODE-OPCUA-W27] node version v20.20.2')).toBe('debug');
    expect(opcuaLogLevel('warning', 'serverCertificate =  MIIE...')).toBe('debug');
    expect(opcuaLogLevel('warning', 'Keep alive has failed')).toBe('warn');
    expect(opcuaLogLevel('error', 'INTERNAL ERROR')).toBe('error');
    expect(opcuaLogLevel('trace', 'anything')).toBe('debug');
  });

  it('sends each hook to the current logger with the file that logged', () => {
    const logger = capturingLogger();
    let target = logger as typeof logger | undefined;
    const hooks = makeLogHooks(() => target);
    hooks.warning({ filename: 'client_base_impl' }, 'lost', 3);
    hooks.error({}, 'boom');
    expect(logger.lines).toEqual([
      { level: 'warn', msg: 'lost 3', obj: { opcua: 'client_base_impl' } },
      { level: 'error', msg: 'boom', obj: { opcua: 'node-opcua' } },
    ]);
    target = undefined;
    hooks.warning({}, 'dropped');
    expect(logger.lines).toHaveLength(2);
  });
});
