import type { ResolvedDevice } from './resolve.js';

/**
 * What to check when a device did not answer a poll's read in time, after the timeout's own
 * words (starts with `; `, or is empty): an answer that came too late names the `timeout_ms` to
 * write; a device that has not answered once since the start is most often asked at the wrong
 * unit id (or, on a serial line, at the wrong settings), so the hint names `--scan-units`; unless
 * it replied under another transaction id (`strayTransactionId`, Modbus TCP), which is said instead.
 */
export function timeoutHint(device: Pick<ResolvedDevice, 'name' | 'unitId' | 'connection'>, answeredAfterMs: number | undefined, everAnswered: boolean, strayTransactionId?: number): string {
  if (strayTransactionId !== undefined && !everAnswered) {
    return `; it replied, but with transaction id ${strayTransactionId}, not the request's, so the reply was dropped: the device (or its gateway) does not echo the transaction id, as Modbus TCP requires; check its Modbus TCP settings and firmware`;
  }
  if (answeredAfterMs !== undefined) return `; it answered after ${answeredAfterMs} ms, too late to be used (that answer was dropped): raise timeout_ms above ${answeredAfterMs} ms`;
  if (everAnswered) return '';
  const serial = device.connection.kind === 'rtu' ? ", and the line's baud, parity and stop bits and its wiring (A/B swapped, termination)" : '';
  return `; it has not answered since the start: check unit_id ${device.unitId} (bridge-modbus --scan-units --device ${device.name} lists the unit ids that answer)${serial}`;
}
