import { emptyPortMessage, hasEmptyPort, redactUrl } from '@fieldbridge/core/bridge';

/** Serial parity, as serialport names it. */
export type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space';

/** Modbus TCP (MBAP framing) to `host:port`. */
export interface TcpConnection {
  kind: 'tcp';
  host: string;
  /** Default 502. */
  port: number;
}

/** Modbus RTU frames over a TCP socket (a serial-to-Ethernet converter in transparent mode). */
export interface RtuOverTcpConnection {
  kind: 'rtu+tcp';
  host: string;
  /** Default 502. */
  port: number;
  /**
   * The converter's serial-side bits per second (`?baud=`), which sets the silence kept between
   * an answer and the next request; absent: the 1.75 ms every line above 19200 baud needs.
   */
  baudRate?: number;
}

/** Modbus RTU over a local serial port. */
export interface RtuConnection {
  kind: 'rtu';
  /** Device path, e.g. `/dev/ttyUSB0` or `COM3`. */
  path: string;
  /** Bits per second. Default 9600. */
  baudRate: number;
  /** Default `none`. */
  parity: Parity;
  /** 5 to 8. Default 8. */
  dataBits: 5 | 6 | 7 | 8;
  /** 1, 1.5 or 2. Default 1. */
  stopBits: 1 | 1.5 | 2;
}

/** A parsed `connection` URL. */
export type ConnectionSpec = TcpConnection | RtuOverTcpConnection | RtuConnection;

/** The result of {@link parseConnection}: the spec, or why the URL is refused. */
export type ParsedConnection = { ok: true; spec: ConnectionSpec } | { ok: false; message: string };

const PARITIES: readonly Parity[] = ['none', 'even', 'odd', 'mark', 'space'];
const SERIAL_KEYS = ['baud', 'parity', 'data_bits', 'stop_bits'];

/**
 * Parses a device's `connection`:
 * - `tcp://host[:port]` (port default 502; IPv6 as `tcp://[::1]:502`),
 * - `rtu+tcp://host[:port][?baud=9600]` (RTU framing over TCP, port default 502; `baud`: the
 *   converter's serial side, for the silence between frames),
 * - `rtu://PATH[?baud=9600&parity=none&data_bits=8&stop_bits=1]`, e.g.
 *   `rtu:///dev/ttyUSB0?baud=19200&parity=even` or `rtu://COM3`.
 */
export function parseConnection(url: string): ParsedConnection {
  const scheme = /^([a-z+]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'tcp' || scheme === 'rtu+tcp') return parseNetwork(url, scheme);
  if (scheme === 'rtu') return parseSerial(url.slice('rtu://'.length));
  return { ok: false, message: `unsupported connection "${redactUrl(url)}": use tcp://host:port, rtu:///dev/ttyX?baud=9600 or rtu+tcp://host:port` };
}

function parseNetwork(url: string, kind: 'tcp' | 'rtu+tcp'): ParsedConnection {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/^rtu\+tcp:/i, 'tcp:'));
  } catch {
    return { ok: false, message: `"${redactUrl(url)}" is not a valid URL (expected ${kind}://host:port)` };
  }
  if (!parsed.hostname) return { ok: false, message: `"${redactUrl(url)}" names no host (expected ${kind}://host:port)` };
  if (hasEmptyPort(url)) return { ok: false, message: emptyPortMessage(url, 502) };
  if (parsed.pathname !== '' && parsed.pathname !== '/') return { ok: false, message: `"${redactUrl(url)}" has a path; expected ${kind}://host:port` };
  const query = kind === 'rtu+tcp' ? converterBaud(parsed.searchParams) : undefined;
  if (query && !query.ok) return query;
  if ((parsed.search && kind === 'tcp') || parsed.hash || parsed.username || parsed.password) return { ok: false, message: `"${redactUrl(url)}" has parts a ${kind} connection does not use` };
  const port = parsed.port === '' ? 502 : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1) return { ok: false, message: `"${redactUrl(url)}" has an invalid port` };
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (kind === 'rtu+tcp' && query?.baudRate !== undefined) return { ok: true, spec: { kind, host, port, baudRate: query.baudRate } };
  return { ok: true, spec: { kind, host, port } };
}

/** Parses a baud rate setting; undefined when it is not one. */
function parseBaud(value: string | null): number | undefined {
  const baudRate = Number(value ?? 9600);
  return Number.isInteger(baudRate) && baudRate >= 50 && baudRate <= 4_000_000 ? baudRate : undefined;
}

const NOT_A_BAUD = (value: string | null): string => `baud "${value}" is not a baud rate (e.g. 9600, 19200, 115200)`;

