import { durationMs, maxRateHzSchema, reconnectSchema, tagsSchema, channelNameSchema } from '@fieldbridge/core/bridge';
import { z } from 'zod';

/** What a device is decoded as: an advertisement format, byte slices (`custom`), or a GATT connection. */
export const BLE_DECODERS = ['bthome', 'ruuvi', 'atc', 'pvvx', 'ibeacon', 'eddystone', 'custom', 'gatt'] as const;
/** One of {@link BLE_DECODERS}. */
export type BleDecoder = (typeof BLE_DECODERS)[number];

/** Value types of a byte slice (the custom decoder's `SliceType`). */
const SLICE_TYPES = ['u8', 'i8', 'u16', 'i16', 'u24', 'i24', 'u32', 'i32', 'float32', 'bits'] as const;

// The range of bridge-mavlink's max_interval: the key means the same in every bridge.
const maxIntervalSchema = durationMs({ minMs: 10, maxMs: 86_400_000 }).optional();

// Shorter than a sensor's usual gap between adverts, a replay could win between two real ones.
const COUNTER_RESTART_RANGE = 'range 1m..1w';
const counterRestartSchema = z
  .union([z.literal('never').transform(() => 0), z.literal(0), durationMs({ unit: 's', minMs: 60_000, maxMs: 604_800_000 })], {
    error: (issue) => (issue.code === 'invalid_union' ? `expected never (or 0), or a duration such as 5m, 1h, or a number of seconds (${COUNTER_RESTART_RANGE})` : undefined),
  })
  .optional();

/** The metric template when none is given. */
export const DEFAULT_METRIC = '{device}.{measurement}';

// UUIDs and addresses are checked in check.ts, where the message can say what was wrong.
const uuid = z.string().min(1).max(40);

const sliceFieldSchema = z
  .strictObject({
    measurement: z.string().min(1).max(128).describe('Measurement name: {measurement} in the metric template.'),
    offset: z.number().int().min(0).max(253).describe('First byte; for manufacturer data the company id is bytes 0-1.'),
    type: z.enum(SLICE_TYPES, { error: `type must be one of ${SLICE_TYPES.join(', ')}` }).describe('u8 | i8 | u16 | i16 | u24 | i24 | u32 | i32 | float32 | bits.'),
    byte_order: z.enum(['little', 'big']).optional().describe('Default little (the Bluetooth convention).'),
    bytes: z.number().int().min(1).max(4).optional().describe('bits: bytes read before the bits are taken out. Default 1.'),
    bit: z.number().int().min(0).max(31).optional().describe('bits: first bit, 0 = least significant. Default 0.'),
    bits: z.number().int().min(1).max(32).optional().describe('bits: how many bits; 1 gives a boolean. Default 1.'),
    scale: z.number().optional().describe('Multiplier. Default 1.'),
    value_offset: z.number().optional().describe('Added after scaling. Default 0.'),
    unit: z.string().min(1).max(32).optional().describe('Unit, sent as tag "unit".'),
  })
  .describe('One value cut out of the bytes.');

/** Schema of a device's `custom` decoder. */
export const customDecoderSchema = z
  .strictObject({
    source: z.enum(['manufacturer', 'service']).describe('manufacturer data (company id first) or the service data of `uuid`.'),
    company_id: z.number().int().min(0).max(0xffff).optional().describe('manufacturer: only data of this company id (0x0499 is Ruuvi). Default any.'),
    uuid: uuid.optional().describe('service: the service data UUID (e.g. 181a).'),
    fields: z.array(sliceFieldSchema).min(1).max(64).describe('Values to read.'),
  })
  .describe('Byte slices of manufacturer or service data.');

/** Schema of one GATT characteristic to read or subscribe to. */
export const characteristicSchema = z
  .strictObject({
    service: uuid.optional().describe('Service UUID. Default: whichever service has the characteristic.'),
    uuid: uuid.describe('Characteristic UUID: 2a37, 0x2A6E or 128-bit.'),
    mode: z.enum(['notify', 'read']).describe('notify subscribes; read reads now and every interval_ms.'),
    interval_ms: durationMs({ minMs: 100, maxMs: 86_400_000 }).optional().describe('read: time between reads, ms or 30s, 5m (range 100ms..1d). Default 1m.'),
    fields: z.array(sliceFieldSchema).min(1).max(64).optional().describe('Byte slices of the value, for characteristics without a built-in decoder.'),
  })
  .describe('A characteristic of a GATT device.');

/**
 * Text naming a beacon fleet; its digits are checked in resolve.ts, where the message can say
 * what was wrong. A bare number is YAML reading digits-only hex: the message says to quote it.
 */
