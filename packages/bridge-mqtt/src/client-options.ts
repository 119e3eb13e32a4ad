import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { MqttConfig } from './config.js';
import { MqttBridgeError } from './errors.js';
import { emptyPortMessage, formatSize, hasEmptyPort, reconnectPolicy, redactUrl } from '@fieldbridge/core/bridge';
import { MQTT_DEFAULTS } from './resolve.js';

/** URL schemes the bridge connects with. */
export const BROKER_SCHEMES = ['mqtt', 'mqtts', 'ws', 'wss'] as const;

/** A parsed broker URL. */
export interface BrokerUrl {
  scheme: (typeof BROKER_SCHEMES)[number];
  host: string;
  port: number;
  /** Path of a WebSocket URL (`/mqtt`); '/' otherwise. */
  path: string;
  /** True for mqtts:// and wss://. */
  secure: boolean;
}

const DEFAULT_PORTS: Record<BrokerUrl['scheme'], number> = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 };

/** Parses `mqtt://host:1883`, `mqtts://host`, `ws://host:8080/mqtt`, `wss://host/mqtt`. */
export function parseBrokerUrl(text: string): { ok: true; url: BrokerUrl } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: `url "${redactUrl(text)}" is not a URL (e.g. mqtt://broker.local:1883 or mqtts://broker.example.com:8883)` };
  }
  const scheme = url.protocol.slice(0, -1);
  if (!(BROKER_SCHEMES as readonly string[]).includes(scheme)) {
    return { ok: false, message: `url scheme "${scheme}:" is not one of ${BROKER_SCHEMES.map((s) => `${s}://`).join(', ')}${schemeHint(text, scheme)}` };
  }
  if (!url.hostname) return { ok: false, message: `url "${redactUrl(text)}" names no host` };
  if (hasEmptyPort(text)) return { ok: false, message: `url ${emptyPortMessage(text, DEFAULT_PORTS[scheme as BrokerUrl['scheme']])}` };
  if (url.username || url.password) return { ok: false, message: 'put credentials in username and password (from ${VAR}), not in the url' };
  const s = scheme as BrokerUrl['scheme'];
  return {
    ok: true,
    url: {
      scheme: s,
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : DEFAULT_PORTS[s],
      path: url.pathname || '/',
      secure: s === 'mqtts' || s === 'wss',
    },
  };
}

/** What other tools call the broker schemes (Paho, Telegraf's `servers`, HiveMQ's clients). */
const OTHER_SCHEMES: Readonly<Record<string, BrokerUrl['scheme']>> = { tcp: 'mqtt', ssl: 'mqtts', tls: 'mqtts', mqtt3: 'mqtt', mqtt5: 'mqtt', http: 'ws', https: 'wss' };

/** The URL to write instead of one with another tool's scheme, or of a bare `host:port` (which `URL` reads as scheme `host:`). */
function schemeHint(text: string, scheme: string): string {
  const ours = Object.hasOwn(OTHER_SCHEMES, scheme) ? OTHER_SCHEMES[scheme] : undefined;
  if (ours !== undefined) return `: write ${redactUrl(`${ours}${text.trim().slice(scheme.length)}`)}${ours === 'mqtts' ? ' (TLS)' : ''}`;
  if (/^[\w.-]+:\d+$/.test(text.trim())) return `: write mqtt://${text.trim()} (or mqtts://${text.trim()} for TLS)`;
  return '';
}

/** `mqtts://host:8883`, or with the path for WebSocket URLs. */
export function formatBrokerUrl(url: BrokerUrl): string {
  const host = url.host.includes(':') ? `[${url.host}]` : url.host;
  const path = url.scheme === 'ws' || url.scheme === 'wss' ? url.path : '';
  return `${url.scheme}://${host}:${url.port}${path}`;
}

/** Reads a PEM given inline (`-----BEGIN ...`) or as a file path. */
export function readPem(value: string, key: string, read: (path: string) => Buffer = readFileSync): Buffer {
  if (value.trimStart().startsWith('-----BEGIN')) return Buffer.from(value);
  try {
    return read(value);
  } catch (err) {
    throw new MqttBridgeError('TLS_FILE', `mqtt.tls.${key}: cannot read ${value} (${(err as NodeJS.ErrnoException).code ?? String(err)}); relative paths are read from the working directory ${process.cwd()}`, { cause: err });
  }
}

/** A client id for a clean session: `fieldbridge-` and 8 random hex digits. */
export function randomClientId(): string {
  return `fieldbridge-${randomBytes(4).toString('hex')}`;
}

/**
 * `options` for a connection that must leave the mapping's own session alone (`--scan`, a dry
 * run): a client id of its own (`fieldbridge-<8 hex>-<role>`) and a clean session. Under the
 * mapping's id the broker would hand it the messages queued for the bridge's persistent session
 * (acknowledged, they are gone for the bridge) and kick off a bridge running meanwhile.
 */
export function ownCleanSession<T extends IClientOptions>(options: T, role: string): T {
  const own: T = { ...options, clientId: `${randomClientId()}-${role}`, clean: true };
  if (own.properties) {
    own.properties = { ...own.properties };
    delete own.properties.sessionExpiryInterval;
  }
  return own;
}

/**
 * The mqtt.js options for a section. mqtt.js's own reconnect and resubscribe are turned off:
 * the session reconnects with backoff and jitter and restores subscriptions itself. With MQTT 5
 * the broker is told `max_packet_size` (it then discards larger messages). Reads the TLS files
 * (throws `TLS_FILE` when one cannot be read).
 */
