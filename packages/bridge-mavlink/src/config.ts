import { durationMs, maxRateHzSchema, reconnectSchema } from '@fieldbridge/core/bridge';
import { z } from 'zod';

/** Placeholders of the `metric` template. */
export const METRIC_PLACEHOLDERS = ['message', 'field', 'instance', 'sysid', 'compid'] as const;
/** Placeholders of the `source_id` template. */
export const SOURCE_ID_PLACEHOLDERS = ['source_id', 'sysid'] as const;

/** Defaults of the optional keys of the `mavlink:` section. */
export const MAVLINK_DEFAULTS = {
  dialect: 'ardupilotmega',
  sourceId: '{source_id}-{sysid}',
  metric: '{message}.{field}',
  linkTimeoutMs: 5_000,
  /** Heartbeats the bridge sends on a `udpout` connection (the vehicle learns where to send); other connections send none unless asked. */
  udpoutHeartbeatMs: 1_000,
  heartbeatSystemId: 254,
  heartbeatComponentId: 191,
} as const;

/** One record of a message, in its long form (a bare string is `{ field: <string> }`). */
export const fieldSpecSchema = z
  .strictObject({
    field: z.string().min(1).max(64).describe('The field as the MAVLink XML names it (lat, voltages, time_boot_ms), or a derived one (HEARTBEAT flight_mode and armed, BATTERY_STATUS voltage, SYS_STATUS sensors_unhealthy).'),
    as: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'as: letters, digits, "_", "." and "-", at most 64').optional().describe('Name of the record ({field} in the metric name). Default: the field name, with _<index> for an array element.'),
    index: z.number().int().min(0).max(255).optional().describe('For an array field, the element to take (0-based). Default: the whole array as one event.'),
    to: z.string().min(1).max(16).optional().describe('Unit to convert to (deg, m, m/s, V, A...), or raw to keep the wire value. Default: the standard conversion of the field (degE7 to deg, mm to m, cm/s to m/s, mV to V...); radians stay radians.'),
    scale: z.number().optional().describe('Multiplies the (converted) value, e.g. 0.01 for GPS eph (HDOP x 100).'),
    unknown: z.number().optional().describe('The wire value that means "not known" (65535, -1...): no point when the field holds it.'),
    enum: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'enum: the XML name of an enum, e.g. MAV_STATE').optional().describe('Enum naming the value (XML spelling, e.g. MAV_STATE): adds a <name>_text point with the entry name.'),
  })
  .describe('One record made from a message field.');

const fieldSelectionSchema = z.union(
  [
    z.enum(['default', 'all']),
    z.array(z.union([z.string().min(1).max(64), fieldSpecSchema])).min(1).max(256),
  ],
  { error: 'give default, all, or a list of fields (names, or { field, as, index, to, scale, unknown, enum })' },
);

/** The keys of the kit's change filter, at the section level (every message) or per message. */
const filterShape = {
  max_rate_hz: maxRateHzSchema.optional(),
  on_change: z.boolean().optional().describe('Send a value only when it differs from the last one sent for its series.'),
  max_interval: durationMs({ minMs: 10, maxMs: 86_400_000 })
    .optional()
    .describe('With on_change: send an unchanged value anyway once the last one sent is this old (range 10ms..1d).'),
};

const messageObjectSchema = z
  .strictObject({
    fields: fieldSelectionSchema.optional().describe('Records made: default (the useful ones; every field for a message without defaults), all, or a list. Default: default.'),
    metric: z.string().min(1).max(256).optional().describe('Metric name template for this message; placeholders {message}, {field}, {instance}, {sysid}, {compid}.'),
    ...filterShape,
  })
  .describe('A message with its own metric name or rate.');

/** One entry of `messages`: the fields (`default`, `all`, a list), or an object with fields and options. */
export const messageEntrySchema = z.union([fieldSelectionSchema, messageObjectSchema], {
  error: 'give default, all, a list of fields, or { fields, metric, max_rate_hz, on_change, max_interval }',
});

/** Signature checking (MAVLink 2 signing). Give the secret from the environment, never in the file. */
export const signingSchema = z
  .strictObject({
    passphrase: z.string().min(1).max(1024).optional().describe('Passphrase the key is derived from as Mission Planner and QGroundControl do (SHA-256). Use ${MAVLINK_SIGNING_PASSPHRASE}.'),
    key: z.string().min(1).max(128).optional().describe('The 32-byte key itself: 64 hex digits or 44 base64 characters. Use ${MAVLINK_SIGNING_KEY}.'),
    allow_unsigned: z.boolean().optional().describe('Accept unsigned frames too. Default false: with a key, unsigned frames are refused and counted (unsigned).'),
    link_id: z.number().int().min(0).max(255).optional().describe('Link id in the signatures of the heartbeats the bridge sends. Default 0.'),
  })
  .describe('Check MAVLink 2 signatures: frames whose signature does not match are refused and counted (bad_signature, replayed_signature).');

