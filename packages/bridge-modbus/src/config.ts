import { durationMs, reconnectSchema, tagsSchema, channelNameSchema } from '@fieldbridge/core/bridge';
import { z } from 'zod';

/** The four Modbus tables. `coil` and `discrete` hold bits; `input` and `holding` hold 16-bit registers. */
export const TABLES = ['coil', 'discrete', 'input', 'holding'] as const;
/** One of {@link TABLES}. */
export type ModbusTable = (typeof TABLES)[number];

/**
 * Orders of the bytes of a multi-register value, naming the value's bytes A (most significant)
 * to D as they arrive on the wire. `ABCD` is big-endian (the Modbus default), `CDAB` swaps
 * the 16-bit words, `BADC` swaps the bytes inside each word, `DCBA` is little-endian. For
 * 64-bit values the same swaps apply to all four words (`CDAB` reverses the word order).
 * Listed in the order `--probe` prints them.
 */
export const BYTE_ORDERS = ['ABCD', 'BADC', 'CDAB', 'DCBA'] as const;
/** One of {@link BYTE_ORDERS}. */
export type ByteOrder = (typeof BYTE_ORDERS)[number];

/**
 * Value types a point can decode to. `bool` reads a coil or discrete input; `bit` one bit of a
 * register (a boolean), `bitfield` a run of its bits (`bit` the lowest, `bits` how many: an
 * unsigned integer), `int8`/`uint8` one of its two bytes (`byte`); `float16` is IEEE 754 half
 * precision in one register; `bcd16` and `bcd32` are binary-coded decimal (4 and 8 digits).
 */
export const POINT_TYPES = [
  'bool', 'bit', 'bitfield', 'int8', 'uint8', 'int16', 'uint16', 'float16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'bcd16', 'bcd32', 'string',
] as const;
/** One of {@link POINT_TYPES}. */
export type PointType = (typeof POINT_TYPES)[number];

/**
 * The byte of a register an `int8` or `uint8` point reads: `high` is the first byte on the
 * wire (the most significant one of the register as Modbus sends it), `low` the second.
 * `byte_order` does not apply: the byte is named as it arrives.
 */
export const REGISTER_BYTES = ['high', 'low'] as const;
/** One of {@link REGISTER_BYTES}. */
export type RegisterByte = (typeof REGISTER_BYTES)[number];

const byteOrder = z.enum(BYTE_ORDERS, {
  error: `byte_order must be one of ${BYTE_ORDERS.join(', ')}; bridge-modbus --probe shows which one gives sane numbers`,
});
const table = z.enum(TABLES, { error: `table must be one of ${TABLES.join(', ')}` });
const pointType = z.enum(POINT_TYPES, { error: `unknown type; use one of ${POINT_TYPES.join(', ')}` });

const SIX_DIGIT_TABLES: Record<string, string> = { '1': 'discrete', '3': 'input', '4': 'holding' };

/** The refusal of an address past 65535, naming the table and address a six-digit Modicon number (`400001`) stands for. */
function tooBigAddress(input: unknown): string {
  const refused = `must be at most 65535 (found ${String(input)})`;
  if (typeof input !== 'number' || input < 100_001 || input > 465_536) return refused;
  const table = SIX_DIGIT_TABLES[String(input)[0]!];
  const address = (input % 100_000) - 1;
  if (table === undefined || address < 0 || address > 65535) return refused;
  return `${refused}: ${input} reads like a six-digit Modicon register number, which is address: ${address} of table ${table}`;
}

/** Schema of one entry of `points[]`. */
export const modbusPointSchema = z
  .strictObject({
    metric: z.string().min(1).max(256).describe('Metric name; may use {device}, {unit_id}, {table}, {address}.'),
    table: table.describe('coil | discrete | input | holding.'),
    address: z
      .number()
      .int()
      .min(0)
      .max(65535, { error: (issue) => tooBigAddress(issue.input) })
      .describe('0-based protocol address (register 40001 is holding 0).'),
    type: pointType.optional().describe('Value type. Default bool for coil/discrete, uint16 for input/holding.'),
    bit: z.number().int().min(0).max(15).optional().describe('For type bit: bit number, 0 = least significant. For type bitfield: its lowest bit.'),
    bits: z.number().int().min(1).max(16).optional().describe('For type bitfield: how many bits, from bit up (bit + bits at most 16); the value is an unsigned integer.'),
    byte: z
      .enum(REGISTER_BYTES, { error: `byte must be ${REGISTER_BYTES.join(' or ')} (high = the register's first byte on the wire)` })
      .optional()
      .describe("For types int8 and uint8: high (the register's first byte on the wire) or low. byte_order does not apply."),
    length: z.number().int().min(1).max(125).optional().describe('For type string: registers to read (2 characters each).'),
    byte_order: byteOrder.optional().describe("Overrides the device's byte_order for this point."),
    scale: z.number().optional().describe('Multiplier applied to the raw value. Default 1.'),
    offset: z.number().optional().describe('Added after scaling. Default 0.'),
    unit: z.string().min(1).max(256).optional().describe('Engineering unit, sent as tag "unit".'),
    deadband: z.number().min(0).optional().describe('Changes smaller than this (after scaling) are not sent.'),
    on_change: z.boolean().optional().describe('Send a value only when it differs from the last one sent (any type: a coil, a bit, a string). Default false.'),
    max_interval: durationMs({ minMs: 10, maxMs: 86_400_000 })
      .optional()
      .describe('With deadband or on_change: send an unchanged value anyway once the last one sent is this old, so a steady value still shows up (range 10ms..1d). Default never.'),
    poll_ms: durationMs({ minMs: 10, maxMs: 86_400_000 })
      .optional()
      .describe("Read this point less often than its device's poll_ms: at the first poll after this much time passed since it was last read (a counter every 15m beside values every second). Default every poll."),
    tags: tagsSchema.optional(),
  })
  .describe('One value read from the device.');

