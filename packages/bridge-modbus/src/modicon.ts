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
 * Notes for `--check` on addresses that look like Modicon register numbers (`address: 40001`
 * where `address: 0` was meant): one per device and table, and one per point whose number names
 * another table than its own (`table: input, address: 40001`). Not errors: devices that have
 * registers there are read at those addresses (SunSpec's start at holding 40000). A device that
 * also reads the range's first address (40000, which no Modicon number stands for) lays its
 * registers out that way, and gets no note for that table. Pure.
 */
export function modiconNotes(section: ModbusConfig): string[] {
  const notes: string[] = [];
  section.devices.forEach((device, d) => {
    const found = new Map<ModbusTable, number[]>();
    for (const point of device.points) {
      const reference = modiconReference(point.address);
      if (!reference) continue;
      if (reference.table === point.table) {
        found.set(point.table, [...(found.get(point.table) ?? []), point.address]);
        continue;
      }
      // A 4xxxx number read from another table is a Modicon number whatever the layout.
      notes.push(
        `note: devices[${d}] (${device.name}) ${point.table} ${point.address} reads like Modicon register number ${point.address} ` +
          `(${reference.digit}xxxx), which is ${reference.table} ${reference.address}: check the table, and that address: ${reference.address} was not meant`,
      );
    }
    for (const [table, addresses] of found) {
      const base = MODICON.find((r) => r.table === table)!;
      if (device.points.some((point) => point.table === table && point.address === base.base)) continue;
      const first = addresses[0]!;
      const shown = addresses.slice(0, 3).join(', ') + (addresses.length > 3 ? ` and ${addresses.length - 3} more` : '');
      const one = addresses.length === 1;
      const sunspec = table === 'holding' ? ' (SunSpec devices start at 40000)' : '';
      notes.push(
        `note: devices[${d}] (${device.name}) ${table} ${shown} ${one ? 'reads like a Modicon register number' : 'read like Modicon register numbers'} ` +
          `(${base.digit}xxxx, counting from 1): address: ${first} reads ${table} ${first}, while register ${first} of a manual is address: ${first - base.base - 1}. ` +
          `Keep ${one ? 'it' : 'them'} if the device's manual gives protocol addresses${sunspec}`,
      );
    }
  });
  return notes;
}
