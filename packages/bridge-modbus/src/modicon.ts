import type { SectionIssue } from '@fieldbridge/core/bridge';
import type { ModbusConfig, ModbusTable } from './config.js';

/**
 * The five-digit Modicon register numbers manuals print (`40001`): the first digit names the
 * table and the rest counts from 1, so 40001 is protocol address 0 of the holding registers.
 * Coils (`0xxxx`) are left out: written as a number, 00001 is just 1.
 */
const MODICON: readonly { table: ModbusTable; digit: number; base: number }[] = [
  { table: 'discrete', digit: 1, base: 10_000 },
  { table: 'input', digit: 3, base: 30_000 },
  { table: 'holding', digit: 4, base: 40_000 },
];

/** The protocol address a Modicon number stands for, when `address` reads as one (10001-19999, 30001-39999, 40001-49999). */
export function modiconReference(address: number): { table: ModbusTable; digit: number; address: number } | undefined {
  const range = MODICON.find((r) => address > r.base && address < r.base + 10_000);
  return range && { table: range.table, digit: range.digit, address: address - range.base - 1 };
}

/**
 * Warnings on addresses that look like Modicon register numbers (`address: 40001` where
 * `address: 0` was meant), at the point's `address`: one per device and table (at its first
 * such point, naming the others), and one per point whose number names another table than its
 * own (`table: input, address: 40001`). Warnings, not errors: devices that have registers there
 * are read at those addresses (SunSpec's start at holding 40000). A device that also reads the
 * range's first address (40000, which no Modicon number stands for) lays its registers out that
 * way, and gets no warning for that table. Pure.
 */
export function modiconWarnings(section: ModbusConfig): SectionIssue[] {
  const warnings: SectionIssue[] = [];
  section.devices.forEach((device, d) => {
    const at = (p: number): (string | number)[] => ['devices', d, 'points', p, 'address'];
    const found = new Map<ModbusTable, number[]>();
    device.points.forEach((point, p) => {
      const reference = modiconReference(point.address);
      if (!reference) return;
      if (reference.table === point.table) {
        found.set(point.table, [...(found.get(point.table) ?? []), p]);
        return;
      }
      // A 4xxxx number read from another table is a Modicon number whatever the layout.
      warnings.push({
        path: at(p),
        warning: true,
        message: `${point.table} ${point.address} reads like Modicon register number ${point.address} (${reference.digit}xxxx), which is ${reference.table} ${reference.address}: check the table, and that address: ${reference.address} was not meant`,
      });
    });
    for (const [table, indices] of found) {
      const base = MODICON.find((r) => r.table === table)!;
      if (device.points.some((point) => point.table === table && point.address === base.base)) continue;
      const addresses = indices.map((p) => device.points[p]!.address);
      const first = addresses[0]!;
      const others = addresses.length > 1 ? ` (so do ${addresses.slice(1, 4).join(', ')}${addresses.length > 4 ? ` and ${addresses.length - 4} more` : ''} of ${device.name})` : '';
      const sunspec = table === 'holding' ? ' (SunSpec devices start at 40000)' : '';
      warnings.push({
        path: at(indices[0]!),
        warning: true,
        message:
          `${first} reads like a Modicon register number (${base.digit}xxxx, counting from 1)${others}: address: ${first} reads ${table} ${first}, while register ${first} of a manual is address: ${first - base.base - 1}. ` +
          `Keep it if the device's manual gives protocol addresses${sunspec}`,
      });
    }
  });
  return warnings;
}
