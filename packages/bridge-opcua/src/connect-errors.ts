import { OpcuaBridgeError, messageOf } from './errors.js';

/** What the classifier needs to say what to do. */
export interface ConnectErrorContext {
  endpointUrl: string;
  /** Which step failed. */
  step: 'discover' | 'connect' | 'session';
  /** The client certificate file and thumbprint, for a server that refuses it; no file for a certificate made in memory (security None). */
  clientCertificateFile: string | undefined;
  clientThumbprint: string;
  /** `anonymous`, `user "op"`, ... */
  identity: string;
  connectTimeoutMs: number;
}

/**
 * Turns what node-opcua threw while connecting into an {@link OpcuaBridgeError} whose message
 * says what to do. node-opcua reports failures as messages around a status name or a socket
 * error code, so this reads those. Pure.
 */
export function classifyConnectError(err: unknown, ctx: ConnectErrorContext): OpcuaBridgeError {
  if (err instanceof OpcuaBridgeError) return err;
  const text = messageOf(err);
  const at = ctx.endpointUrl;
  const fail = (code: ConstructorParameters<typeof OpcuaBridgeError>[0], message: string, retryable?: boolean): OpcuaBridgeError =>
    new OpcuaBridgeError(code, message, { cause: err, ...(retryable === undefined ? {} : { retryable }) });
  if (/ECONNREFUSED/.test(text)) return fail('CONNECT_FAILED', `nothing accepts connections at ${at} (connection refused): is the server running, and is the port right?`);
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return fail('CONNECT_FAILED', `cannot resolve the host of ${at}: check the name, or use an IP address`);
  if (/EHOSTUNREACH|ENETUNREACH|ETIMEDOUT/.test(text)) return fail('CONNECT_FAILED', `${at} is unreachable from this machine (${shortOf(text)}): check the address, the network and any firewall`);
  if (isClosedByPeer(text)) {
    return fail('CONNECT_FAILED', `the server at ${at} closed the connection during the ${ctx.step} step (${shortOf(text)}): it may be restarting, overloaded, or refusing this client`);
  }
  if (/BadUserAccessDenied|BadIdentityTokenInvalid|BadIdentityTokenRejected|BadUserSignatureInvalid/.test(text)) {
    return fail('AUTH_FAILED', `the server at ${at} refused the login as ${ctx.identity} (${statusOf(text)}): check the user name and password (or the user certificate), and that the server allows this user`, false);
  }
  if (/user token policy|BadIdentityTokenPolicy|BadSecurityPolicyRejected/i.test(text)) {
    return fail('AUTH_FAILED', `the server at ${at} does not accept ${ctx.identity} logins on this endpoint (${shortOf(text)}): choose another auth or security mode`, false);
  }
  if (ctx.step !== 'session' && /BadCertificate|BadSecurityChecksFailed|BadNoValidCertificates/.test(text)) {
    return fail(
      'CLIENT_CERTIFICATE_REFUSED',
      ctx.clientCertificateFile === undefined
        ? `the server at ${at} refused this client's certificate (thumbprint ${ctx.clientThumbprint}; ${statusOf(text)}), which security None makes in memory for each run: ` +
            'set pki to a folder so the client keeps one certificate, then trust that one on the server'
        : `the server at ${at} refused this client's certificate ${ctx.clientCertificateFile} (thumbprint ${ctx.clientThumbprint}; ${statusOf(text)}): ` +
            "on the server, trust it (usually by moving it from the server's rejected folder into its trusted folder); the next connect then succeeds",
      false,
    );
  }
  if (/cannot find endpoint|No endpoint/i.test(text)) return fail('SECURITY_UNSUPPORTED', `the server at ${at} offers no endpoint for the requested security: ${shortOf(text)}`, false);
  if (/BadTcpEndpointUrlInvalid/.test(text)) return fail('CONNECT_FAILED', `the server at ${at} does not know this endpoint path: use the endpoint URL the server advertises`, false);
  if (/timed? ?out|BadTimeout/i.test(text)) return fail('CONNECT_FAILED', `no answer from ${at} within ${ctx.connectTimeoutMs} ms during the ${ctx.step} step: is it an OPC UA server, and is it responsive?`);
  return fail('CONNECT_FAILED', `cannot connect to ${at} (${ctx.step} step): ${shortOf(text)}`);
}

/**
 * True when node-opcua's error says the peer closed or reset the connection, which it also says
 * (`hadErrortrue`) when the peer sent bytes that are not OPC UA.
 */
export function isClosedByPeer(text: string): boolean {
  return /ECONNRESET|socket has been disconnected|premature|Connection Break|closed by|hadError ?true/i.test(text);
}

/**
 * The error for a peer that did not answer an OPC UA Hello as OPC UA (see `_peer-probe.ts`): it
 * sent `sent` (an HTTP response, text, bytes), or closed without a word (`sent` undefined).
 * Both are retried like any failed connect (said once per episode): the right server may take the
 * address later (a service that held the port while the PLC's OPC UA server started).
 */
export function notOpcuaError(endpointUrl: string, sent: string | undefined, cause: unknown): OpcuaBridgeError {
  if (sent === undefined) {
    return new OpcuaBridgeError(
      'CONNECT_FAILED',
      `${endpointUrl} accepts connections but closed this one without answering the OPC UA Hello: it may not be an OPC UA server (check the endpoint's host and port), or it refuses this client`,
      { cause },
    );
  }
  return new OpcuaBridgeError('CONNECT_FAILED', `${endpointUrl} answers, but not as an OPC UA server (it sent ${sent}): check the endpoint's host and port`, { cause });
}

function statusOf(text: string): string {
  return /Bad[A-Za-z]+/.exec(text)?.[0] ?? shortOf(text);
}

function shortOf(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
