import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMapping } from '@fieldbridge/core';
import { describeRefusals } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { describeModbus, modbusBridge } from '../src/bridge.js';
import type { ModbusConfig } from '../src/config.js';
import { modiconReference, modiconWarnings } from '../src/modicon.js';
import { section } from './helpers/mapping.js';

const example = fileURLToPath(new URL('../../../examples/modbus/map.yaml', import.meta.url));

describeRefusals(modbusBridge, new URL('./fixtures/bad/', import.meta.url), [
  ['overlap.yaml', 10, 20, 'modbus.devices[0].points[1].address', /^holding 11 overlaps points\[0\] \(holding 10-11\)/],
  ['out-of-range.yaml', 9, 20, 'modbus.devices[0].points[0].address', /uint64 at 65534 needs 4 addresses and runs past 65535/],
  ['unknown-type.yaml', 8, 61, 'modbus.devices[0].points[1].type', /unknown type; use one of bool, bit, bitfield, int8, uint8, int16, uint16, float16, int32/],
  ['string-no-length.yaml', 10, 17, 'modbus.devices[0].points[0].type', /type string needs length/],
  ['unknown-key.yaml', 6, 7, 'modbus.devices[0].pollms', /unknown key/],
  // Telegraf's name for unit_id.
  ['slave-id.yaml', 7, 7, 'modbus.devices[0].slave_id', /^unknown key \(did you mean unit_id\?\)$/],
  ['bad-connection.yaml', 5, 19, 'modbus.devices[0].connection', /parity "evn" is not one of none, even, odd/],
  ['parity-letter.yaml', 6, 19, 'modbus.devices[0].connection', /^parity "e" is not one of none, even, odd, mark, space \(did you mean parity=even\?\)$/],
  // One of the two would be used and the other ignored without a word.
  ['serial-setting-twice.yaml', 5, 19, 'modbus.devices[0].connection', /serial setting "baud" is given twice \(baud=9600, baud=19200\): keep one/],
  ['poll-too-fast.yaml', 6, 16, 'modbus.devices[0].poll_ms', /must be at least 10ms \(range 10ms\.\.1d\)/],
  ['unknown-placeholder.yaml', 7, 21, 'modbus.devices[0].points[0].metric', /unknown placeholder \{unit\}; use \{device\}, \{unit_id\}/],
  // The variable is unset, so the port is empty: refused, not read as the default 502.
  ['empty-port.yaml', 5, 19, 'modbus.devices[0].connection', /has an empty port after ":" \(an unset variable\?\)/],
  ['file-tags-crowd-unit.yaml', 2, 7, 'tags', /^the points of modbus\.devices\[0\]\.points\[1\] would carry 17 tags, more than the 16 a point may have: the file's 15 \(tags:\), device and unit \(added by the modbus bridge\)/],
  // A bitfield lies in one register: bit 12 and 8 bits would need bits 12-19.
  ['bitfield-past-bit-15.yaml', 8, 87, 'modbus.devices[0].points[1].bits', /^bits 8 from bit 12 would reach bit 19, past bit 15: a bitfield lies in one register, so bit \+ bits must be at most 16$/],
  ['int8-without-byte.yaml', 10, 17, 'modbus.devices[0].points[0].type', /^type int8 needs byte: high \(the register's first byte on the wire\) or low$/],
  // The byte is named as it arrives: a byte_order beside it would say the opposite of what is read.
  ['int8-byte-order.yaml', 8, 92, 'modbus.devices[0].points[0].byte_order', /^byte_order does not apply to uint8: byte names the byte as it arrives \(high = the register's first byte on the wire\)/],
  ['byte-misspelt.yaml', 7, 74, 'modbus.devices[0].points[0].byte', /byte must be high or low \(high = the register's first byte on the wire\)/],
  // A uint16 and parts of its register may coexist; two parts sharing bits 4-7 may not.
  ['register-parts-overlap.yaml', 9, 52, 'modbus.devices[0].points[2].address', /^holding 9 bits 4-11: points\[1\] already reads low byte of this register; points may share a register only on different bits$/],
  // A choice written in another case or misspelt: the one meant is named.
  ['type-in-capitals.yaml', 8, 60, 'modbus.devices[0].points[0].type', /^unknown type; use one of bool, .* \(did you mean float32\?\)$/],
  ['byte-order-lower-case.yaml', 6, 19, 'modbus.devices[0].byte_order', /^byte_order must be one of ABCD, BADC, CDAB, DCBA; bridge-modbus --probe shows which one gives sane numbers \(did you mean CDAB\?\)$/],
  ['table-misspelt.yaml', 7, 34, 'modbus.devices[0].points[0].table', /^table must be one of coil, discrete, input, holding \(did you mean holding\?\)$/],
  ['address-fraction.yaml', 7, 53, 'modbus.devices[0].points[0].address', /^must be a whole number \(found 1\.5\)$/],
  // A heartbeat of nothing held back: nothing to send again.
  ['max-interval-alone.yaml', 7, 66, 'modbus.devices[0].points[0].max_interval', /^max_interval applies with deadband or on_change: .* \(add on_change: true\)$/],
  ['point-tags-crowd.yaml', 9, 71, 'modbus.devices[0].points[0].tags', /^its points would carry 17 tags, more than the 16 a point may have: the file's 8 \(tags:\), 7 given here, device and unit \(added by the modbus bridge\)/],
]);

describe('examples/modbus/map.yaml', () => {
  it('loads, with the environment filling the connection', () => {
    const config = parseMapping(readFileSync(example, 'utf8'), example, modbusBridge, { MODBUS_PORT: '1502' });
    expect(config.source_id).toBe('plant-a-press1');
    expect((config.modbus as ModbusConfig).devices[0]?.connection).toBe('tcp://127.0.0.1:1502');
  });

  it('describes the planned requests for --check', () => {
    const config = parseMapping(readFileSync(example, 'utf8'), example, modbusBridge, {});
    const lines = describeModbus(config.modbus as ModbusConfig);
    expect(lines[0]).toBe('press1: unit 1 on tcp://127.0.0.1:5020, every 1000 ms (timeout 1000 ms, retries 1), 22 points in 4 requests');
    expect(lines.slice(1).map((l) => l.split(':')[0]?.trim())).toEqual(['coil 0-1', 'discrete 0-1', 'input 0-2', 'holding 0-29']);
  });

  it('names busy_retries and its wait in --check when the mapping changes them', () => {
    const devices = (busy: object) =>
      describeModbus(section({ devices: [{ name: 'm', connection: 'tcp://10.0.0.5:502', ...busy, points: [{ metric: 'a', table: 'holding', address: 0 }] }] }))[0];
    expect(devices({})).toContain('(timeout 1000 ms, retries 1), 1 point');
    expect(devices({ busy_retries: 5, busy_retries_wait: '250ms' })).toContain('(timeout 1000 ms, retries 1, busy_retries 5 250 ms apart), 1 point');
    expect(devices({ busy_retries: 0 })).toContain('(timeout 1000 ms, retries 1, busy_retries 0), 1 point');
  });
});

describe('modiconWarnings', () => {
  const device = (points: { table: string; address: number }[]) =>
    section({ devices: [{ name: 'plc', connection: 'tcp://10.0.0.5:502', points: points.map((p, i) => ({ metric: `m${i}`, ...p })) }] });

  it('reads 1xxxx, 3xxxx and 4xxxx numbers as the tables they name, counting from 1', () => {
    expect(modiconReference(40001)).toEqual({ table: 'holding', digit: 4, address: 0 });
    expect(modiconReference(30010)).toEqual({ table: 'input', digit: 3, address: 9 });
    expect(modiconReference(10001)).toEqual({ table: 'discrete', digit: 1, address: 0 });
    for (const address of [0, 1, 9999, 10000, 20001, 30000, 40000, 50000, 65535]) expect(modiconReference(address)).toBeUndefined();
  });

  it('warns at the address, each table once, a number of another table per point, and nothing for ordinary addresses', () => {
    expect(modiconWarnings(device([{ table: 'holding', address: 0 }, { table: 'coil', address: 1 }, { table: 'holding', address: 1000 }]))).toEqual([]);
    expect(modiconWarnings(device([{ table: 'holding', address: 3 }, { table: 'input', address: 30001 }]))).toEqual([
      {
        path: ['devices', 0, 'points', 1, 'address'],
        warning: true,
        message: "30001 reads like a Modicon register number (3xxxx, counting from 1): address: 30001 reads input 30001, while register 30001 of a manual is address: 0. Keep it if the device's manual gives protocol addresses",
      },
    ]);
    expect(modiconWarnings(device([1, 3, 5, 7, 9, 11].map((n) => ({ table: 'holding', address: 40000 + n }))))).toEqual([
      expect.objectContaining({ path: ['devices', 0, 'points', 0, 'address'], message: expect.stringContaining('40001 reads like a Modicon register number (4xxxx, counting from 1) (so do 40003, 40005, 40007 and 2 more of plc)') }),
    ]);
    expect(modiconWarnings(device([{ table: 'input', address: 40010 }]))).toEqual([
      { path: ['devices', 0, 'points', 0, 'address'], warning: true, message: 'input 40010 reads like Modicon register number 40010 (4xxxx), which is holding 9: check the table, and that address: 9 was not meant' },
    ]);
  });

  it('leaves a table alone when the device also reads its base address, which no Modicon number names (SunSpec from 40000)', () => {
    expect(modiconWarnings(device([{ table: 'holding', address: 40000 }, { table: 'holding', address: 40070 }]))).toEqual([]);
    // The base of one table says nothing of another.
    expect(modiconWarnings(device([{ table: 'holding', address: 40000 }, { table: 'input', address: 30001 }]))).toHaveLength(1);
  });
});