/** A device's poll interval, in the mapping's `poll_ms` and in `configure` requests: ms, or `500ms`, `5s`, `1m` (range 10ms..1d). */
export const pollMsSchema = durationMs({ minMs: 10, maxMs: 86_400_000 });

/** Schema of one entry of `devices[]`. */
export const modbusDeviceSchema = z
  .strictObject({
    name: channelNameSchema('name')
      .describe('Device name: tag "device", {device} in metric names, and its channel in /readyz and the metrics.'),
    connection: z
      .string()
      .regex(/^(tcp|rtu|rtu\+tcp):\/\/.+/, 'connection must look like tcp://host:502, rtu:///dev/ttyUSB0?baud=19200&parity=even or rtu+tcp://host:port')
      .describe('tcp://host:port | rtu:///dev/ttyUSB0?baud=9600&parity=none&data_bits=8&stop_bits=1 | rtu+tcp://host:port?baud=9600 (baud: the converter\'s serial side, for the silence between frames; default the 1.75 ms of lines above 19200 baud)'),
    unit_id: z.number().int().min(0).max(255).optional().describe('Modbus unit (slave) id. Default 1.'),
    poll_ms: pollMsSchema.optional().describe('Poll interval: ms, or 500ms, 5s, 1m (range 10ms..1d). Default 1s.'),
    timeout_ms: durationMs({ minMs: 10, maxMs: 600_000 }).optional().describe('Answer timeout per request: ms, or 250ms, 2s (range 10ms..10m). Default 1s.'),
    retries: z.number().int().min(0).max(10).optional().describe('Extra tries at once after a timeout, a malformed answer or a gateway\'s exception 11. Default 1.'),
    busy_retries: z
      .number()
      .int()
      .min(0)
      .max(20)
      .optional()
      .describe('Extra tries of a read the device answered busy (exception 6 SERVER DEVICE BUSY, or 5 ACKNOWLEDGE), each after busy_retries_wait; a read still busy then is given up until the next poll, and the device\'s other reads of that poll are asked once each. Default 3.'),
    busy_retries_wait: durationMs({ minMs: 10, maxMs: 60_000 })
      .optional()
      .describe('Wait before asking a busy device again: ms, or 100ms, 1s (range 10ms..1m); the line serves its other units meanwhile. Default 100ms.'),
    byte_order: byteOrder.optional().describe('Default byte order of the points. Default ABCD (big-endian).'),
    max_gap: z.number().int().min(0).max(124).optional().describe('Largest run of unmapped registers read to merge two requests. Default 10.'),
    max_gap_bits: z.number().int().min(0).max(1999).optional().describe('Largest run of unmapped bits read to merge two requests. Default 64.'),
    max_registers: z.number().int().min(1).max(125).optional().describe('Most registers per request (lower it for devices that refuse long reads). Default 125.'),
    max_bits: z.number().int().min(1).max(2000).optional().describe('Most coils or inputs per request. Default 2000.'),
    reconnect: reconnectSchema.optional(),
    tags: tagsSchema.optional(),
    points: z.array(modbusPointSchema).default([]).describe('Values to read (at least one to run; bridge-modbus --probe reads a device before it has any).'),
  })
  .describe('One Modbus unit on one connection.');

/**
 * Schema of the `modbus:` section of a mapping file. Strict: unknown keys are errors. The
 * checks across keys (overlapping addresses, types that do not fit their table, connection
 * URLs, placeholders) are `checkModbus` in `check.ts`, which the mapping loader runs after it.
 */
export const modbusConfigSchema = z
  .strictObject({
    reconnect: reconnectSchema.optional(),
    devices: z.array(modbusDeviceSchema).min(1).describe('Devices to poll.'),
  })
  .describe('Modbus TCP / RTU devices and the points read from them.');

/** The validated `modbus:` section. */
export type ModbusConfig = z.output<typeof modbusConfigSchema>;
/** One validated device entry. */
export type ModbusDeviceConfig = ModbusConfig['devices'][number];
/** One validated point entry. */
export type ModbusPointConfig = ModbusDeviceConfig['points'][number];
