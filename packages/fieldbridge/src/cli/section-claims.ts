import { realpathSync } from 'node:fs';
import type { MultiFileConfig } from '@fieldbridge/core';

/**
 * Something a bridge section holds that no other file of the same run may hold at once: an MQTT
 * client id at a broker (the broker lets one connection have an id, so two would kick each other
 * off in turn, and a persistent session's messages would go to whichever holds it), or a serial
 * port (opened with an exclusive lock, so the second file would retry it for ever).
 */
export interface SectionClaim {
  /** Where in the file the claim is made, for the message's line and column. */
  path: (string | number)[];
  /** Equal for two claims on one thing (on one address, when `host` is given). */
  key: string;
  /**
   * A listening claim's address (a UDP port): two claims of one key clash when their hosts are
   * one, or either is every interface (`0.0.0.0`, `::`).
   */
  host?: string;
  /** Says the clash, given the other file's name. */
  clash: (otherFile: string) => string;
}

/** The claims of a file's bridge sections (MQTT client ids, Modbus RTU and MAVLink serial ports, MAVLink UDP ports listened on), each thing once. */
export function sectionClaims(config: MultiFileConfig): SectionClaim[] {
  const claims = [...mqttClaims(config.mqtt), ...modbusClaims(config.modbus), ...mavlinkClaims(config.mavlink)];
  // Devices of one file on one serial line share it: a file claims a thing once.
  return claims.filter((c, i) => claims.findIndex((o) => sameThing(o, c)) === i);
}

/** Whether two claims are on one thing: one key, and for listening claims hosts that overlap. */
export function sameThing(a: SectionClaim, b: SectionClaim): boolean {
  if (a.key !== b.key) return false;
  if (a.host === undefined || b.host === undefined) return true;
  return a.host === b.host || everyInterface(a.host) || everyInterface(b.host);
}

/** Whether a listening host is every interface. */
export const everyInterface = (host: string): boolean => host === '0.0.0.0' || host === '::' || host === '';

function mqttClaims(section: unknown): SectionClaim[] {
  if (!isRecord(section) || typeof section.url !== 'string' || typeof section.client_id !== 'string') return [];
  const id = section.client_id;
  const broker = brokerOf(section.url);
  return [
    {
      path: ['mqtt', 'client_id'],
      key: `mqtt ${broker} ${id}`,
      clash: (other) => `${id}: ${other} connects to this broker (${broker}) with this client id too: a broker lets one client hold an id at a time, so the two would kick each other off in turn; give each file its own client_id`,
    },
  ];
}

function modbusClaims(section: unknown): SectionClaim[] {
  if (!isRecord(section) || !Array.isArray(section.devices)) return [];
  return section.devices.flatMap((device: unknown, i) => {
    const connection = isRecord(device) ? device.connection : undefined;
    return typeof connection === 'string' ? serialClaim(connection, 'rtu:', ['modbus', 'devices', i, 'connection']) : [];
  });
}

function mavlinkClaims(section: unknown): SectionClaim[] {
  if (!isRecord(section) || typeof section.connection !== 'string') return [];
  return [...serialClaim(section.connection, 'serial:', ['mavlink', 'connection']), ...udpListenClaim(section.connection, ['mavlink', 'connection'])];
}

/**
 * The UDP port a `udpin://[host][:port]` connection listens on (MAVLink's defaults: every
 * interface, 14550). Port 0 (any free port) claims nothing.
 */
function udpListenClaim(connection: string, path: (string | number)[]): SectionClaim[] {
  if (!/^udpin:\/\//i.test(connection)) return [];
  let url: URL;
  try {
    url = new URL(connection.replace(/^udpin:\/\/:/i, 'udpin://0.0.0.0:'));
  } catch {
    return []; // The bridge's own check says so.
  }
  const port = url.port === '' ? 14550 : Number(url.port);
  if (port === 0) return [];
  return [
    {
      path,
      key: `udp ${port}`,
      host: url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase() || '0.0.0.0',
      clash: (other) => `${connection}: ${other} listens on UDP port ${port} too: one program at a time can (the second cannot bind it); listen in one file, or give each its own port`,
    },
  ];
}

/**
 * A serial port named by a `<scheme>//PATH[?settings]` connection (`rtu:///dev/ttyUSB0?baud=9600`,
 * `serial://COM3`), read as the bridges read it, and claimed as the device the path resolves to
 * (two names of one port clash too).
 */
function serialClaim(connection: string, scheme: string, path: (string | number)[]): SectionClaim[] {
  const prefix = `${scheme}//`;
  if (connection.slice(0, prefix.length).toLowerCase() !== prefix) return [];
  const rest = connection.slice(prefix.length);
  const mark = rest.indexOf('?');
  const device = mark < 0 ? rest : rest.slice(0, mark);
  if (device === '') return []; // The bridge's own check says so.
  return [
    {
      path,
      key: `serial ${resolved(device)}`,
      clash: (other) => `${device}: ${other} opens this serial port too: a port is opened by one program at a time (the second would retry it for ever); read the devices of one line from one file`,
    },
  ];
}

/** The device a path names through its links (`/dev/serial/by-id/...`), or the path as written when it does not exist (yet). */
function resolved(device: string): string {
  try {
    return realpathSync(device);
  } catch {
    return device;
  }
}

const DEFAULT_PORTS: Record<string, string> = { 'mqtt:': '1883', 'mqtts:': '8883', 'ws:': '80', 'wss:': '443' };

/** A broker as scheme, host, port (the scheme's default when none is written) and, over WebSocket, path. */
function brokerOf(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port || DEFAULT_PORTS[u.protocol] || '';
    const path = u.protocol === 'ws:' || u.protocol === 'wss:' ? u.pathname : '';
    return `${u.protocol}//${u.hostname.toLowerCase()}:${port}${path}`;
  } catch {
    return url; // Not a URL: the bridge's own check says so.
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
