import { textTable } from '@fieldbridge/core/bridge';
import { BYTE_ORDERS, type ByteOrder } from './config.js';
import type { ProbeReport, ProbeValues } from './probe.js';

function showFloat(v: number, digits: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}

function wideRows(entries: ProbeReport['wide32'], digits: number): string[][] {
  const rows: string[][] = [];
  for (const { address, values } of entries) {
    values.forEach((v: ProbeValues, i) => {
      rows.push([i === 0 ? String(address) : '', v.order, v.hex, String(v.unsigned), String(v.signed), `${showFloat(v.float, digits)}${v.plausible ? ' *' : ''}`]);
    });
  }
  return rows;
}

/** The byte order whose 32-bit floats look plausible most often, when one clearly wins. */
export function likelyByteOrder(report: ProbeReport): ByteOrder | undefined {
  const ranked = [...BYTE_ORDERS].sort((a, b) => report.plausible32[b] - report.plausible32[a]);
  const [best, second] = ranked;
  if (best === undefined || report.plausible32[best] === 0) return undefined;
  return second !== undefined && report.plausible32[second] === report.plausible32[best] ? undefined : best;
}

/**
 * Renders a probe as text: each register's 16-bit values as sent (`AB`: its hex is the register
 * as it arrives, the high byte first) and with its two bytes swapped (`BA`), then every 32-bit
 * and 64-bit reading under each byte order (`*` marks plausible floats), then a hint naming the
 * likely byte order.
 */
export function formatProbe(report: ProbeReport): string {
  const { range } = report;
  const last = range.address + range.count - 1;
  const out: string[] = [`device ${report.device} (unit ${report.unitId} on ${report.connection}), ${range.table} ${range.address}-${last}`, ''];
  out.push('16-bit values of each register (AB = as sent, byte_order ABCD or CDAB; BA = bytes swapped, BADC or DCBA):');
  const rows16 = report.values16.flatMap(({ address, values }) =>
    values.map((v, i) => [i === 0 ? String(address) : '', v.order, v.hex, String(v.unsigned), String(v.signed), String(v.float)]),
  );
  out.push(...textTable([['register', 'order', 'hex', 'uint16', 'int16', 'float16'], ...rows16]));
  if (report.wide32.length > 0) {
    out.push('', '32-bit values starting at each register (* = plausible float):');
    out.push(...textTable([['register', 'order', 'hex', 'uint32', 'int32', 'float32'], ...wideRows(report.wide32, 7)]));
  }
  if (report.wide64.length > 0) {
    out.push('', '64-bit values starting at each register (* = plausible float):');
    out.push(...textTable([['register', 'order', 'hex', 'uint64', 'int64', 'float64'], ...wideRows(report.wide64, 15)]));
  }
  if (report.wide32.length > 0) {
    const counts = BYTE_ORDERS.map((o) => `${o} ${report.plausible32[o]}/${report.aligned32}`).join(', ');
    const likely = likelyByteOrder(report);
    out.push('', `plausible non-zero float32 readings at ${range.address}, ${range.address + 2}, ...: ${counts}`);
    out.push(likely ? `if these registers hold floats, byte_order: ${likely} looks right` : 'no byte order stands out; look for the values you expect in the tables above');
  }
  return `${out.join('\n')}\n`;
}
