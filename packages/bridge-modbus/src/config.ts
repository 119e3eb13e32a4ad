import { z } from 'zod';
import { BYTE_ORDERS, POINT_TYPES, TABLES } from './decode.js';
import { checkSection } from './_check-section.js';

const byteOrder = z.enum(BYTE_ORDERS as ['ABCD', 'BADC', 'CDAB', 'DCBA'], {
  error: `byte_order must be one of ${BYTE_ORDERS.join(', ')} (run bridge-modbus --probe to see which one gives sane numbers)`,
});

const table = z.enum(TABLES as ['coil', 'discrete', 'input', 'holding'], {
  error: `table must be one of ${TABLES.join(', ')}`,
});

const pointType = z.enum(POINT_TYPES as ['bool', 'bit', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'string'], {
  error: `unknown type; use one of ${POINT_TYPES.join(', ')}`,
});

const tags = z.record(z.string().min(1).max(256), z.string().max(256)).describe('Tags added to the points (string values).');

const reconnect = z
  .strictObject({
    initial_ms: z.number().int().min(10).max(3_600_000).optional().describe('First delay before reconnecting, in ms. Default 500.'),
    max_ms: z.number().int().min(10).max(3_600_000).optional().describe('Longest delay between attempts, in ms. Default 30000.'),
  })
  .describe('Reconnect backoff: the delay doubles from initial_ms up to max_ms, with jitter.');

/** Schema of one entry of `points[]`. */
export const modbusPointSchema = z
  .strictObject({
    metric: z.string().min(1).max(256).describe('Metric name; may use {device}, {unit_id}, {table}, {address}.'),
    table: table.describe('coil | discrete | input | holding.'),
    address: z.number().int().min(0).max(65535).describe('0-based protocol address (register 40001 is holding 0).'),
    type: pointType.optional().describe('Value type. Default bool for coil/discrete, uint16 for input/holding.'),
    bit: z.number().int().min(0).max(15).optional().describe('For type bit: bit number, 0 = least significant.'),
    length: z.number().int().min(1).max(125).optional().describe('For type string: registers to read (2 characters each).'),
    byte_order: byteOrder.optional().describe("Overrides the device's byte_order for this point."),
    scale: z.number().optional().describe('Multiplier applied to the raw value. Default 1.'),
    offset: z.number().optional().describe('Added after scaling. Default 0.'),
    unit: z.string().min(1).max(256).optional().describe('Engineering unit, sent as tag "unit".'),
    deadband: z.number().min(0).optional().describe('Changes smaller than this (after scaling) are not sent.'),
    tags: tags.optional(),
  })
  .describe('One value read from the device.');

/** Schema of one entry of `devices[]`. */
export const modbusDeviceSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'name: letters, digits, ".", "_" and "-" only')
      .max(128)
      .describe('Device name: tag "device" and {device} in metric names.'),
    connection: z
      .string()
      .regex(/^(tcp|rtu|rtu\+tcp):\/\/.+/, 'connection must look like tcp://host:502, rtu:///dev/ttyUSB0?baud=19200&parity=even or rtu+tcp://host:port')
      .describe('tcp://host:port | rtu:///dev/ttyUSB0?baud=9600&parity=none&data_bits=8&stop_bits=1 | rtu+tcp://host:port'),
    unit_id: z.number().int().min(0).max(255).optional().describe('Modbus unit (slave) id. Default 1.'),
    poll_ms: z.number().int().min(10).max(86_400_000).optional().describe('Poll interval in ms. Default 1000.'),
    timeout_ms: z.number().int().min(10).max(600_000).optional().describe('Answer timeout per request in ms. Default 1000.'),
    retries: z.number().int().min(0).max(10).optional().describe('Extra tries after a timeout or a busy answer. Default 1.'),
    byte_order: byteOrder.optional().describe('Default byte order of the points. Default ABCD (big-endian).'),
    max_gap: z.number().int().min(0).max(124).optional().describe('Largest run of unmapped registers read to merge two requests. Default 10.'),
    max_gap_bits: z.number().int().min(0).max(1999).optional().describe('Largest run of unmapped bits read to merge two requests. Default 64.'),
    max_registers: z.number().int().min(1).max(125).optional().describe('Most registers per request (lower it for devices that refuse long reads). Default 125.'),
    max_bits: z.number().int().min(1).max(2000).optional().describe('Most coils or inputs per request. Default 2000.'),
    reconnect: reconnect.optional(),
    tags: tags.optional(),
    points: z.array(modbusPointSchema).min(1).describe('Values to read.'),
  })
  .describe('One Modbus unit on one connection.');

const sectionShape = z.strictObject({
  reconnect: reconnect.optional(),
  devices: z.array(modbusDeviceSchema).min(1).describe('Devices to poll.'),
});

/** The validated `modbus:` section. */
export type ModbusConfig = z.output<typeof sectionShape>;

/**
 * Schema of the `modbus:` section of a mapping file. Strict: unknown keys are errors. Beyond
 * the shape it refuses overlapping or out-of-range addresses, types that do not fit their
 * table, strings without `length`, bad connection URLs and unknown `{placeholders}`, each
 * issue's path pointing at the offending key.
 */
export const modbusConfigSchema = sectionShape
  .superRefine((section, ctx) => {
    for (const issue of checkSection(section)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  })
  .describe('Modbus TCP / RTU devices and the points read from them.');
/** One validated device entry. */
export type ModbusDeviceConfig = ModbusConfig['devices'][number];
/** One validated point entry. */
export type ModbusPointConfig = ModbusDeviceConfig['points'][number];
