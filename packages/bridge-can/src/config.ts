import { durationMs, maxRateHzSchema, reconnectSchema, tagsSchema, channelNameSchema } from '@fieldbridge/core/bridge';
import { z } from 'zod';
import { isTimeZone } from '@fieldbridge/core/bridge';

/** Tags the bridge can add from the DBC and the frame, in the order they are listed. */
export const SIGNAL_TAGS = ['unit', 'source_address', 'spn', 'interface'] as const;
/** One of {@link SIGNAL_TAGS}. */
export type SignalTag = (typeof SIGNAL_TAGS)[number];
/**
 * The tags added when `signal_tags` is not set. Not `interface`: a log of one bus names it on every
 * line, and a tag added by an update would split every series already stored.
 */
export const DEFAULT_SIGNAL_TAGS: readonly SignalTag[] = ['unit', 'source_address', 'spn'];

/** A name pattern: `*` stands for any run of characters, `?` for one. */
const pattern = z.string().min(1).max(256);
const patterns = z.array(pattern, { error: 'expected a list of names: [A, B*] (a single one too: [A])' }).max(1000);

/** `[A, B*]` (names to include) or `{ include: [...], exclude: [...] }`. */
const selection = (what: string, example: string, key: string) =>
  z
    .union([
      patterns,
      z.strictObject({
        include: patterns.optional().describe(`${what} to read (default all). Wildcards * and ?.`),
        exclude: patterns.optional().describe(`${what} to leave out, even when included. Wildcards * and ?.`),
      }),
    ], { error: `expected a list of names, e.g. ${key}: [${example}] (a single one too: [Name]), or ${key}: { include: [...], exclude: [...] }` })
    .describe(`${what} to read: a list of names (wildcards * and ?, e.g. ${example}), or { include, exclude }.`);

/** A bus id: a number (YAML reads 0x1F0 as one) or a hex string. */
const canId = z.union([z.number().int().min(0).max(0x1fffffff), z.string().regex(/^0[xX][0-9A-Fa-f]{1,8}$/, 'expected an id such as 0x1F0')]);

/** The kit's change filter, per signal (`max_rate_hz`, `on_change`, `deadband`, `max_interval`). */
const changeShape = {
  max_rate_hz: maxRateHzSchema.optional(),
  on_change: z.boolean().optional().describe('Send a value only when it differs from the last one sent for its series.'),
  deadband: z.number().min(0).optional().describe('Hold back a value closer than this to the last one sent (physical units).'),
  max_interval: durationMs({ minMs: 1, maxMs: 86_400_000 })
    .optional()
    .describe('With on_change or deadband: send a held-back value anyway when the last one sent is this old (range 1ms..1d). Default never.'),
};

/** Schema of one entry of `per_signal`. */
export const perSignalSchema = z
  .strictObject({
    match: pattern.describe('Signals this entry applies to: Message.Signal, or Signal in any message; wildcards * and ?.'),
    metric: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe("Metric name template of the matching signals, over the section's metric (a signal renamed: engine.rpm); placeholders as for metric."),
    unit: z.string().min(1).max(64).optional().describe("Unit tag of the matching signals, over the DBC's (a DBC without units, or one written otherwise)."),
    ...changeShape,
  })
  .describe('Settings for the signals matching `match`: change filter, metric name, unit (the first matching entry wins, over the section defaults).');

/**
 * Schema of the `can:` section of a mapping file. Strict: unknown keys are errors. The checks
 * across keys and against the DBC files (the interface, readable DBC files, patterns that
 * match, placeholders, id ranges) are `checkCan` in `check.ts`, which the loader runs after it.
 */
