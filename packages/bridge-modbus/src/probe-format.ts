import { textTable } from '@fieldbridge/core/bridge';
import { BYTE_ORDERS, type ByteOrder } from './config.js';
import { floatText } from './float-text.js';
import type { ProbeReport, ProbeValues } from './probe.js';
import { byteOrderHint, type FloatEvidence } from './probe-hint.js';

/** Options of {@link formatProbe}. */
export interface ProbeFormatOptions {
  /**
   * Print every 32-bit reading (hex, uint32, int32, float32) and the 64-bit table under each
   * byte order. Default false: one row of float32 readings per start register and no 64-bit
   * table, unless the range is {@link FULL_UP_TO} registers or fewer.
   */
  all?: boolean;
}

/** Ranges this short get every table anyway: they fit a screen. */
export const FULL_UP_TO = 4;

/** Readings the hint names at most before `and N more`. */
const NAMED_READINGS = 4;

function wideRows(entries: ProbeReport['wide32'], digits: number): string[][] {
  const rows: string[][] = [];
  for (const { address, values } of entries) {
    values.forEach((v: ProbeValues, i) => {
      rows.push([i === 0 ? String(address) : '', v.order, v.hex, String(v.unsigned), String(v.signed), marked(v, digits)]);
    });
  }
  return rows;
}

function marked(v: ProbeValues, digits: number): string {
  return `${floatText(v.float, digits)}${v.plausible ? ' *' : ''}`;
}

/** The byte order whose 32-bit floats look like measurements, when one clearly wins. */
export function likelyByteOrder(report: ProbeReport): ByteOrder | undefined {
  return byteOrderHint(report.evidence32).order;
}

/** `registers 1-2 read 21.5, 5-6 read 22.0 as DCBA`. */
function describeReadings(order: ByteOrder, readings: readonly FloatEvidence[]): string {
  const named = readings.slice(0, NAMED_READINGS).map((e) => `${e.address}-${e.address + 1} read ${floatText(e.float, 7)}`);
  const more = readings.length > NAMED_READINGS ? `, and ${readings.length - NAMED_READINGS} more` : '';
  return `registers ${named.join(', ')}${more} as ${order}`;
}

function hintLines(report: ProbeReport): string[] {
  const counts = BYTE_ORDERS.map((o) => `${o} ${report.evidence32[o].length}`).join(', ');
  const lines = [`float32 readings that look like measurements (short numbers, or in line with the reading 2 registers away), from any register: ${counts}`];
  const hint = byteOrderHint(report.evidence32);
  const look = 'look for the values you expect in the tables above';
  if (hint.order !== undefined) {
    lines.push(`if these registers hold floats, byte_order: ${hint.order} looks right (${describeReadings(hint.order, hint.evidence[0]?.readings ?? [])})`);
  } else if (hint.evidence.length > 0) {
    lines.push(`no byte order stands out, not enough evidence: ${hint.evidence.map((e) => describeReadings(e.order, e.readings)).join('; ')}; ${look}`);
  } else {
    lines.push(`no byte order stands out, not enough evidence: no float32 reading is a short number or in line with its neighbours; ${look}`);
  }
  return lines;
}

function table16(report: ProbeReport): string[] {
  const rows = report.values16.map(({ address, values }) => [
    String(address),
    ...values.flatMap((v) => [v.hex, String(v.unsigned), String(v.signed), String(v.float)]),
  ]);
  return [
    '16-bit values of each register: as sent (byte_order ABCD or CDAB), then with its two bytes swapped (BADC or DCBA):',
    ...textTable([['register', 'hex', 'uint16', 'int16', 'float16', 'swapped', 'uint16', 'int16', 'float16'], ...rows]),
  ];
}

function compact32(report: ProbeReport): string[] {
  const rows = report.wide32.map(({ address, values }) => [String(address), ...values.map((v) => marked(v, 7))]);
  return [
    'float32 starting at each register, under each byte_order (* = plausible; --probe-all adds hex, uint32, int32 and 64-bit values):',
    ...textTable([['register', ...BYTE_ORDERS], ...rows]),
  ];
}

/**
 * Renders a probe as text: each register's 16-bit values as sent (its hex is the register as it
 * arrives, the high byte first) and with its two bytes swapped, then the 32-bit readings under
 * each byte order (`*` marks plausible floats): by default one row of float32 per start
 * register, with `all` (or for a range of {@link FULL_UP_TO} registers or fewer) every 32-bit and
 * 64-bit reading; then a hint naming the likely byte order and the readings behind it.
 */
export function formatProbe(report: ProbeReport, options: ProbeFormatOptions = {}): string {
  const { range } = report;
  const last = range.address + range.count - 1;
  const all = options.all === true || range.count <= FULL_UP_TO;
  const out: string[] = [`device ${report.device} (unit ${report.unitId} on ${report.connection}), ${range.table} ${range.address}-${last}`, ''];
  out.push(...table16(report));
  if (report.wide32.length > 0 && !all) out.push('', ...compact32(report));
  if (report.wide32.length > 0 && all) {
    out.push('', '32-bit values starting at each register (* = plausible float):');
    out.push(...textTable([['register', 'order', 'hex', 'uint32', 'int32', 'float32'], ...wideRows(report.wide32, 7)]));
  }
  if (report.wide64.length > 0 && all) {
    out.push('', '64-bit values starting at each register (* = plausible float):');
    out.push(...textTable([['register', 'order', 'hex', 'uint64', 'int64', 'float64'], ...wideRows(report.wide64, 15)]));
  }
  if (report.wide32.length > 0) out.push('', ...hintLines(report));
  return `${out.join('\n')}\n`;
}
