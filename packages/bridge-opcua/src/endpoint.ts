import { emptyPortMessage, hasEmptyPort, redactUrl } from '@fieldbridge/core/bridge';

/** A parsed `opc.tcp://` endpoint URL. */
export interface Endpoint {
  host: string;
  /** Default 4840, the port IANA registered for OPC UA. */
  port: number;
  /** The endpoint path (`/UA/Server`), or '' for none. */
  path: string;
  /** The URL written back out, with its port: what the client connects to and logs name. */
  url: string;
}

/** The port of an endpoint URL without one. */
export const DEFAULT_OPCUA_PORT = 4840;

/**
 * Parses an endpoint URL: `opc.tcp://host[:port][/path]`. Never throws: a wrong one gives a
 * message with an example. Credentials in the URL are refused (they belong in `auth`).
 */
export function parseEndpoint(text: string): { ok: true; endpoint: Endpoint } | { ok: false; message: string } {
  const example = 'e.g. opc.tcp://plc1.local:4840 or opc.tcp://10.0.0.5:4840/UA/Server';
  if (!/^opc\.tcp:\/\//i.test(text)) return { ok: false, message: `endpoint "${short(text)}" must start with opc.tcp:// (${example})` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: `endpoint "${short(text)}" is not a URL (${example})` };
  }
  if (!url.hostname) return { ok: false, message: `endpoint "${short(text)}" names no host (${example})` };
  if (hasEmptyPort(text)) return { ok: false, message: `endpoint ${emptyPortMessage(short(text), DEFAULT_OPCUA_PORT)}` };
  if (url.username || url.password) return { ok: false, message: 'put the user name and password in auth (the password from ${OPCUA_PASSWORD}), not in the endpoint' };
  if (url.search || url.hash) return { ok: false, message: `endpoint "${short(text)}" has a query or fragment, which OPC UA endpoints do not use` };
  const port = url.port === '' ? DEFAULT_OPCUA_PORT : Number(url.port);
  const path = url.pathname === '/' ? '' : url.pathname;
  const host = url.hostname;
  return { ok: true, endpoint: { host: host.replace(/^\[(.*)\]$/, '$1'), port, path, url: `opc.tcp://${host}:${port}${path}` } };
}

/** The endpoint as a message shows it: without a user and password, cut to 80 characters. */
function short(endpoint: string): string {
  const text = redactUrl(endpoint);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
