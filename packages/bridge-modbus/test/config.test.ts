import { describe, expect, it } from 'vitest';
import { modbusConfigSchema } from '../src/config.js';
import { formatConnection, parseConnection } from '../src/connection-url.js';
import { resolveConfig } from '../src/resolve.js';
import { issues } from './helpers/mapping.js';

const device = (extra: Record<string, unknown> = {}, points: unknown[] = [{ metric: 'x', table: 'holding', address: 0 }]) => ({
  devices: [{ name: 'plc', connection: 'tcp://10.0.0.5:502', ...extra, points }],
});

describe('modbusConfigSchema and checkModbus', () => {
  it('accepts a minimal device and applies defaults when resolved', () => {
    const [d] = resolveConfig(modbusConfigSchema.parse(device()));
    expect(d).toMatchObject({ unitId: 1, pollMs: 1000, timeoutMs: 1000, retries: 1, maxGap: 10, maxRegisters: 125 });
    expect(d?.points[0]).toMatchObject({ type: 'uint16', byteOrder: 'ABCD', scale: 1, offset: 0, tags: { device: 'plc' } });
  });

  it('reads durations with their unit or as a number in the key\'s unit, and refuses them out of range', () => {
    const [d] = resolveConfig(modbusConfigSchema.parse(device({ poll_ms: '2.5s', timeout_ms: 250, reconnect: { initial_ms: '100ms', max_ms: '1m' } })));
    expect(d).toMatchObject({ pollMs: 2500, timeoutMs: 250, reconnect: { initialMs: 100, maxMs: 60_000 } });
    const [s] = resolveConfig(modbusConfigSchema.parse({ ...device(), reconnect: { max_ms: '5s' } }));
    expect(s?.reconnect).toEqual({ initialMs: 500, maxMs: 5000 });
    expect(issues(device({ poll_ms: '5ms' }))).toEqual([{ path: 'devices.0.poll_ms', message: 'must be at least 10ms (range 10ms..1d)' }]);
    expect(issues(device({ timeout_ms: '1h' }))).toEqual([{ path: 'devices.0.timeout_ms', message: 'must be at most 10m (range 10ms..10m)' }]);
    expect(issues(device({ poll_ms: 'soon' }))[0]?.message).toMatch(/expected a duration such as 500ms, 30s/);
    expect(issues(device({ reconnect: { initial_ms: '2s', max_ms: '1s' } }))).toEqual([{ path: 'devices.0.reconnect.initial_ms', message: 'initial_ms must not exceed max_ms' }]);
  });

  it('refuses more than 16 tags, as the ingest service would', () => {
    const tags = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`t${i}`, 'x']));
    expect(issues(device({ tags }))[0]).toMatchObject({ path: 'devices.0.tags', message: expect.stringMatching(/at most 16 tags/) });
  });

  it('refuses unknown keys', () => {
    expect(issues({ ...device(), extra: 1 })[0]?.message).toMatch(/extra/);
    expect(issues(device({ pol_ms: 5 }))[0]).toMatchObject({ path: 'devices.0' });
  });

  it('refuses an unknown type at the type key', () => {
    expect(issues(device({}, [{ metric: 'x', table: 'holding', address: 0, type: 'float' }]))).toEqual([
      { path: 'devices.0.points.0.type', message: expect.stringMatching(/unknown type; use one of bool, bit, bitfield, int8, uint8, int16, uint16, float16, int32/) },
    ]);
  });

  it('refuses a string without length', () => {
    expect(issues(device({}, [{ metric: 's', table: 'holding', address: 0, type: 'string' }]))).toEqual([
      { path: 'devices.0.points.0.type', message: 'type string needs length (registers to read, 2 characters each)' },
    ]);
  });

  it('refuses overlapping addresses at the later point', () => {
    const found = issues(device({}, [
      { metric: 'a', table: 'holding', address: 10, type: 'float32' },
      { metric: 'b', table: 'holding', address: 11 },
    ]));
    expect(found).toEqual([{ path: 'devices.0.points.1.address', message: expect.stringMatching(/holding 11 overlaps points\[0\] \(holding 10-11\)/) }]);
  });

  it('refuses two points of a device under one metric name and the same tags, at the later one', () => {
    const found = issues(device({}, [
      { metric: 'speed', table: 'holding', address: 0 },
      { metric: 'speed', table: 'holding', address: 1, tags: { motor: '2' } },
      { metric: '{device}.speed', table: 'holding', address: 2 },
      { metric: 'speed', table: 'input', address: 3 },
    ]));
    expect(found).toEqual([{ path: 'devices.0.points.3.metric', message: '"speed" is already the metric of points[0] with the same tags: the two values would mix in one series; give one another name or a tag' }]);
  });

  it('lets bit points sit in any register, also one read whole, but not on the same bit', () => {
    const ok = device({}, [
      { metric: 'w', table: 'holding', address: 5 },
      { metric: 'b0', table: 'holding', address: 5, type: 'bit', bit: 0 },
      { metric: 'b1', table: 'holding', address: 5, type: 'bit', bit: 1 },
      { metric: 'c', table: 'coil', address: 5 },
      // A bit of the second register of a float32.
      { metric: 'f', table: 'holding', address: 20, type: 'float32' },
      { metric: 'f.flag', table: 'holding', address: 21, type: 'bit', bit: 15 },
    ]);
    expect(issues(ok)).toEqual([]);
    // Whole-register points may not overlap one another, whichever comes first.
    const whole = device({}, [
      { metric: 'w', table: 'holding', address: 5, type: 'bit', bit: 0 },
      { metric: 'u', table: 'holding', address: 5 },
      { metric: 'i', table: 'holding', address: 4, type: 'int32' },
    ]);
    expect(issues(whole)).toEqual([{ path: 'devices.0.points.2.address', message: expect.stringMatching(/^holding 4-5 overlaps points\[1\] \(holding 5\)/) }]);
    const clash = device({}, [
      { metric: 'b0', table: 'holding', address: 5, type: 'bit', bit: 3 },
      { metric: 'b0again', table: 'holding', address: 5, type: 'bit', bit: 3 },
    ]);
    expect(issues(clash).map((i) => i.path)).toEqual(['devices.0.points.1.address']);
  });

  it('lets int8, uint8, bitfield and bit points share a register on different bits, beside one read whole', () => {
    const ok = device({}, [
      { metric: 'word', table: 'holding', address: 5 },
      { metric: 'mode', table: 'holding', address: 5, type: 'uint8', byte: 'high', scale: 2, deadband: 1 },
      { metric: 'state', table: 'holding', address: 5, type: 'bitfield', bit: 0, bits: 4, offset: -1, deadband: 1 },
      { metric: 'flag', table: 'holding', address: 5, type: 'bit', bit: 4 },
      { metric: 'trim', table: 'holding', address: 6, type: 'int8', byte: 'low', scale: 0.5 },
      { metric: 'all', table: 'holding', address: 7, type: 'bitfield', bit: 0, bits: 16 },
      { metric: 'half', table: 'holding', address: 8, type: 'float16', byte_order: 'BADC', scale: 10, deadband: 0.5 },
    ]);
    expect(issues(ok)).toEqual([]);
    const clash = (points: unknown[], order?: string) => issues(device(order ? { byte_order: order } : {}, points)).map((i) => i.message);
    expect(clash([
      { metric: 'mode', table: 'holding', address: 5, type: 'uint8', byte: 'low' },
      { metric: 'flag', table: 'holding', address: 5, type: 'bit', bit: 7 },
    ])).toEqual(['holding 5 bit 7: points[0] already reads low byte of this register; points may share a register only on different bits']);
    // Under BADC bit 7 of the register is the first byte's on the wire: it lies in the high byte.
    expect(clash([
      { metric: 'mode', table: 'holding', address: 5, type: 'uint8', byte: 'low' },
      { metric: 'flag', table: 'holding', address: 5, type: 'bit', bit: 7 },
    ], 'BADC')).toEqual([]);
    expect(clash([
      { metric: 'a', table: 'holding', address: 5, type: 'bitfield', bit: 0, bits: 4 },
      { metric: 'b', table: 'holding', address: 5, type: 'bitfield', bit: 3, bits: 2 },
    ])).toEqual(['holding 5 bits 3-4: points[0] already reads bits 0-3 of this register; points may share a register only on different bits']);
    // Two float16 points are whole registers, as two uint16 are.
    expect(clash([
      { metric: 'a', table: 'holding', address: 5, type: 'float16' },
      { metric: 'b', table: 'holding', address: 5, type: 'int16' },
    ])).toEqual([expect.stringMatching(/^holding 5 overlaps points\[0\] \(holding 5\); only points reading part of a register \(bit, bitfield, int8, uint8\) may share one/)]);
  });

  it('refuses bit, bits and byte where they do not fit, with what to write', () => {
    const found = issues(device({}, [
      { metric: 'a', table: 'holding', address: 0, type: 'bitfield', bits: 3 },
      { metric: 'b', table: 'holding', address: 1, type: 'bitfield', bit: 2 },
      { metric: 'c', table: 'holding', address: 2, type: 'bit', bit: 2, bits: 3 },
      { metric: 'd', table: 'holding', address: 3, type: 'uint16', byte: 'low' },
      { metric: 'e', table: 'holding', address: 4, type: 'uint8', byte: 'low', bit: 3 },
      { metric: 'f', table: 'holding', address: 5, type: 'uint8' },
      { metric: 'g', table: 'holding', address: 6, type: 'int8', byte: 'high', byte_order: 'ABCD' },
      { metric: 'h', table: 'holding', address: 7, type: 'bitfield', bit: 15, bits: 2 },
      { metric: 'i', table: 'coil', address: 8, type: 'int8', byte: 'high' },
    ]));
    expect(found).toEqual([
      { path: 'devices.0.points.0.type', message: 'type bitfield needs bit (its lowest bit, 0-15, 0 = least significant) and bits (how many)' },
      { path: 'devices.0.points.1.type', message: 'type bitfield needs bits (how many bits from bit 2 up)' },
      { path: 'devices.0.points.2.bits', message: 'bits applies to type bitfield only (type: bitfield, bit: N, bits: W reads bits N to N+W-1 as an unsigned integer)' },
      { path: 'devices.0.points.3.byte', message: 'byte applies to types int8 and uint8 only' },
      { path: 'devices.0.points.4.bit', message: 'bit applies to types bit and bitfield only' },
      { path: 'devices.0.points.5.type', message: "type uint8 needs byte: high (the register's first byte on the wire) or low" },
      { path: 'devices.0.points.6.byte_order', message: expect.stringMatching(/^byte_order does not apply to int8/) },
      { path: 'devices.0.points.7.bits', message: expect.stringMatching(/^bits 2 from bit 15 would reach bit 16, past bit 15/) },
      { path: 'devices.0.points.8.type', message: 'table coil holds single bits: use type bool (or omit type)' },
    ]);
    expect(issues(device({}, [{ metric: 'x', table: 'holding', address: 0, type: 'bitfield', bit: 0, bits: 17 }]))[0]?.path).toBe('devices.0.points.0.bits');
  });

  it('refuses addresses out of range, including a wide value running past 65535', () => {
    expect(issues(device({}, [{ metric: 'x', table: 'holding', address: 70000 }]))[0]?.path).toBe('devices.0.points.0.address');
    expect(issues(device({}, [{ metric: 'x', table: 'holding', address: 65534, type: 'float64' }]))).toEqual([
      { path: 'devices.0.points.0.address', message: 'float64 at 65534 needs 4 addresses and runs past 65535' },
    ]);
  });

  it('refuses types that do not fit their table and keys that do not fit their type', () => {
    const found = issues(device({}, [
      { metric: 'a', table: 'coil', address: 0, type: 'uint16' },
      { metric: 'b', table: 'holding', address: 1, type: 'bool' },
      { metric: 'c', table: 'holding', address: 2, type: 'bit' },
      { metric: 'd', table: 'holding', address: 3, length: 2 },
      { metric: 'e', table: 'coil', address: 4, scale: 2 },
      { metric: 'f', table: 'holding', address: 5, scale: 0 },
    ]));
    expect(found.map((i) => i.path)).toEqual([
      'devices.0.points.0.type',
      'devices.0.points.1.type',
      'devices.0.points.2.type',
      'devices.0.points.3.length',
      'devices.0.points.4.scale',
      'devices.0.points.5.scale',
    ]);
  });

  it('refuses unknown metric placeholders and duplicate device names', () => {
    expect(issues(device({}, [{ metric: '{plc}.x', table: 'holding', address: 0 }]))).toEqual([
      { path: 'devices.0.points.0.metric', message: 'unknown placeholder {plc}; use {device}, {unit_id}, {table}, {address}' },
    ]);
    const twice = { devices: [...device().devices, ...device().devices] };
    expect(issues(twice)).toEqual([{ path: 'devices.1.name', message: 'device name "plc" is already used by devices[0]' }]);
  });

  it('refuses an address past 65535, naming what a six-digit Modicon number (400001) stands for', () => {
    const at = (table: string, address: number) => issues(device({}, [{ metric: 'x', table, address }]));
    expect(at('holding', 400001)).toEqual([
      { path: 'devices.0.points.0.address', message: 'must be at most 65535 (found 400001): 400001 reads like a six-digit Modicon register number, which is address: 0 of table holding' },
    ]);
    expect(at('input', 300100)[0]?.message).toMatch(/which is address: 99 of table input$/);
    for (const address of [65536, 200001, 465538]) expect(at('holding', address)).toEqual([{ path: 'devices.0.points.0.address', message: `must be at most 65535 (found ${address})` }]);
  });

  it('refuses bad connections, RTU unit 0 and serial settings that disagree on one port', () => {
    expect(issues(device({ connection: 'udp://x' }))[0]?.path).toBe('devices.0.connection');
    expect(issues(device({ connection: 'rtu:///dev/ttyUSB0?baud=fast' }))[0]?.message).toMatch(/baud "fast"/);
    expect(issues(device({ connection: 'rtu:///dev/ttyUSB0', unit_id: 0 }))[0]?.path).toBe('devices.0.unit_id');
    const shared = {
      devices: [
        { name: 'a', connection: 'rtu:///dev/ttyUSB0?baud=19200', unit_id: 1, points: [{ metric: 'x', table: 'holding', address: 0 }] },
        { name: 'b', connection: 'rtu:///dev/ttyUSB0?baud=9600', unit_id: 2, points: [{ metric: 'x', table: 'holding', address: 0 }] },
      ],
    };
    expect(issues(shared)).toEqual([{ path: 'devices.1.connection', message: expect.stringMatching(/same line/) }]);
  });

  it('fills {device} and the other placeholders, and tags unit', () => {
    const [d] = resolveConfig(modbusConfigSchema.parse(device({ unit_id: 7, tags: { line: 'l1' } }, [
      { metric: '{device}.u{unit_id}.{table}.{address}', table: 'input', address: 3, unit: 'bar', tags: { kind: 'p' } },
    ])));
    expect(d?.points[0]).toMatchObject({ metric: 'plc.u7.input.3', tags: { device: 'plc', unit: 'bar', line: 'l1', kind: 'p' } });
  });
});

