import { BlockList, isIP } from 'node:net';
import { FieldbridgeError } from '../errors.js';

/** The proxy the environment selects for one URL, or why there is none. */
export interface ProxyChoice {
  /** The proxy URL to tunnel through, credentials included (never log it: print {@link ProxyTarget.display}); undefined: direct. */
  url?: string;
  /** The variable the proxy came from (`https_proxy`, `HTTPS_PROXY`, `ALL_PROXY`...), also when NO_PROXY bypassed it. */
  variable?: string;
  /** The `NO_PROXY` entry that matched the URL's host, when a proxy was set but is not used. */
  bypassedBy?: string;
}

/** A proxy URL taken apart for a CONNECT tunnel. */
export interface ProxyTarget {
  secure: boolean;
  host: string;
  port: number;
  /** `Proxy-Authorization` value (`Basic ...`) when the URL carries a user name; never logged. */
  authorization?: string;
  /** The proxy as it may be printed: scheme, `***@` when it has credentials, host and port. */
  display: string;
}

/**
 * The proxy for `target` (an `http(s)://` or `ws(s)://` URL) as curl and Telegraf read the
 * environment: `https:`/`wss:` use `https_proxy`/`HTTPS_PROXY`, `http:`/`ws:` use
 * `http_proxy`/`HTTP_PROXY`, both then `all_proxy`/`ALL_PROXY`; the lower-case name wins when
 * both are set, and an empty value counts as unset. `no_proxy`/`NO_PROXY` may exempt the host
 * ({@link noProxyEntryFor}).
 */
export function proxyForUrl(target: string, env: NodeJS.ProcessEnv): ProxyChoice {
  const url = new URL(target);
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const found = firstSet(env, secure ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY']) ?? firstSet(env, ['all_proxy', 'ALL_PROXY']);
  if (!found) return {};
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY']);
  const port = Number(url.port || (secure ? 443 : 80));
  const bypassedBy = noProxy ? noProxyEntryFor(noProxy.value, url.hostname, port) : undefined;
  return bypassedBy === undefined ? { url: found.value, variable: found.name } : { variable: found.name, bypassedBy };
}

/**
 * The entry of a `NO_PROXY` list that exempts `host:port`, or undefined. As curl documents it:
 * comma-separated; `*` exempts every host; a name matches itself and every name below it
 * (`example.com` and `.example.com` both match `example.com` and `www.example.com`, not
 * `notexample.com`); IP addresses (IPv6 without brackets) match the same address, and with a
 * CIDR suffix (`10.0.0.0/8`) every address in it; an IP host is never matched by a name. Beyond
 * curl, as Go and Python do: an entry with `:port` matches that port only, and `*.example.com`
 * reads as `.example.com`.
 */
export function noProxyEntryFor(list: string, host: string, port: number): string | undefined {
  const name = host.replace(/^\[|\]$/g, '').replace(/\.+$/, '').toLowerCase();
  const hostIp = isIP(name);
  for (const raw of list.split(/[,\s]+/)) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (entry === '*') return entry;
    const { value, port: entryPort } = splitPort(entry.toLowerCase());
    if (entryPort !== undefined && entryPort !== port) continue;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(value);
    const ip = isIP(cidr ? cidr[1]! : value);
    if (ip !== 0) {
      if (hostIp === 0) continue;
      const list = new BlockList();
      const family = ip === 4 ? 'ipv4' : 'ipv6';
      if (cidr) {
        const bits = Number(cidr[2]);
        if (bits > (ip === 4 ? 32 : 128)) continue;
        list.addSubnet(cidr[1]!, bits, family);
      } else list.addAddress(value, family);
      if (list.check(name, hostIp === 4 ? 'ipv4' : 'ipv6')) return entry;
      continue;
    }
    if (hostIp !== 0) continue;
    const domain = value.replace(/^\*?\.+/, '').replace(/\.+$/, '');
    if (domain !== '' && (name === domain || name.endsWith(`.${domain}`))) return entry;
  }
  return undefined;
}

/**
 * Takes a proxy URL apart: `http://` or `https://` (a URL without a scheme is `http://`, as in
 * curl), the scheme's port when none is given, credentials (percent-encoded in the URL) as a
 * Basic `Proxy-Authorization`. Throws `OPTIONS_INVALID` for another scheme (SOCKS) or a URL
 * that does not parse, naming `source` and never the credentials.
 */
export function parseProxyUrl(text: string, source = 'the proxy URL'): ProxyTarget {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new FieldbridgeError('OPTIONS_INVALID', `${source} is not a valid proxy URL; expected http://[user:password@]host:port`);
  }
  const scheme = url.protocol;
  const display = `${scheme}//${url.username || url.password ? '***@' : ''}${url.host}`;
  if (scheme !== 'http:' && scheme !== 'https:') {
    throw new FieldbridgeError(
      'OPTIONS_INVALID',
      `${source} is ${display}: fieldbridge tunnels through HTTP proxies only (http:// or https://), not ${scheme.slice(0, -1)}; ` +
        "set an HTTP proxy for fieldbridge, or add the sink's host to NO_PROXY to connect directly",
    );
  }
  if (url.hostname === '') throw new FieldbridgeError('OPTIONS_INVALID', `${source} names no host; expected http://[user:password@]host:port`);
  const secure = scheme === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const user = url.username || url.password ? `${safeDecode(url.username)}:${safeDecode(url.password)}` : undefined;
  return {
    secure,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    display: `${scheme}//${user === undefined ? '' : '***@'}${url.hostname}:${port}`,
    ...(user === undefined ? {} : { authorization: `Basic ${Buffer.from(user).toString('base64')}` }),
  };
}

/**
 * One line for `--check`: the proxy the sink would use (redacted, and the variable), or why none:
 * `none (no proxy variable set)`, `none: NO_PROXY entry .corp matches (HTTPS_PROXY not used)`, or
 * why the one named cannot be used (a SOCKS proxy: the run then connects directly, warning).
 */
export function describeProxy(target: string, env: NodeJS.ProcessEnv): string {
  const choice = proxyForUrl(target, env);
  if (choice.url === undefined) {
    return choice.bypassedBy === undefined ? 'none (no proxy variable set)' : `none: NO_PROXY entry ${choice.bypassedBy} matches (${choice.variable} not used)`;
  }
  try {
    return `${parseProxyUrl(choice.url, choice.variable).display} (from ${choice.variable}), a CONNECT tunnel`;
  } catch (err) {
    return `not usable, the run connects directly (and warns): ${(err as Error).message}`;
  }
}

function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** `host:port` -> both; a bare IPv6 address (several colons) has no port; `[v6]:port` does. */
function splitPort(entry: string): { value: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { value: bracketed[1]!, ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
  const colon = entry.indexOf(':');
  if (colon === -1 || entry.indexOf(':', colon + 1) !== -1) return { value: entry };
  const port = entry.slice(colon + 1);
  return /^\d+$/.test(port) ? { value: entry.slice(0, colon), port: Number(port) } : { value: entry };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
