import { emptyPortMessage, hasEmptyPort, redactUrl } from '@fieldbridge/core/bridge';

/** Listen for UDP datagrams (the usual way to receive from a vehicle or a router such as mavlink-router). */
export interface UdpInSpec {
  kind: 'udpin';
  /** Address to bind. Default `0.0.0.0`. */
  host: string;
  /** Default 14550. */
  port: number;
}

/** Send to, and receive answers from, a UDP address (a vehicle listening, e.g. SITL's `--out udpin:`). */
export interface UdpOutSpec {
  kind: 'udpout';
  host: string;
  /** Default 14550. */
  port: number;
}

/** A TCP connection to a vehicle, SITL (port 5760) or a router; reconnects when it drops. */
export interface TcpSpec {
  kind: 'tcp';
  host: string;
  /** Default 5760 (ArduPilot SITL's first serial port). */
  port: number;
}

/**
 * A TCP server that vehicles, SITL (`--serial1 tcpclient:host:port`), mavlink-router
 * (`[TcpEndpoint]`) or MAVProxy (`--out tcp:host:port`) connect to; several clients at once.
 */
export interface TcpInSpec {
  kind: 'tcpin';
  /** Address to listen on. Default `0.0.0.0`. */
  host: string;
  /** Default 5760; 0 asks the system for a free port. */
  port: number;
}

/** A serial port (USB or a telemetry radio). */
export interface SerialSpec {
  kind: 'serial';
  /** Device path, e.g. `/dev/ttyACM0`, `/dev/serial/by-id/...` or `COM3`. */
  path: string;
  /** Bits per second. Default 57600 (telemetry radios; USB ignores it). */
  baudRate: number;
}

/** Replay of a `.tlog` file (as Mission Planner and MAVProxy record them). */
export interface TlogSpec {
  kind: 'tlog';
  path: string;
  /** `fast`: as fast as it can be read; `recorded`: at the pace of the recorded timestamps. Default `fast`. */
  pace: 'fast' | 'recorded';
  /** With `recorded` pace, how many times faster than recorded. Default 1. */
  speed: number;
}

/** A parsed `connection` URL. */
export type LinkSpec = UdpInSpec | UdpOutSpec | TcpSpec | TcpInSpec | SerialSpec | TlogSpec;

/** The result of {@link parseLinkUrl}: the spec, or why the URL is refused. */
export type ParsedLink = { ok: true; spec: LinkSpec } | { ok: false; message: string };

const FORMS = 'udpin://0.0.0.0:14550, udpout://host:14550, tcp://host:5760, tcpin://0.0.0.0:5760, serial:///dev/ttyACM0?baud=57600 or tlog:///path/flight.tlog?pace=recorded';

/** Network schemes, which MAVProxy and pymavlink write without `//` (`tcpin:0.0.0.0:5760`). */
const NETWORK = new Set(['udpin', 'udpout', 'tcp', 'tcpin']);

/**
 * Parses a `connection`:
 * - `udpin://[host][:port]` listens (defaults `0.0.0.0:14550`; IPv6 as `udpin://[::]:14550`);
 * - `udpout://host[:port]` sends to a listener (port default 14550);
 * - `tcp://host[:port]` connects (port default 5760);
 * - `tcpin://[host][:port]` listens for TCP clients (defaults `0.0.0.0:5760`);
 * - `serial://PATH[?baud=57600]`, e.g. `serial:///dev/ttyACM0?baud=115200` or `serial://COM3`;
 * - `tlog://PATH[?pace=fast|recorded&speed=1]`, e.g. `tlog:///data/flight.tlog` or `tlog://./flight.tlog`.
 */
export function parseLinkUrl(url: string): ParsedLink {
  const scheme = /^([a-z]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'udpin':
    case 'udpout':
    case 'tcp':
    case 'tcpin':
      return parseNetwork(url, scheme);
    case 'serial':
      return parseSerial(url.slice('serial://'.length));
    case 'tlog':
      return parseTlog(url.slice('tlog://'.length));
    default: {
      const mavproxy = /^([a-z]+):(?!\/\/)(.+)$/i.exec(url);
      if (mavproxy && NETWORK.has(mavproxy[1]!.toLowerCase())) {
        return { ok: false, message: `"${redactUrl(url)}" is MAVProxy's spelling: write ${redactUrl(`${mavproxy[1]!.toLowerCase()}://${mavproxy[2]}`)}` };
      }
      if (/^(\/|COM\d)/i.test(url)) return { ok: false, message: bareDeviceMessage(url) };
      return { ok: false, message: `unsupported connection "${redactUrl(url)}": use ${FORMS}` };
    }
  }
}

function parseNetwork(url: string, kind: 'udpin' | 'udpout' | 'tcp' | 'tcpin'): ParsedLink {
  const listens = kind === 'udpin' || kind === 'tcpin';
  // `udpin://:14550` leaves the host out, which URL refuses: it means every interface.
  const normalized = listens ? url.replace(/^(udpin|tcpin):\/\/:/i, '$1://0.0.0.0:') : url;
  let parsed: URL;
  try {
    parsed = new URL(normalized);
  } catch {
    return { ok: false, message: `"${redactUrl(url)}" is not a valid URL (expected ${kind}://host:port)` };
  }
  const defaultPort = kind === 'tcp' || kind === 'tcpin' ? 5760 : 14550;
  if (hasEmptyPort(url)) return { ok: false, message: emptyPortMessage(url, defaultPort) };
  if (parsed.pathname !== '' && parsed.pathname !== '/') return { ok: false, message: `"${redactUrl(url)}" has a path; expected ${kind}://host:port` };
  if (parsed.search || parsed.hash || parsed.username || parsed.password) return { ok: false, message: `"${redactUrl(url)}" has parts a ${kind} connection does not use` };
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host && !listens) return { ok: false, message: `"${redactUrl(url)}" names no host (expected ${kind}://host:port)` };
  const port = parsed.port === '' ? defaultPort : Number(parsed.port);
  // Port 0 asks the system for a free port: only meaningful when listening.
  if (!Number.isInteger(port) || port > 65535 || (port === 0 && !listens)) return { ok: false, message: `"${redactUrl(url)}" has an invalid port` };
  return { ok: true, spec: { kind, host: host || '0.0.0.0', port } };
}

