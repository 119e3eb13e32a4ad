import { durationMs, isTimeZone, reconnectSchema, sizeBytes, tagsSchema } from '@fieldbridge/core/bridge';
import { z } from 'zod';

/** Payload formats a subscription can decode. */
export const PAYLOAD_FORMATS = ['json', 'number', 'boolean', 'text', 'sparkplug'] as const;
/** Types a JSON value can be read as. */
export const VALUE_TYPES = ['number', 'boolean', 'string', 'json'] as const;
/** Units of a timestamp read from a payload. */
export const TIMESTAMP_UNITS = ['ms', 's', 'us', 'ns', 'iso8601'] as const;

const tags = tagsSchema.describe('Tags added to the points (at most 16); values may use the same {placeholders} as metric.');
const template = z.string().min(1).max(1024);
const jsonPath = z.string().min(1).max(1024).describe('A JSON path: $, .key, [0] and [\'key\'] steps, e.g. $.reading.value.');
const valueType = z.enum(VALUE_TYPES, { error: `type must be one of ${VALUE_TYPES.join(', ')}` });

const switchWord = z.string().max(64, { message: 'a switch word is at most 64 characters' });
const switchWords = (side: 'on' | 'off', example: string) =>
  z
    .union([switchWord, z.array(switchWord).min(1).max(16)], { error: `payload_${side} must be a word or a list of words (at most 16), e.g. ${example}` })
    .optional()
    .describe(
      `format boolean, or a value of type boolean: the word(s) the device sends for ${side}, e.g. ${example}, read trimmed and in any case, besides the built-in on/off, true/false and 1/0. A word on both sides, or a built-in ${side === 'on' ? 'off' : 'on'} word here, is refused.`,
    );

const timestamp = z
  .union([
    jsonPath,
    z.strictObject({
      path: jsonPath,
      unit: z
        .enum(TIMESTAMP_UNITS, { error: `unit must be one of ${TIMESTAMP_UNITS.join(', ')}` })
        .optional()
        .describe('ms (default; iso8601 when time_zone is given), s, us, ns, or iso8601 for date strings.'),
      time_zone: z
        .string()
        .refine(isTimeZone, { message: 'not a time zone: use local, UTC, an IANA name (Europe/Berlin) or an offset (+02:00)' })
        .optional()
        .describe(
          'unit iso8601: the time zone of dates written without one (Tasmota\'s Time, 2026-12-03T14:05:10, is the device\'s local time): local (this machine\'s), UTC, an IANA name like Europe/Berlin (daylight saving included), or +02:00. A date with Z or an offset keeps its own. Default none: such a date is a bad_timestamp and the receipt time is used.',
        ),
    }),
  ])
  .describe('Where the payload carries its time: a JSON path (milliseconds), or { path, unit, time_zone }.');

const field = z
  .union([
    jsonPath,
    z.strictObject({
      value: jsonPath,
      type: valueType.optional().describe('How the value is read. Default: the subscription\'s type.'),
      metric: template.optional().describe('Metric name of this field. Default: the subscription\'s metric.'),
      tags: tags.optional(),
      optional: z
        .boolean()
        .optional()
        .describe('true: a payload without this value (or with null) gives no point for it and no missing_value problem. Default: the subscription\'s optional.'),
      payload_on: switchWords('on', 'open'),
      payload_off: switchWords('off', 'close'),
    }),
  ])
  .describe('A JSON path, or { value, type, metric, tags, optional, payload_on, payload_off }.');

const tls = z
  .strictObject({
    ca: z.string().min(1).optional().describe('CA certificate(s) that signed the broker\'s certificate: a PEM file path or inline PEM. Default: the system CAs.'),
    cert: z.string().min(1).optional().describe('Client certificate (PEM file path or inline PEM), for brokers that require one.'),
    key: z.string().min(1).optional().describe('Private key of the client certificate (PEM file path or inline PEM).'),
    passphrase: z.string().optional().describe('Passphrase of an encrypted key; use ${VAR}.'),
    servername: z.string().min(1).optional().describe('Name the broker\'s certificate must carry (SNI too). Default: the URL\'s host.'),
    verify: z.boolean().optional().describe('Verify the broker\'s certificate. Default true; false only for tests.'),
  })
  .describe('TLS settings for mqtts:// and wss://.');