const beaconIdText = (key: string, what: string) =>
  z.string({ error: (issue) => (issue.code === 'invalid_type' ? `${key} is ${what} as text: quote it, or YAML reads one made of digits only as a number` : undefined) }).min(1).max(64);

/** Schema of one entry of `devices[]`. */
export const bleDeviceSchema = z
  .strictObject({
    name: channelNameSchema('name')
      .describe('Device name: tag "device", {device} in metric names, and its channel in /readyz and the metrics.'),
    address: z.string().max(32).optional().describe('Match by Bluetooth address, a4:c1:38:12:34:56.'),
    local_name: z.string().min(1).max(248).optional().describe('Match by the advertised local name, exactly (needs active scanning for most devices).'),
    local_name_prefix: z.string().min(1).max(248).optional().describe('Match every device whose local name starts with this (each one its own channel).'),
    ibeacon_uuid: beaconIdText('ibeacon_uuid', 'the 32 hex digits of a UUID').optional().describe('Match every iBeacon advertising this proximity UUID, e2c56db5-dffb-48d2-b060-d0f5a71096e0 (each beacon its own channel, tagged major and minor).'),
    ibeacon_major: z.number().int().min(0).max(0xffff).optional().describe('With ibeacon_uuid: only the beacons of this major (0..65535).'),
    eddystone_namespace: beaconIdText('eddystone_namespace', '20 hex digits').optional().describe('Match every Eddystone-UID beacon of this 10-byte namespace, 20 hex digits (each beacon its own channel, tagged instance).'),
    decoder: z.enum(BLE_DECODERS, { error: `decoder must be one of ${BLE_DECODERS.join(', ')}` }).describe('bthome | ruuvi | atc | pvvx | ibeacon | eddystone | custom | gatt.'),
    bind_key: z.string().max(128).optional().describe('bthome, atc, pvvx: the device bind key (32 hex digits) for encrypted adverts (BTHome, or the pvvx firmware\'s "Encrypted beacon"); take it from the environment: ${KITCHEN_BIND_KEY}.'),
    counter_restart_after_s: counterRestartSchema.describe(`bthome, atc, pvvx with bind_key: encryption counters below the last accepted one that keep rising this long, with none above it in between, are taken as the sensor's counter restart (a battery change) and become its baseline; never (or 0) refuses them until the bridge restarts (seconds, or 5m, 1h; ${COUNTER_RESTART_RANGE}). Default the section's, else 5m.`),
    custom: customDecoderSchema.optional(),
    characteristics: z.array(characteristicSchema).min(1).max(32).optional().describe('gatt: characteristics to read or subscribe to.'),
    metric: z.string().min(1).max(256).optional().describe('Metric name template: {device}, {measurement}, {address}, {name}. Default the section\'s, else {device}.{measurement}.'),
    rssi: z.boolean().optional().describe('Also send the signal strength as measurement rssi (dBm). Default the section\'s, else false.'),
    max_rate_hz: maxRateHzSchema.optional(),
    on_change: z.boolean().optional().describe('Send a value only when it changed (events, such as a button press, always go). Default the section\'s, else false.'),
    max_interval: maxIntervalSchema.describe('With on_change: send an unchanged value anyway, with the device\'s next advert or value, once the last one sent is this old (range 10ms..1d). Default the section\'s, else never.'),
    silent_after_s: durationMs({ unit: 's', minMs: 1000, maxMs: 604_800_000 }).optional().describe('A device not heard this long closes its channel, with an event (seconds, or 30s, 5m; range 1s..7d); a BTHome device that says it is trigger based (a button) only by this key on its own entry. Default the section\'s, else 5m.'),
    max_devices: z.number().int().min(1).max(1000).optional().describe('local_name / local_name_prefix / ibeacon_uuid / eddystone_namespace: most devices tracked at once under this entry. Default 100.'),
    tags: tagsSchema.optional(),
  })
  .describe('One sensor, or a family of sensors sharing a name prefix, or a fleet of beacons sharing an iBeacon UUID or an Eddystone namespace.');

const replayObjectSchema = z.strictObject({
  file: z.string().min(1).max(4096).describe('The record file (NDJSON, as --record writes it); "-" reads standard input.'),
  pace: z.enum(['recorded', 'fast']).optional().describe('recorded waits the recorded gaps; fast sends as fast as the sink takes them. Default recorded.'),
  speed: z.number().positive().max(1000).optional().describe('recorded pace: 2 plays twice as fast. Default 1.'),
  max_gap_ms: durationMs({ minMs: 0, maxMs: 86_400_000 }).optional().describe('recorded pace: longest single wait (range 0..1d). Default 1m.'),
  loop: z.boolean().optional().describe('Start over at the end of the file. Default false.'),
  timestamps: z.enum(['shifted', 'recorded']).optional().describe('shifted moves the first advert to now, keeping the gaps; recorded keeps the file\'s times. Default shifted.'),
});