/** Standard baud rates, to tell `/dev/ttyUSB0:57600` (a path and a rate) from a device name that ends in digits. */
const BAUD_RATES = new Set([1200, 2400, 4800, 9600, 19200, 38400, 57600, 111100, 115200, 230400, 460800, 500000, 921600, 1000000, 1500000, 2000000, 3000000]);

/**
 * Rates a serial port is opened at: the POSIX (termios) rates and ArduPilot's `SERIALx_BAUD`
 * choices (its 111100 and 256000 among them), which cover PX4's and the telemetry radios'. A rate
 * outside them is a typo (`57000`, `5760`): the port would open and read only garbage.
 */
const SERIAL_RATES = new Set([
  50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, 111100, 115200, 230400, 256000, 460800, 500000, 921600,
  1000000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
]);

/** The refusal of a rate outside {@link SERIAL_RATES}, naming the rate meant when one is near or a digit was left out or added. */
function offStandardRate(rate: number): string {
  const meant = [...SERIAL_RATES].find((r) => Math.abs(r - rate) <= r * 0.05) ?? [rate * 10, rate / 10].find((r) => SERIAL_RATES.has(r));
  const hint = meant === undefined ? '' : `did you mean ${meant}? `;
  return `baud ${rate} is not a serial rate: ${hint}a SiK or RFD telemetry radio, and an autopilot's TELEM port, run at 57600 unless set otherwise (115200 and 921600 are usual too); at a rate the other end does not use the port reads only garbage`;
}

/**
 * A serial device written without `serial://`, as MAVProxy takes it (`--master=/dev/ttyUSB0,57600`,
 * `/dev/ttyACM0`): the form to write, with the rate given or the usual 57600.
 */
function bareDeviceMessage(url: string): string {
  const glued = /^(.+)[:,](\d+)$/.exec(url);
  if (glued && BAUD_RATES.has(Number(glued[2]))) {
    return `"${url}" is a serial device and a baud rate as MAVProxy writes them: write serial://${glued[1]}?baud=${glued[2]}`;
  }
  return `"${url}" is a serial device: write serial://${url}?baud=57600 (or the rate the autopilot or radio uses)`;
}

function parseSerial(rest: string): ParsedLink {
  const [path = '', query = ''] = rest.split('?', 2);
  if (path === '') return { ok: false, message: 'serial:// needs a device path, e.g. serial:///dev/ttyACM0?baud=57600' };
  const params = new URLSearchParams(query);
  for (const key of params.keys()) if (key !== 'baud') return { ok: false, message: `unknown serial setting "${key}" (only baud, e.g. ?baud=115200)` };
  // MAVProxy (`--master=/dev/ttyUSB0,57600`) and MAVSDK (`serial:///dev/ttyUSB0:57600`) put the
  // baud rate after the path: taken as the path, the port would never open, and 57600 would be used.
  const glued = /^(.+)[:,](\d+)$/.exec(path);
  if (glued && BAUD_RATES.has(Number(glued[2]))) {
    return { ok: false, message: `"${path}" is a device and a baud rate written together: write serial://${glued[1]}?baud=${glued[2]}` };
  }
  const baudRate = Number(params.get('baud') ?? 57600);
  if (!Number.isInteger(baudRate) || baudRate < 50 || baudRate > 4_000_000) {
    return { ok: false, message: `baud "${params.get('baud')}" is not a baud rate (e.g. 57600, 115200, 921600)` };
  }
  if (!SERIAL_RATES.has(baudRate)) return { ok: false, message: offStandardRate(baudRate) };
  return { ok: true, spec: { kind: 'serial', path: decodeURIComponent(path), baudRate } };
}

function parseTlog(rest: string): ParsedLink {
  const [path = '', query = ''] = rest.split('?', 2);
  if (path === '') return { ok: false, message: 'tlog:// needs a file path, e.g. tlog:///data/flight.tlog' };
  const params = new URLSearchParams(query);
  for (const key of params.keys()) if (key !== 'pace' && key !== 'speed') return { ok: false, message: `unknown tlog setting "${key}" (use pace=fast|recorded and speed)` };
  const pace = params.get('pace') ?? 'fast';
  if (pace !== 'fast' && pace !== 'recorded') return { ok: false, message: `pace "${pace}" must be fast or recorded` };
  const speed = Number(params.get('speed') ?? 1);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 1000) return { ok: false, message: `speed "${params.get('speed')}" must be a number above 0 and at most 1000` };
  if (params.has('speed') && pace !== 'recorded') return { ok: false, message: 'speed applies to pace=recorded only' };
  return { ok: true, spec: { kind: 'tlog', path: decodeURIComponent(path), pace, speed } };
}

/** A spec as a URL again, with every default spelled out (for logs and `--check`). */
export function formatLinkUrl(spec: LinkSpec): string {
  switch (spec.kind) {
    case 'serial':
      return `serial://${spec.path}?baud=${spec.baudRate}`;
    case 'tlog':
      return `tlog://${spec.path}?pace=${spec.pace}${spec.pace === 'recorded' ? `&speed=${spec.speed}` : ''}`;
    default:
      return `${spec.kind}://${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
  }
}
