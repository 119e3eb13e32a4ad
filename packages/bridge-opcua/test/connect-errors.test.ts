import { describe, expect, it } from 'vitest';
import { classifyConnectError, type ConnectErrorContext } from '../src/connect-errors.js';
import { OpcuaBridgeError } from '../src/errors.js';

const ctx: ConnectErrorContext = {
  endpointUrl: 'opc.tcp://plc:4840',
  step: 'connect',
  clientCertificateFile: '/pki/own/certs/client_certificate.pem',
  clientThumbprint: 'abcd',
  identity: 'user "op"',
  connectTimeoutMs: 10_000,
};

describe('classifyConnectError', () => {
  it.each([
    ['connect ECONNREFUSED 127.0.0.1:4840', 'CONNECT_FAILED', true, /connection refused\): is the server running/],
    ['getaddrinfo ENOTFOUND plc', 'CONNECT_FAILED', true, /cannot resolve the host/],
    ['connect EHOSTUNREACH 10.0.0.9:4840', 'CONNECT_FAILED', true, /unreachable from this machine/],
    ['The connection may have been rejected by server,\n Err = (ERROR in waiting for data on socket(timeout was = 60000 ms) hadErrortrue )', 'CONNECT_FAILED', true, /closed the connection during the connect step/],
    ['connecting to opc.tcp://plc:4840 timed out after 10000 ms', 'CONNECT_FAILED', true, /no answer from opc.tcp:\/\/plc:4840 within 10000 ms/],
    ['BadUserAccessDenied (0x801f0000)', 'AUTH_FAILED', false, /refused the login as user "op" \(BadUserAccessDenied\)/],
    ['The connection may have been rejected by server, BadSecurityChecksFailed', 'CLIENT_CERTIFICATE_REFUSED', false, /thumbprint abcd.*moving it from the server's rejected folder/],
  ])('%s', (message, code, retryable, why) => {
    const err = classifyConnectError(new Error(message), ctx);
    expect(err).toBeInstanceOf(OpcuaBridgeError);
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
    expect(err.message).toMatch(why);
  });

  it('tells a server that refuses the in-memory certificate of security None to be given a kept one', () => {
    const err = classifyConnectError(new Error('BadSecurityChecksFailed'), { ...ctx, clientCertificateFile: undefined });
    expect(err.code).toBe('CLIENT_CERTIFICATE_REFUSED');
    expect(err.message).toBe(
      'the server at opc.tcp://plc:4840 refused this client\'s certificate (thumbprint abcd; BadSecurityChecksFailed), which security None makes in memory for each run: ' +
        'set pki to a folder so the client keeps one certificate, then trust that one on the server',
    );
  });

  it('passes an OpcuaBridgeError through unchanged', () => {
    const original = new OpcuaBridgeError('SERVER_CERTIFICATE_CHANGED', 'x', { retryable: false });
    expect(classifyConnectError(original, ctx)).toBe(original);
  });
});