export function buildClientOptions(config: MqttConfig, read?: (path: string) => Buffer): IClientOptions & { url: string } {
  const parsed = parseBrokerUrl(config.url);
  if (!parsed.ok) throw new MqttBridgeError('CONFIG', parsed.message);
  const { url } = parsed;
  const version = config.protocol_version ?? MQTT_DEFAULTS.protocolVersion;
  const clean = config.clean ?? MQTT_DEFAULTS.clean;
  const options: IClientOptions & { url: string } = {
    url: formatBrokerUrl(url),
    protocolVersion: version,
    clientId: config.client_id ?? randomClientId(),
    clean,
    keepalive: keepaliveS(config),
    connectTimeout: config.connect_timeout_ms ?? MQTT_DEFAULTS.connectTimeoutMs,
    reconnectPeriod: 0,
    resubscribe: false,
    // An empty value counts as none, so `username: ${MQTT_USERNAME:-}` works unset.
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: config.password } : {}),
  };
  if (version === 5) {
    options.properties = { maximumPacketSize: config.max_packet_size ?? MQTT_DEFAULTS.maxPacketBytes };
    if (!clean) options.properties.sessionExpiryInterval = sessionExpiryS(config);
  }
  if (url.secure) {
    const tls = config.tls ?? {};
    const secure = {
      rejectUnauthorized: tls.verify ?? true,
      ...(tls.ca === undefined ? {} : { ca: readPem(tls.ca, 'ca', read) }),
      ...(tls.cert === undefined ? {} : { cert: readPem(tls.cert, 'cert', read) }),
      ...(tls.key === undefined ? {} : { key: readPem(tls.key, 'key', read) }),
      ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
      ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    };
    Object.assign(options, secure);
    // mqtt.js passes only some TLS options on to the WebSocket; give it all of them.
    if (url.scheme === 'wss') options.wsOptions = { ...secure };
  }
  return options;
}

/** One line describing the connection, for `--check` and logs. Never shows the password. */
export function describeConnection(config: MqttConfig): string {
  const parsed = parseBrokerUrl(config.url);
  const where = parsed.ok ? formatBrokerUrl(parsed.url) : config.url;
  const version = (config.protocol_version ?? MQTT_DEFAULTS.protocolVersion) === 5 ? 'MQTT 5' : 'MQTT 3.1.1';
  const clean = config.clean ?? MQTT_DEFAULTS.clean;
  const parts = [version, `client id ${config.client_id ?? 'fieldbridge-<random>'}`];
  if (clean) parts.push('clean session');
  else parts.push(`persistent session${version === 'MQTT 5' ? ` (expires ${sessionExpiryS(config)} s after a disconnect)` : ''}`);
  parts.push(`keepalive ${keepaliveS(config)} s`);
  if (config.username) parts.push(`user ${config.username}${config.password ? ' with a password' : ''}`);
  if (parsed.ok && parsed.url.secure) {
    const tls = config.tls ?? {};
    const bits = [tls.ca === undefined ? 'system CAs' : `ca ${pemLabel(tls.ca)}`];
    if (tls.cert !== undefined) bits.push(`client certificate ${pemLabel(tls.cert)}`);
    if (tls.servername !== undefined) bits.push(`server name ${tls.servername}`);
    bits.push(tls.verify === false ? 'verification OFF' : 'verified');
    parts.push(`TLS: ${bits.join(', ')}`);
  }
  const r = reconnectPolicy(config.reconnect);
  parts.push(`reconnect ${r.initialMs}-${r.maxMs} ms`, `packets up to ${formatSize(config.max_packet_size ?? MQTT_DEFAULTS.maxPacketBytes)}`);
  return `broker ${where} (${parts.join(', ')})`;
}

/** The keep-alive in whole seconds, as MQTT carries it (a fraction rounds up, so it never turns 0). */
function keepaliveS(config: MqttConfig): number {
  return config.keepalive_s === undefined ? MQTT_DEFAULTS.keepaliveS : Math.ceil(config.keepalive_s / 1000);
}

function sessionExpiryS(config: MqttConfig): number {
  return config.session_expiry_s === undefined ? MQTT_DEFAULTS.sessionExpiryS : Math.round(config.session_expiry_s / 1000);
}

function pemLabel(value: string): string {
  return value.trimStart().startsWith('-----BEGIN') ? '(inline PEM)' : value;
}

/**
 * The line a dry run logs at start: the client id and clean session of its own it connects with
 * instead of the mapping's (so the broker says no session is present), and that it asks no edge
 * node for a rebirth.
 */
export function dryRunLine(config: MqttConfig, configured: IClientOptions, own: string | undefined): string {
  const instead =
    configured.clean === false
      ? `, not as ${configured.clientId} (clean: false): that persistent session, and the messages the broker queued in it, stay untouched for the bridge (so sessionPresent is false)`
      : config.client_id !== undefined
        ? `, not as ${configured.clientId}: a bridge running under that id is not kicked off`
        : '';
  const rebirth = config.subscriptions.some((s) => s.format === 'sparkplug' && s.rebirth) ? '; no Sparkplug rebirth requests (NCMD) are sent to edge nodes' : '';
  return `dry run: connecting as ${own} with a clean session${instead}${rebirth}`;
}
