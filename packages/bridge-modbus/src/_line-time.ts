import { formatDuration, type SectionIssue } from '@fieldbridge/core/bridge';
import type { ModbusDeviceConfig } from './config.js';
import type { RtuConnection, RtuOverTcpConnection } from './connection-url.js';
import { isBitTable } from './decode.js';
import { describeRequest, planRequests, type ReadRequest } from './plan.js';
import { resolveDevice } from './resolve.js';

/** Bytes of a read request on an RTU line: unit, function, address, count, CRC. */
const REQUEST_BYTES = 8;

/** Bytes of the answer to `request` on an RTU line: unit, function, byte count, the data, CRC. */
function answerBytes(request: Pick<ReadRequest, 'table' | 'count'>): number {
  const data = isBitTable(request.table) ? Math.ceil(request.count / 8) : 2 * request.count;
  return 5 + data;
}

/**
 * Bits one character takes on the line: a start bit, the data bits, parity, the stop bits. Behind
 * a converter (`rtu+tcp`) only its baud rate is known: 10 bits (8N1, the fewest), so that the
 * warning below is given only where every framing would time out.
 */
function bitsPerCharacter(line: RtuConnection | RtuOverTcpConnection): number {
  if (line.kind === 'rtu+tcp') return 10;
  return 1 + line.dataBits + (line.parity === 'none' ? 0 : 1) + line.stopBits;
}

/**
 * A warning for an RTU device whose longest request and answer take longer on the line than its
 * `timeout_ms` (a 125-register answer takes 2.3 s at 1200 baud, over the default 1 s): every such
 * read would time out however well the device answers. Undefined when they fit, for a device
 * on TCP or behind a converter whose `?baud=` is not given (no baud rate to know), or for one whose
 * mapping has errors said elsewhere.
 */
export function lineTimeWarning(device: ModbusDeviceConfig, at: (string | number)[]): SectionIssue | undefined {
  let resolved;
  try {
    resolved = resolveDevice(device);
  } catch {
    return undefined;
  }
  const line = resolved.connection;
  if (line.kind === 'tcp' || line.baudRate === undefined || resolved.points.length === 0) return undefined;
  const baudRate = line.baudRate;
  const longest = planRequests(resolved.points, resolved).reduce<ReadRequest | undefined>((a, r) => (a === undefined || answerBytes(r) > answerBytes(a) ? r : a), undefined);
  if (longest === undefined) return undefined;
  const ms = ((REQUEST_BYTES + answerBytes(longest)) * bitsPerCharacter(line) * 1000) / baudRate;
  if (ms < resolved.timeoutMs) return undefined;
  const enough = Math.ceil((ms * 1.5) / 100) * 100;
  return {
    path: [...at, device.timeout_ms === undefined ? 'connection' : 'timeout_ms'],
    warning: true,
    message:
      `at ${baudRate} baud, ${describeRequest(longest)} and its answer take ${formatDuration(Math.round(ms / 10) * 10)} on the line, ` +
      `not less than timeout_ms ${formatDuration(resolved.timeoutMs)}: every such read would time out; set timeout_ms: ${formatDuration(enough)} (or lower max_registers, or raise the baud rate on the device and here)`,
  };
}