/**
 * Schema of the `ble:` section of a mapping file. Strict: unknown keys are errors. The checks
 * across keys (one match key per device, addresses, bind keys, decoder-specific keys, metric
 * templates, custom slices, the replay file) are `checkBle` in `check.ts`.
 */
export const bleConfigSchema = z
  .strictObject({
    adapter: z
      .strictObject({
        hci: z.number().int().min(0).max(255).optional().describe('The adapter, hci<N>. Default NOBLE_HCI_DEVICE_ID, else the first.'),
        when_missing: z
          .enum(['exit', 'wait'])
          .optional()
          .describe('No adapter, no Bluetooth in the kernel or no permission: exit (exit code 1, saying what is missing) or wait and retry with the reconnect backoff. Default exit.'),
      })
      .optional()
      .describe('The Bluetooth adapter (not used with replay).'),
    scan: z
      .strictObject({
        mode: z.enum(['active', 'passive']).optional().describe('active asks for scan responses (which carry most names); passive only listens. Default active.'),
        max_devices: z.number().int().min(100).max(1_000_000).optional().describe('Devices the adapter layer remembers, matched or not; the least recently heard are forgotten. Default 10000.'),
      })
      .optional()
      .describe('Scanning (duplicates are always reported, so every advert counts).'),
    replay: z
      .union([z.string().min(1).max(4096), replayObjectSchema], { error: 'replay is a record file name, or { file, pace: recorded | fast, speed, max_gap_ms, loop, timestamps: shifted | recorded }' })
      .optional()
      .describe('Read a record file instead of an adapter: FILE, or { file, pace, ... }.'),
    record: z.string().min(1).max(4096).optional().describe('Append every advert heard to this file as NDJSON (the replay format). The --record FILE option sets it.'),
    gatt: z
      .strictObject({
        max_connections: z.number().int().min(1).max(20).optional().describe('GATT connections held at once (set up one at a time). Default 5.'),
        connect_timeout_ms: durationMs({ minMs: 100, maxMs: 600_000 }).optional().describe('Wait for a connection (range 100ms..10m). Default 10s.'),
        operation_timeout_ms: durationMs({ minMs: 100, maxMs: 600_000 }).optional().describe('Wait for a discovery, read or subscribe (range 100ms..10m). Default 5s.'),
      })
      .optional()
      .describe('GATT connections (devices with decoder gatt).'),
    reconnect: reconnectSchema.optional(),
    metric: z.string().min(1).max(256).optional().describe('Default metric template of the devices. Default {device}.{measurement}.'),
    rssi: z.boolean().optional().describe('Default of the devices\' rssi. Default false.'),
    max_rate_hz: maxRateHzSchema.optional(),
    on_change: z.boolean().optional().describe('Default of the devices\' on_change. Default false.'),
    max_interval: maxIntervalSchema.describe('Default of the devices\' max_interval: with on_change, send an unchanged value anyway once the last one sent is this old (range 10ms..1d). Default never.'),
    silent_after_s: durationMs({ unit: 's', minMs: 1000, maxMs: 604_800_000 }).optional().describe('Default of the devices\' silent_after_s. Default 5m.'),
    counter_restart_after_s: counterRestartSchema.describe(`Default of the encrypted devices' (a bind_key) counter_restart_after_s: how long lower counters must keep rising to be taken as a counter restart; never (or 0) refuses them (${COUNTER_RESTART_RANGE}). Default 5m.`),
    devices: z.array(bleDeviceSchema).max(1000).default([]).describe('Sensors to read; adverts of other devices are ignored. At least one to run; bridge-ble --scan lists what is on the air before there are any.'),
  })
  .describe('Bluetooth Low Energy sensors: advertisements and GATT, from an adapter or a replay file.');

/** The validated `ble:` section. */
export type BleConfig = z.output<typeof bleConfigSchema>;
/** One validated device entry. */
export type BleDeviceConfig = BleConfig['devices'][number];
/** A validated `custom` decoder. */
export type BleCustomConfig = z.output<typeof customDecoderSchema>;
/** A validated GATT characteristic. */
export type BleCharacteristicConfig = z.output<typeof characteristicSchema>;
/** A validated slice field. */
export type BleSliceFieldConfig = z.output<typeof sliceFieldSchema>;