/** The one setting `rtu+tcp://` takes: `baud`, the converter's serial side (its other settings are made on the converter). */
function converterBaud(params: URLSearchParams): { ok: true; baudRate?: number } | { ok: false; message: string } {
  const keys = [...params.keys()];
  const other = keys.find((k) => k !== 'baud');
  if (other !== undefined) {
    const why = SERIAL_KEYS.includes(other) ? 'parity, data bits and stop bits are set on the converter' : `unknown setting "${other}"`;
    return { ok: false, message: `rtu+tcp:// takes only baud (the converter's serial speed, for the silence between frames): ${why}` };
  }
  if (keys.length > 1) return { ok: false, message: `setting "baud" is given twice (${params.getAll('baud').map((v) => `baud=${v}`).join(', ')}): keep one` };
  if (keys.length === 0) return { ok: true };
  const baudRate = parseBaud(params.get('baud'));
  return baudRate === undefined ? { ok: false, message: NOT_A_BAUD(params.get('baud')) } : { ok: true, baudRate };
}

function parseSerial(rest: string): ParsedConnection {
  const mark = rest.indexOf('?');
  const path = mark < 0 ? rest : rest.slice(0, mark);
  const query = mark < 0 ? '' : rest.slice(mark + 1);
  if (path === '') return { ok: false, message: 'rtu:// needs a serial port path, e.g. rtu:///dev/ttyUSB0?baud=19200' };
  if (/[&=]/.test(path)) return { ok: false, message: `serial port path "${path}" holds settings: they go after a "?", e.g. rtu:///dev/ttyUSB0?baud=19200&parity=even` };
  // A second "?" (`?baud=9600?parity=even`) would otherwise be read as part of the baud rate or
  // parity, or a setting after it lost without a word.
  if (query.includes('?')) return { ok: false, message: `serial settings are joined with "&", not "?": rtu://${path}?${query.replaceAll('?', '&')}` };
  let device: string;
  try {
    device = decodeURIComponent(path);
  } catch {
    return { ok: false, message: `serial port path "${path}" has a "%" that is not an escape such as %20` };
  }
  const params = new URLSearchParams(query);
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!SERIAL_KEYS.includes(key)) return { ok: false, message: `unknown serial setting "${key}" (use ${SERIAL_KEYS.join(', ')})` };
    // URLSearchParams keeps every copy and get() returns the first: one of two would be ignored.
    if (seen.has(key)) return { ok: false, message: `serial setting "${key}" is given twice (${params.getAll(key).map((v) => `${key}=${v}`).join(', ')}): keep one` };
    seen.add(key);
  }
  const baudRate = parseBaud(params.get('baud'));
  if (baudRate === undefined) return { ok: false, message: NOT_A_BAUD(params.get('baud')) };
  const parity = (params.get('parity') ?? 'none').toLowerCase() as Parity;
  if (!PARITIES.includes(parity)) {
    // `E`, as in 8E1, stands for even.
    const meant = parity.length === 1 ? PARITIES.find((p) => p.startsWith(parity)) : undefined;
    return { ok: false, message: `parity "${parity}" is not one of ${PARITIES.join(', ')}${meant === undefined ? '' : ` (did you mean parity=${meant}?)`}` };
  }
  const dataBits = Number(params.get('data_bits') ?? 8);
  if (dataBits !== 5 && dataBits !== 6 && dataBits !== 7 && dataBits !== 8) {
    return { ok: false, message: `data_bits "${params.get('data_bits')}" must be 5, 6, 7 or 8` };
  }
  const stopBits = Number(params.get('stop_bits') ?? 1);
  if (stopBits !== 1 && stopBits !== 1.5 && stopBits !== 2) {
    return { ok: false, message: `stop_bits "${params.get('stop_bits')}" must be 1, 1.5 or 2` };
  }
  return { ok: true, spec: { kind: 'rtu', path: device, baudRate, parity, dataBits, stopBits } };
}

/**
 * The physical line a connection uses: devices with the same key share one client and take
 * turns on it. Serial ports are keyed by path alone, so two devices on one port with different
 * serial settings can be detected.
 */
export function lineKey(spec: ConnectionSpec): string {
  if (spec.kind === 'rtu') return `serial:${spec.path}`;
  return `net:${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
}

/** A connection as a URL again, with every default spelled out (for logs and `--check`). */
export function formatConnection(spec: ConnectionSpec): string {
  if (spec.kind === 'rtu') {
    return `rtu://${spec.path}?baud=${spec.baudRate}&parity=${spec.parity}&data_bits=${spec.dataBits}&stop_bits=${spec.stopBits}`;
  }
  const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
  const baud = spec.kind === 'rtu+tcp' && spec.baudRate !== undefined ? `?baud=${spec.baudRate}` : '';
  return `${spec.kind}://${host}:${spec.port}${baud}`;
}
