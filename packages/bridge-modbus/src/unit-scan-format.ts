import { formatDuration } from '@fieldbridge/core/bridge';
import { formatConnection, type ConnectionSpec } from './connection-url.js';
import { exceptionName } from './errors.js';
import type { ScanRegister, UnitAnswer, UnitRange, UnitScanReport } from './unit-scan.js';

function registerName(register: ScanRegister): string {
  return `${register.table} ${register.address}`;
}

function countIds(range: UnitRange): number {
  return range.last - range.first + 1;
}

/** The line printed before a scan: what is asked, where, and how long it can take. */
export function scanHeading(device: string, connection: ConnectionSpec, range: UnitRange, register: ScanRegister, timeoutMs: number): string {
  const ids = range.first === range.last ? `unit id ${range.first}` : `unit ids ${range.first}-${range.last}`;
  return `device ${device}: asking ${ids} on ${formatConnection(connection)} for ${registerName(register)}, ${formatDuration(timeoutMs)} each (at most ${formatDuration(Math.ceil((countIds(range) * timeoutMs) / 1000) * 1000)})`;
}

/** One line for a unit id that answered. */
export function describeAnswer(answer: UnitAnswer, register: ScanRegister): string {
  const unit = `unit ${String(answer.unit).padStart(3)}`;
  switch (answer.kind) {
    case 'value': {
      const shown = typeof answer.value === 'boolean' ? String(answer.value) : `${answer.value} (0x${answer.value.toString(16).padStart(4, '0')})`;
      return `${unit}  answers: ${registerName(register)} = ${shown}`;
    }
    case 'exception':
      return `${unit}  answers with exception ${answer.code} ${exceptionName(answer.code)}: a device is there (it refused the read, not the id)`;
    case 'gateway':
      return `${unit}  gateway answers exception ${answer.code} ${exceptionName(answer.code)}: no device behind it answered for this id`;
    case 'garbled':
      return `${unit}  garbled answer (${answer.message}): something is there, perhaps at other serial settings`;
    case 'dropped':
      return `${unit}  the device closed the connection when asked for this id`;
  }
}

/** True for an answer that shows a device serves the id. */
export function isPresent(answer: UnitAnswer): boolean {
  return answer.kind === 'value' || answer.kind === 'exception';
}

/** The lines after a scan: which ids a device serves, and what to try when the answer is surprising. */
export function scanSummary(report: UnitScanReport): string[] {
  const present = report.answers.filter(isPresent).map((a) => a.unit);
  const lines: string[] = [];
  const asked = countIds(report.range);
  lines.push(present.length === 0 ? 'no unit id answered.' : `${present.length} of ${asked} unit ids answered: ${present.join(', ')}`);
  const { connection } = report;
  if (present.length > 1 && present.length === asked && connection.kind === 'tcp') {
    lines.push('every id answered: this device ignores the unit id (common for Modbus TCP); any unit_id reaches it, 1 or 255 by convention.');
  } else if (present.length > 0) {
    lines.push(`in the mapping, a device entry for each of them on this connection, with its unit_id (unit_id: ${present[0]}${present.length > 1 ? ', ...' : ''}).`);
  }
  const gateway = report.answers.filter((a) => a.kind === 'gateway').length;
  if (gateway > 0) lines.push(`a gateway answered for ${gateway} ids with no device behind it: check the serial side of the gateway (its baud rate, parity, wiring) if a device is missing.`);
  if (report.answers.some((a) => a.kind === 'garbled')) {
    lines.push('garbled answers: a device answered at other serial settings, or two devices share an id; check baud rate and parity against the device.');
  }
  if (present.length === 0 && gateway === 0) {
    if (connection.kind === 'rtu') {
      lines.push(
        `check the serial settings (baud ${connection.baudRate}, parity ${connection.parity}, ${connection.dataBits} data bits, ${connection.stopBits} stop bit${connection.stopBits === 1 ? '' : 's'}: the device must match), ` +
          'the A/B wires (swapped on many adapters), termination on a long line, and --scan-timeout for a slow device.',
      );
    } else {
      lines.push('the connection opened, so something listens there: a gateway to slow serial devices may need a longer --scan-timeout; a device may serve one fixed id (try 255 or 0 over TCP).');
    }
  }
  return lines;
}
