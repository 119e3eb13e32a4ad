import type { OpcuaBridgeError, OpcuaBridgeErrorCode } from './errors.js';

/** What failed, in a few words, by error code: the channel's state line; the error's message says the rest. */
const HEADLINES: Record<OpcuaBridgeErrorCode, string> = {
  LOAD_FAILED: 'node-opcua could not be loaded',
  CONNECT_FAILED: 'cannot connect',
  SECURITY_UNSUPPORTED: 'no endpoint of the server offers the security asked for',
  SERVER_CERTIFICATE_UNTRUSTED: "the server's certificate is not trusted",
  SERVER_CERTIFICATE_CHANGED: "the server's certificate is not the one trusted on first use",
  CLIENT_CERTIFICATE_REFUSED: "the server refused this client's certificate",
  CLIENT_CERTIFICATE_MISMATCH: 'the client certificate was made for another ApplicationUri',
  PKI_FAILED: 'the PKI folder cannot be used',
  AUTH_FAILED: 'the server refused the identity',
  NODE_INVALID: 'the endpoint or a node is not valid',
  REQUEST_FAILED: 'a request to the server failed',
  STOPPED: 'stopped',
};

/**
 * The few words a channel's state line gives for a refusal someone must fix (a refused
 * certificate, a wrong password), whose whole message (a thumbprint, the file to move, what to
 * do) the refusal's own problem line says, once: `the server's certificate is not trusted`.
 */
export function failureHeadline(error: OpcuaBridgeError): string {
  return HEADLINES[error.code];
}