describe('parseConnection', () => {
  it('parses the three URL forms with their defaults', () => {
    expect(parseConnection('tcp://10.0.0.5')).toEqual({ ok: true, spec: { kind: 'tcp', host: '10.0.0.5', port: 502 } });
    expect(parseConnection('tcp://[::1]:1502')).toEqual({ ok: true, spec: { kind: 'tcp', host: '::1', port: 1502 } });
    expect(parseConnection('rtu+tcp://gw.local:4001')).toEqual({ ok: true, spec: { kind: 'rtu+tcp', host: 'gw.local', port: 4001 } });
    expect(parseConnection('rtu:///dev/ttyUSB0?baud=19200&parity=even')).toEqual({
      ok: true,
      spec: { kind: 'rtu', path: '/dev/ttyUSB0', baudRate: 19200, parity: 'even', dataBits: 8, stopBits: 1 },
    });
    expect(parseConnection('rtu://COM3?data_bits=7&stop_bits=2')).toMatchObject({ ok: true, spec: { path: 'COM3', dataBits: 7, stopBits: 2 } });
  });

  it('explains what is wrong', () => {
    expect(parseConnection('rtu:///dev/x?speed=9600')).toEqual({ ok: false, message: expect.stringMatching(/unknown serial setting "speed"/) });
    expect(parseConnection('tcp://host:99999')).toMatchObject({ ok: false });
    expect(parseConnection('tcp://host/path')).toMatchObject({ ok: false });
    for (const empty of ['tcp://host:', 'rtu+tcp://host:', 'tcp://[::1]:', 'tcp://host:/']) expect(parseConnection(empty)).toMatchObject({ ok: false, message: expect.stringContaining('empty port') });
    expect(parseConnection('rtu://?baud=9600')).toMatchObject({ ok: false });
  });

  it('takes the serial speed of an RTU-over-TCP converter, and only that (its other settings are the converter\'s)', () => {
    expect(parseConnection('rtu+tcp://gw.local:4001?baud=1200')).toEqual({ ok: true, spec: { kind: 'rtu+tcp', host: 'gw.local', port: 4001, baudRate: 1200 } });
    expect(formatConnection({ kind: 'rtu+tcp', host: 'gw.local', port: 4001, baudRate: 1200 })).toBe('rtu+tcp://gw.local:4001?baud=1200');
    expect(parseConnection('rtu+tcp://gw.local:4001?parity=even')).toEqual({
      ok: false,
      message: "rtu+tcp:// takes only baud (the converter's serial speed, for the silence between frames): parity, data bits and stop bits are set on the converter",
    });
    expect(parseConnection('rtu+tcp://gw.local?speed=9600')).toMatchObject({ ok: false, message: expect.stringContaining('unknown setting "speed"') });
    expect(parseConnection('rtu+tcp://gw.local?baud=fast')).toEqual({ ok: false, message: 'baud "fast" is not a baud rate (e.g. 9600, 19200, 115200)' });
    expect(parseConnection('rtu+tcp://gw.local?baud=9600&baud=1200')).toMatchObject({ ok: false, message: expect.stringContaining('given twice') });
    expect(parseConnection('tcp://plc.local?baud=9600')).toMatchObject({ ok: false, message: expect.stringContaining('does not use') });
  });

  it('refuses a serial setting given twice, naming it, rather than use one of the two', () => {
    for (const [url, key] of [
      ['rtu:///dev/ttyUSB0?baud=9600&baud=19200', 'baud'],
      ['rtu:///dev/ttyUSB0?parity=even&baud=9600&parity=none', 'parity'],
      ['rtu:///dev/ttyUSB0?data_bits=8&data_bits=8', 'data_bits'],
      ['rtu://COM3?stop_bits=1&stop_bits=2', 'stop_bits'],
    ] as const) {
      expect(parseConnection(url)).toEqual({ ok: false, message: expect.stringContaining(`serial setting "${key}" is given twice`) });
    }
  });

  it('refuses settings it would otherwise lose or misread: after a second "?", in the path, or a broken escape', () => {
    // Before: parity was dropped and the line opened with parity none.
    expect(parseConnection('rtu:///dev/ttyUSB0?baud=9600?parity=even')).toEqual({
      ok: false,
      message: 'serial settings are joined with "&", not "?": rtu:///dev/ttyUSB0?baud=9600&parity=even',
    });
    expect(parseConnection('rtu:///dev/ttyUSB0&baud=9600')).toEqual({ ok: false, message: expect.stringMatching(/holds settings: they go after a "\?"/) });
    // Before: decodeURIComponent threw, and --check ended with a stack trace.
    expect(parseConnection('rtu:///dev/tty%zz')).toEqual({ ok: false, message: 'serial port path "/dev/tty%zz" has a "%" that is not an escape such as %20' });
    expect(parseConnection('rtu:///dev/serial/by-id/usb%20adapter')).toMatchObject({ ok: true, spec: { path: '/dev/serial/by-id/usb adapter' } });
  });
});