/** Schema of one entry of `subscriptions[]`. */
export const mqttSubscriptionSchema = z
  .strictObject({
    topic: z.string().min(1).describe('Topic filter, with + and # wildcards; $share/<group>/<filter> for a shared subscription.'),
    name: z.string().min(1).max(128).optional().describe('Name of the subscription in logs, the channel label of the metrics and /readyz. Default: the topic.'),
    qos: z.union([z.literal(0), z.literal(1), z.literal(2)], { error: 'qos must be 0, 1 or 2' }).optional().describe('Subscription QoS. Default 1.'),
    format: z.enum(PAYLOAD_FORMATS, { error: `format must be one of ${PAYLOAD_FORMATS.join(', ')}` }).optional().describe('json (default), number (a bare decimal number), boolean (a bare switch state: on/off, true/false, 1/0 in any case), text or sparkplug.'),
    metric: template
      .optional()
      .describe('Metric name template: {topic}, {topic.N}, {json.<path>}, {field}; for Sparkplug {group}, {edge_node}, {device}, {name}.'),
    value: jsonPath.optional().describe('format json: path of the value. Default $ (the whole payload).'),
    type: valueType.optional().describe('format json: number (default), boolean, string, or json (any value, sent as an event).'),
    payload_on: switchWords('on', 'open'),
    payload_off: switchWords('off', 'close'),
    timestamp: timestamp.optional(),
    optional: z
      .boolean()
      .optional()
      .describe('format json: true when payloads may lack the value or some fields (devices of several kinds under one filter, as Zigbee2MQTT publishes): what is absent or null is skipped, not counted as missing_value. Default false.'),
    fields: z
      .record(z.string().min(1).max(128), field)
      .optional()
      .describe('format json: several values of one payload, each its own point; {field} is the entry name.'),
    tags: tags.optional(),
    state_metric: template.optional().describe('format sparkplug: metric of the online/offline state events. Default {group}.{edge_node}.{device}.state.'),
    rebirth: z
      .boolean()
      .optional()
      .describe('format sparkplug: when a metric alias is unknown, or DATA comes after the edge node\'s death, publish an NCMD Node Control/Rebirth to it (at most every 30 s per node). Default false.'),
    send_transient: z
      .boolean()
      .optional()
      .describe('format sparkplug: true sends the values of metrics the edge node flags is_transient (for a host\'s screens, not to be stored in a historian) as points too. Default false: they are held back, counted in fieldbridge_source_points_suppressed_total{reason="transient"}.'),
  })
  .describe('One subscription and how its messages become points.');

/**
 * Schema of the `mqtt:` section of a mapping file. Strict: unknown keys are errors. Durations
 * take a number in the unit their key names or a string with its own (`30s`, `500ms`); sizes a
 * number of bytes or a string (`1MiB`). Cross-field checks (URLs, topic filters, JSON paths,
 * templates, keys that do not fit the format) are `checkMqttSection`, the definition's `check`.
 */
export const mqttConfigSchema = z
  .strictObject({
    url: z.string().min(1).describe('Broker URL: mqtt://host:1883, mqtts://host:8883, ws://host/mqtt or wss://host/mqtt.'),
    protocol_version: z.union([z.literal(4), z.literal(5)], { error: 'protocol_version must be 4 (MQTT 3.1.1) or 5' }).optional().describe('4 = MQTT 3.1.1 (default), 5 = MQTT 5.'),
    client_id: z.string().min(1).max(256).optional().describe('Client id. Default fieldbridge-<random>; required with clean: false.'),
    clean: z.boolean().optional().describe('Clean session (default true). false keeps the session, and QoS 1/2 messages sent while away, at the broker.'),
    session_expiry_s: durationMs({ unit: 's', minMs: 0, maxMs: 4_294_967_295_000 })
      .optional()
      .describe('MQTT 5 with clean: false: how long the broker keeps the session after a disconnect. Default 1d (range 0..4294967295 s).'),
    keepalive_s: durationMs({ unit: 's', minMs: 0, maxMs: 65_535_000 }).optional().describe('Keep-alive interval (whole seconds; 0 turns it off). Default 30s (range 0..65535 s).'),
    connect_timeout_ms: durationMs({ minMs: 100, maxMs: 600_000 }).optional().describe('Time allowed for one connection attempt. Default 10s (range 100ms..10m).'),
    username: z.string().optional().describe('User name; use ${MQTT_USERNAME:-} (empty means none).'),
    password: z.string().optional().describe('Password; use ${MQTT_PASSWORD:-} so it stays out of the file (empty means none).'),
    tls: tls.optional(),
    reconnect: reconnectSchema.optional(),
    max_packet_size: sizeBytes({ min: 1024, max: 256 * 1024 ** 2 })
      .optional()
      .describe('Largest packet taken from the broker. Default 1MiB (range 1KiB..256MiB). MQTT 5 brokers are told and discard larger messages; with MQTT 3.1.1 a larger message is acknowledged without being read, counted as too_large and logged with its topic: it is lost.'),
    once_timeout_ms: durationMs({ minMs: 100, maxMs: 3_600_000 })
      .optional()
      .describe('Superseded by the command line\'s --once-timeout: the --once wait when that is not given. Default 10s (range 100ms..1h).'),
    subscriptions: z.array(mqttSubscriptionSchema).default([]).describe('What to subscribe to and how to map it. At least one to run; bridge-mqtt --scan lists the topics on the broker before there are any.'),
  })
  .describe('MQTT broker connection and the subscriptions mapped to points.');

/** The validated `mqtt:` section; durations in ms, sizes in bytes. */
export type MqttConfig = z.output<typeof mqttConfigSchema>;
/** One validated subscription entry. */
export type MqttSubscriptionConfig = MqttConfig['subscriptions'][number];