export const canConfigSchema = z
  .strictObject({
    interface: z
      .string()
      .min(1)
      .max(4096)
      .describe('socketcan:<interface> (e.g. socketcan:can0) or file:<log> (a candump -L, Vector ASC or BLF, PEAK TRC or ASAM MDF4 log, e.g. file:./capture.log, or a folder of them, file:./logs/, read in name order; relative to the working directory).'),
    bus: channelNameSchema('bus', 64)
      .optional()
      .describe('Name of the bus: its channel in /readyz and the metrics, and {bus} in metric names. Default: the interface name, or the log file name.'),
    dbc: z
      .union([z.string().min(1).max(4096), z.array(z.string().min(1).max(4096)).min(1).max(64)], { error: 'expected the path of a DBC file, or a list of them (dbc: [powertrain.dbc, body.dbc])' })
      .describe('DBC file, or a list of them (merged in order; relative to the working directory).'),
    j1939: z
      .union([z.boolean(), z.literal('auto')], { error: 'expected auto, true or false' })
      .optional()
      .describe('Match J1939 messages by PGN, the source address becoming a tag, and reassemble those longer than a frame from the transport protocol (BAM, RTS/CTS): auto (default) when the DBC says so (ProtocolType "J1939"), true for every extended-id message, false never.'),
    j1939_dm1: z
      .boolean()
      .optional()
      .describe('Read J1939 DM1 (active trouble codes, PGN 0xFECA) of every ECU without a DBC entry: its lamps and fault count as metrics, and an event dm1.fault when a fault becomes active or clears, tagged spn and fmi. Default false.'),
    messages: selection('Messages', "'Engine*'", 'messages').optional(),
    signals: selection('Signals', "'EngineData.*', '*Temp'", 'signals').optional(),
    metric: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('Metric name template. Default {message}.{signal}; placeholders {message} {signal} {id} {pgn} {source_address} {bus} {sender}.'),
    value_text: z
      .enum(['point', 'tag', 'off'])
      .optional()
      .describe('Text of value tables (VAL_): point (default) sends it as an event <metric>.text beside the number; tag adds it as tag "text" to the number; off sends the number only.'),
    signal_tags: z
      .array(z.enum(SIGNAL_TAGS))
      .max(SIGNAL_TAGS.length)
      .optional()
      .describe('Tags taken from the DBC and the frame: unit (the signal\'s unit), source_address (J1939), spn (the SPN attribute), interface (the bus a frame was read on: can1 in a candump log, 2 in a Vector log; for a log of several buses). Default [unit, source_address, spn].'),
    tags: tagsSchema.optional(),
    ...changeShape,
    per_signal: z.array(perSignalSchema).max(1000).optional().describe('Settings for some signals (change filter, metric name, unit); the first entry whose match fits a signal applies.'),
    filters: z
      .array(
        z.strictObject({
          id: canId.describe('Bus id to pass (with mask: the bits to compare).'),
          mask: canId.optional().describe('Bits of the id that must match. Default all 11 (or 29) bits.'),
          extended: z.boolean().optional().describe('Match 29-bit ids. Default false.'),
          invert: z.boolean().optional().describe('Pass every frame except the matching ones.'),
        }),
      )
      .min(1)
      .max(512)
      .optional()
      .describe('Id filters: only frames passing one of them are read (in the kernel for SocketCAN). Default every frame.'),
    unknown_frames: z
      .strictObject({
        forward: z.boolean().optional().describe('Send frames with no DBC entry as events (payload in hex). Default false: only counted.'),
        metric: z.string().min(1).max(256).optional().describe('Metric name of forwarded frames. Default can.unknown.{id}; placeholders {id} {bus}.'),
        max_ids: z.number().int().min(1).max(100_000).optional().describe('Ids counted one by one (fieldbridge_can_unknown_frames_total) and forwarded; further ids share id="other" and are not forwarded. Default 1000.'),
        max_rate_hz: maxRateHzSchema.optional(),
        on_change: z.boolean().optional().describe('Forward a frame only when its payload differs from the last one forwarded for its id.'),
      })
      .optional()
      .describe('Frames whose id no DBC file defines.'),
    replay: z
      .strictObject({
        pace: z.enum(['fast', 'recorded']).optional().describe('fast (default): as fast as frames are taken; recorded: keep the gaps of the log.'),
        speed: z.number().positive().max(1000).optional().describe('With pace recorded: times faster than recorded. Default 1.'),
        loop: z.boolean().optional().describe('Start again at the end of the log, until stopped. Default false: the run ends with the log.'),
        timestamps: z.enum(['log', 'replay']).optional().describe('log (default): points carry the times in the log; replay: moved onto the clock, the first frame now.'),
        channel: z
          .union([z.string().min(1).max(32), z.number().int().min(0).max(65535)], { error: 'expected one channel: the interface name in a candump log (can1), or the channel number in a Vector, PEAK or MDF4 log (2)' })
          .optional()
          .describe('Read only the frames of one channel of a log with several: the interface name in a candump log (can1), the channel or bus number in a Vector ASC or BLF, PEAK TRC or MDF4 log (2). Default every frame.'),
        time_zone: z
          .string()
          .refine(isTimeZone, { message: 'not a time zone: use local, UTC, an IANA name (Europe/Berlin) or an offset (+02:00)' })
          .optional()
          .describe("Vector ASC and BLF and PEAK TRC logs (and MDF4 logs whose header says local time): the time zone of the log's start time, written as a wall-clock time; candump -tA output: the zone of its dates, the recording machine's local time (local, UTC, an IANA name like Europe/Berlin, or +02:00). Default local: this machine's."),
      })
      .optional()
      .describe('How a file: interface is replayed.'),
    socketcan: z
      .strictObject({
        timestamps: z.enum(['kernel', 'receipt']).optional().describe('kernel (default): the kernel\'s receive stamps, anchored on the sink\'s clock; receipt: the time the bridge read the frame.'),
        burst_frames: z.number().int().min(1).max(10_000_000).optional().describe('Frames the receive buffer should hold while the bridge is busy; a smaller net.core.rmem_default is reported once at start. Default 9000 (one second of a full 1 Mbit/s bus).'),
      })
      .optional()
      .describe('Settings of a socketcan: interface.'),
    reconnect: reconnectSchema.optional(),
  })
  .describe('A CAN bus (SocketCAN) or a log of one (candump -L, Vector ASC or BLF, PEAK TRC, ASAM MDF4), decoded with DBC files.');

/** The validated `can:` section. */
export type CanConfig = z.output<typeof canConfigSchema>;
/** One validated `per_signal` entry. */
export type PerSignalConfig = NonNullable<CanConfig['per_signal']>[number];