/** The heartbeats the bridge sends (as a ground station would), so that a vehicle on `udpout` learns where to send. */
export const heartbeatSchema = z
  .strictObject({
    interval_s: durationMs({ unit: 's', minMs: 0, maxMs: 3_600_000 })
      .optional()
      .describe('Seconds between heartbeats; 0 sends none. Default 1 for udpout, 0 otherwise (range 0..1h, at least 100ms when on).'),
    system_id: z.number().int().min(1).max(255).optional().describe('System id of the heartbeats. Default 254 (not 255: ArduPilot takes heartbeats of system 255 as its ground station alive).'),
    component_id: z.number().int().min(0).max(255).optional().describe('Component id of the heartbeats. Default 191 (MAV_COMP_ID_ONBOARD_COMPUTER).'),
  })
  .describe('Heartbeats the bridge sends: needed for udpout, optional elsewhere.');

/**
 * Schema of the `mavlink:` section of a mapping file. Strict: unknown keys are errors. What the
 * schema cannot see (the connection URL, message and field names in the dialect, templates, the
 * signing key) is `checkMavlink` in `check.ts`, which the mapping loader runs after it.
 */
export const mavlinkConfigSchema = z
  .strictObject({
    connection: z
      .string()
      .min(1)
      .max(1024)
      .describe('Where the bytes come from: udpin://0.0.0.0:14550 (listen for UDP) | udpout://host:14550 (send to a vehicle that listens) | tcp://host:5760 (connect to SITL, a vehicle or a router) | tcpin://0.0.0.0:5760 (listen: vehicles, SITL tcpclient, mavlink-router TcpEndpoint or MAVProxy --out tcp: connect to the bridge) | serial:///dev/ttyACM0?baud=57600 | tlog:///path/flight.tlog?pace=recorded&speed=1 (replay). Port 0 on udpin and tcpin takes a free port (logged).'),
    dialect: z.enum(['common', 'ardupilotmega'], { error: 'dialect must be common or ardupilotmega' }).optional().describe('Message set. Default ardupilotmega (which includes common).'),
    source_id: z.string().min(1).max(256).optional().describe('Source id of each vehicle, a template with {source_id} (the file\'s) and {sysid}. Default {source_id}-{sysid}.'),
    systems: z.array(z.number().int().min(1).max(255)).min(1).max(255).optional().describe('System ids to read. Default every system. A telemetry radio\'s RADIO_STATUS (component 68, system 51 for SiK) is read whatever this says.'),
    components: z.array(z.number().int().min(0).max(255)).min(1).max(256).optional().describe('Component ids to read. Default every component. A telemetry radio\'s RADIO_STATUS (component 68) is read whatever this says.'),
    messages: z.record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'a message name as the XML spells it, e.g. GLOBAL_POSITION_INT'), messageEntrySchema)
      .optional()
      .describe('Messages to read and the records made from each. Default HEARTBEAT, SYS_STATUS, ATTITUDE, GLOBAL_POSITION_INT, GPS_RAW_INT, VFR_HUD, BATTERY_STATUS and STATUSTEXT with their default fields. The section\'s max_rate_hz, on_change and max_interval do not apply to STATUSTEXT (each is an event of its own): set them on its entry to thin it.'),
    metric: z.string().min(1).max(256).optional().describe('Metric name template; placeholders {message} (lower case), {field}, {instance}, {sysid}, {compid}. Default {message}.{field}.'),
    ...filterShape,
    link_timeout_s: durationMs({ unit: 's', minMs: 100, maxMs: 3_600_000 }).optional().describe('A vehicle without a HEARTBEAT for this long is lost (event link.lost). Default 5 (range 100ms..1h).'),
    heartbeat: heartbeatSchema.optional(),
    signing: signingSchema.optional(),
    reconnect: reconnectSchema.optional(),
  })
  .describe('A MAVLink connection and the vehicles, messages and fields read from it.');

/** The validated `mavlink:` section. */
export type MavlinkConfig = z.output<typeof mavlinkConfigSchema>;
/** One validated `messages` entry. */
export type MavlinkMessageConfig = z.output<typeof messageEntrySchema>;
