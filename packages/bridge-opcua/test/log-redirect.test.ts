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

  it('demotes what node-opcua prints at every reconnect, and at every failed attempt of one, keeping the rest', () => {
    // As node-opcua 2.182 prints them (formatOpcuaMessage of its arguments), with the file that logged.
    const operationLimit = formatOpcuaMessage(['dataValue = ', '{ /* DataValue */\n    value: Variant(Scalar<Null>, value: <null>)\n    statusCode:      BadNodeIdUnknown (0x80340000)\n}', ' for ', 'ns=0;i=11713']);
    expect(opcuaLogLevel('warning', operationLimit, 'read_operational_limits')).toBe('debug');
    expect(opcuaLogLevel('error', 'Error   client3 BadTcpInternalError (0x80820000):Cannot decrypt OPN package error:02000079:rsa routines::oaep decoding error', 'message_builder_base')).toBe('debug');
    expect(opcuaLogLevel('warning', 'the server certificate has changed,  we need to retrieve server certificate again:  ClientTCP_transport3: socket has been disconnected by third party', 'client_base_impl')).toBe('debug');
    expect(opcuaLogLevel('warning', 'old server certificate  676b5a9700d273dac1494fec4b1c83d975f8e8a4', 'client_base_impl')).toBe('debug');
    expect(opcuaLogLevel('warning', 'client =  ClientSession Failing to fetch new server certificate server Certificate verification failed with err BadCertificateUntrusted (0x801a0000)', 'client_base_impl')).toBe('debug');
    expect(opcuaLogLevel('warning', "Fail to connect to server at opc.tcp://127.0.0.1:4840 to collect server's certificate (in findEndpoint) \n (err =premature disconnection 4)", 'client_base_impl')).toBe('debug');
    expect(opcuaLogLevel('warning', 'maximum chunk size exceeded (maxChunkSize=4096 current chunk size = 825110831)', 'packet_assembler')).toBe('debug');
    expect(opcuaLogLevel('warning', 'We need to recreate entirely the subscription', 'reconnection')).toBe('debug');
    expect(opcuaLogLevel('warning', 'Receiving a notification for a unknown monitoredItem with clientHandle  1', 'client_subscription_impl')).toBe('debug');
    // The same words from elsewhere, and what is not chatter, keep their level.
    expect(opcuaLogLevel('warning', operationLimit, 'client_session_impl')).toBe('warn');
    expect(opcuaLogLevel('error', 'session restoration has failed! err = BadUserAccessDenied', 'reconnection')).toBe('error');
    expect(opcuaLogLevel('error', 'INTERNAL ERROR', 'client_base_impl')).toBe('error');
    expect(opcuaLogLevel('warning', 'Keep alive has failed', 'client_base_impl')).toBe('warn');
  });

  it('sends each hook to the current logger with the file that logged', () => {
    const logger = capturingLogger();
    let target = logger as typeof logger | undefined;
    const hooks = makeLogHooks(() => target);
    hooks.warning({ filename: 'client_base_impl' }, 'lost', 3);
    hooks.error({}, 'boom');
    hooks.warning({ filename: 'read_operational_limits' }, 'dataValue = ', '{}', ' for ', 'ns=0;i=12167');
    expect(logger.lines).toEqual([
      { level: 'warn', msg: 'lost 3', obj: { opcua: 'client_base_impl' } },
      { level: 'error', msg: 'boom', obj: { opcua: 'node-opcua' } },
      { level: 'debug', msg: 'dataValue =  {}  for  ns=0;i=12167', obj: { opcua: 'read_operational_limits' } },
    ]);
    target = undefined;
    hooks.warning({}, 'dropped');
    expect(logger.lines).toHaveLength(3);
  });
});
