import { durationMs, maxRateHzSchema, reconnectSchema, tagsSchema } from '@fieldbridge/core/bridge';
import { z } from 'zod';
import { METRIC_NAME_MODES } from './metric-names.js';

/** Security modes of the `security.mode` key. */
export const SECURITY_MODE_NAMES = ['None', 'Sign', 'SignAndEncrypt'] as const;
/** Security policies of the `security.policy` key: three current ones, then two deprecated ones (used only when named). */
export const SECURITY_POLICY_NAMES = ['Aes256_Sha256_RsaPss', 'Aes128_Sha256_RsaOaep', 'Basic256Sha256', 'Basic256', 'Basic128Rsa15'] as const;
/** How the server's certificate is trusted (`trust`). */
export const TRUST_MODE_NAMES = ['strict', 'tofu', 'always'] as const;
/** Which clock stamps a value (`timestamp`). */
export const TIMESTAMP_NAMES = ['source', 'server', 'local'] as const;
/** What happens to a value whose status is not Good (`quality`). */
export const QUALITY_RULES = ['tag', 'drop'] as const;

const metricTemplate = (placeholders: string) => z.string().min(1).max(1024).describe(`Metric name template${placeholders}.`);
const nodeId = z
  .string()
  .min(1)
  .max(4200)
  .describe('A node id: ns=2;s=Boiler.Temperature, nsu=<namespace URI>;s=... (survives a server reordering its namespaces), i=2253.');
const browsePath = z.string().min(1).max(2048).describe('Browse names below the Objects folder, separated by /: Boiler/Temperature or 2:Boiler/2:Temperature.');
const samplingMs = durationMs({ minMs: 0, maxMs: 86_400_000 }).describe('How often the server samples the value: ms, or 250ms, 1s (range 0..1d; 0: as fast as it can). Default: the publishing interval.');
const queueSize = z.number().int().min(1).max(10_000);
const deadband = z
  .union([z.number().min(0), z.string().regex(/^\s*\d+(\.\d+)?\s*%\s*$/, 'deadband: a number (absolute, in the value\'s units) or a percentage such as 5% (of the EURange)')])
  .describe('Changes smaller than this are not reported, decided by the server: a number in the value\'s units, or a percentage of its EURange (5%, AnalogItem variables only).');
const timestamp = z.enum(TIMESTAMP_NAMES, { error: `timestamp must be one of ${TIMESTAMP_NAMES.join(', ')}` });
const quality = z.enum(QUALITY_RULES, { error: `quality must be tag or drop` });
const unit = z.string().min(1).max(256).describe('Engineering unit, sent as tag "unit".');
const rescan = durationMs({ unit: 's', minMs: 0, maxMs: 86_400_000 })
  .refine((ms) => ms === 0 || ms >= 100, 'must be 0 (never browsed again) or at least 100ms')
  .describe('How often the folder is browsed again while the bridge runs, to monitor variables added below it and drop those deleted (seconds, or 30s, 5m; 0: only when subscribing; range 100ms..1d). Also at once when the server reports a model change. Default 5m.');
const onChange = z.boolean().describe('Hold back a value equal to the last one sent (the server already reports changes only; this also drops the repeats sent after a reconnect).');

/** Keys every value entry (`nodes[]`, `folders[]`) shares. */
const valueKeys = {
  node_id: nodeId.optional(),
  browse_path: browsePath.optional(),
  sampling_interval_ms: samplingMs.optional(),
  queue_size: queueSize.optional().describe('Values the server keeps between two publishes (oldest dropped, the next one flagged). Default 10.'),
  deadband: deadband.optional(),
  timestamp: timestamp.optional().describe('source (the device\'s clock, default), server, or local (receipt). A missing one, or one that cannot be right (before 2001-09-09 or a day ahead), falls back to the next.'),
  unit: unit.optional(),
  quality: quality.optional().describe("Overrides the section's quality rule."),
  max_rate_hz: maxRateHzSchema.optional(),
  on_change: onChange.optional(),
  tags: tagsSchema.optional(),
};

// A list written as a map (`nodes: { boiler.temp: ns=2;s=X }`, as some other tools' files are) or as one value.
const listError =
  (key: string, example: string) =>
  (issue: { code?: string }): string | undefined =>
    issue.code === 'invalid_type' ? `${key} is a list: write each entry on a line of its own that starts with "- ", e.g. - ${example}` : undefined;

/** Schema of one entry of `nodes[]`: one variable. */
export const opcuaNodeSchema = z
  .strictObject({
    metric: metricTemplate('; with browse_path it may use {path} (the names joined by "."), {path.N} (0-based) and {name} (the last one)'),
    ...valueKeys,
  })
  .describe('One variable, by node_id or browse_path.');

/** Schema of one entry of `folders[]`: every variable below a node. */
export const opcuaFolderSchema = z
  .strictObject({
    metric: metricTemplate(' for each variable: {path} (browse names below the folder joined by "."), {path.N} (0-based) and {name} (the variable\'s own)'),
    ...valueKeys,
    max_depth: z.number().int().min(1).max(16).optional().describe('Levels below the folder to follow. Default 5.'),
    max_items: z.number().int().min(1).max(50_000).optional().describe('Most variables taken from the folder. Default 1000.'),
    rescan_s: rescan.optional(),
  })
  .describe('Every variable below a node (objects and folders followed), each its own series.');

/** Schema of one entry of `events[]`: an event notifier. */
export const opcuaEventSchema = z
  .strictObject({
    metric: metricTemplate(' of the event points; may use {source_name} and {event_type}'),
    node_id: nodeId.optional().describe('The notifier. Default the Server object (i=2253), which reports every event of the server.'),
    browse_path: browsePath.optional(),
    fields: z
      .array(z.string().min(1).max(256))
      .min(1)
      .max(63)
      .optional()
      .describe('Event fields to send, as browse names or dot paths (ActiveState.EffectiveDisplayName). Default EventType, SourceName, Time, Message, Severity, ConditionName, ActiveState, AckedState, BranchId. Time and BranchId are selected even when not named.'),
    where: z
      .strictObject({
        min_severity: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .describe('Only events with at least this Severity (1..1000), and those of a condition whose previous severity (LastSeverity) had it, so that an alarm\'s return to normal (Severity 0) comes with its raise. Filtered by the server.'),
      })
      .optional(),
    branches: z
      .boolean()
      .optional()
      .describe('Also send events of condition branches (BranchId not null: a previous state kept for acknowledgement, such as an alarm that cleared before it was acknowledged, sent again when it branches off). Default false: each raise arrives once.'),
    queue_size: queueSize.optional().describe('Events the server keeps between two publishes. Default 1000.'),
    timestamp: z.enum(['source', 'local'], { error: 'timestamp must be source (the event\'s Time) or local' }).optional().describe('source (the event\'s Time, default) or local (receipt).'),
    tags: tagsSchema.optional(),
  })
  .describe('Events of a notifier (alarms, conditions), each an event point whose value holds the selected fields.');

/**
 * Schema of the `opcua:` section of a mapping file. Strict: unknown keys are errors. Durations
 * take a number in the unit their key names or a string with its own (`500ms`, `30s`). The
 * checks across keys (the endpoint URL, node ids, browse paths, templates, auth, tags) are
 * `checkOpcua` in `check.ts`, which the mapping loader runs after it.
 */
export const opcuaConfigSchema = z
  .strictObject({
    endpoint: z.string().min(1).max(2048).describe('The server: opc.tcp://host:4840[/path].'),
    security: z
      .strictObject({
        mode: z.enum(SECURITY_MODE_NAMES, { error: `mode must be one of ${SECURITY_MODE_NAMES.join(', ')}` }).describe('None (default), Sign, or SignAndEncrypt.'),
        policy: z
          .enum(SECURITY_POLICY_NAMES, { error: `policy must be one of ${SECURITY_POLICY_NAMES.join(', ')}` })
          .optional()
          .describe('Default: the strongest current one the server offers. Basic256 and Basic128Rsa15 are deprecated and used only when named.'),
      })
      .optional()
      .describe('How messages are protected. Default mode None.'),
    auth: z
      .strictObject({
        username: z.string().min(1).max(256).optional().describe('User name.'),
        password: z.string().max(4096).optional().describe('Password: write ${OPCUA_PASSWORD} so it stays out of the file.'),
        certificate: z.string().min(1).optional().describe('User certificate file (PEM or DER), for X.509 identity.'),
        private_key: z.string().min(1).optional().describe('Private key file (PEM) of the user certificate.'),
      })
      .optional()
      .describe('Who the session logs in as: anonymous (default), username + password, or certificate + private_key.'),
    pki: z.string().min(1).optional().describe('Folder of the client certificate and the trusted servers. Default opcua-pki/ in sink.buffer.path, else ./fieldbridge-opcua-pki; with security None, none (a certificate made in memory) unless given.'),
    trust: z
      .enum(TRUST_MODE_NAMES, { error: `trust must be one of ${TRUST_MODE_NAMES.join(', ')}` })
      .optional()
      .describe('strict (only certificates in <pki>/trusted/certs), tofu (the first one seen, default), always (any: insecure).'),
    application_uri: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, 'application_uri must be a URI such as urn:plant-a:fieldbridge')
      .max(1024)
      .optional()
      .describe('ApplicationUri the client sends and its certificate carries. Default: the existing certificate\'s, or urn:<hostname>:fieldbridge:bridge-opcua.'),
    publishing_interval_ms: durationMs({ minMs: 10, maxMs: 3_600_000 }).optional().describe('How often the server sends what changed (range 10ms..1h). Default 1s.'),
    connect_timeout_ms: durationMs({ minMs: 100, maxMs: 600_000 }).optional().describe('Time for each step of a connect (range 100ms..10m). Default 10s.'),
    request_timeout_ms: durationMs({ minMs: 1000, maxMs: 600_000 })
      .optional()
      .describe('Time a request may take, also bounding the keep-alive read that notices a frozen server (range 1s..10m; node-opcua waits at least 5 s). Default 10s.'),
    keep_alive_ms: durationMs({ minMs: 100, maxMs: 600_000 }).optional().describe('Check the session after this much silence from the server (range 100ms..10m). Default 5s.'),
    session_timeout_ms: durationMs({ minMs: 1000, maxMs: 3_600_000 }).optional().describe('Session timeout asked of the server (range 1s..1h). Default 1m.'),
    subscription_lifetime_ms: durationMs({ minMs: 1000, maxMs: 86_400_000 })
      .optional()
      .describe('How long the server keeps the subscription without Publish requests: an outage or a flow-control hold may last this long without losing its queues (range 1s..1d). Default 10m.'),
    rescan_s: rescan.optional().describe("Default of the folders' rescan_s: how often each folder is browsed again while the bridge runs (seconds, or 30s, 5m; 0: only when subscribing; range 100ms..1d). Default 5m."),
    retry_refused_ms: durationMs({ minMs: 1000, maxMs: 86_400_000 }).optional().describe('How often items the server refused, or nodes not found, are tried again (range 1s..1d). Default 1m.'),
    reconnect: reconnectSchema.optional(),
    quality: quality.optional().describe('A value whose status is not Good: tag (default; sent with tags quality and status) or drop.'),
    max_rate_hz: maxRateHzSchema.optional(),
    on_change: onChange.optional(),
    metric_names: z
      .enum(METRIC_NAME_MODES, { error: `metric_names must be one of ${METRIC_NAME_MODES.join(', ')}` })
      .optional()
      .describe(
        'How metric names made from browse names ({path}, {path.N}, {name}) are written: as_browsed (default: as the server wrote them, spaces, quotes and all) or normalized (quotes dropped, Stations[0] as Stations_0, accents to ASCII, other characters but letters, digits, _ - . as _). Names written out in the mapping are taken as written either way.',
      ),
    nodes: z.array(opcuaNodeSchema, { error: listError('nodes', "{ metric: boiler.temperature, node_id: 'ns=2;s=Boiler.Temperature' }") }).max(50_000).optional().describe('Variables to monitor.'),
    folders: z.array(opcuaFolderSchema, { error: listError('folders', "{ metric: 'line1.{path}', browse_path: Line1 }") }).max(1000).optional().describe('Nodes whose variables below are all monitored.'),
    events: z.array(opcuaEventSchema, { error: listError('events', '{ metric: alarms, where: { min_severity: 500 } }') }).max(1000).optional().describe('Event notifiers to monitor (alarms and conditions).'),
  })
  .describe('An OPC UA server and what to monitor on it.');

/** The validated `opcua:` section; durations in ms. */
export type OpcuaConfig = z.output<typeof opcuaConfigSchema>;
/** One validated `nodes[]` entry. */
export type OpcuaNodeConfig = NonNullable<OpcuaConfig['nodes']>[number];
/** One validated `folders[]` entry. */
export type OpcuaFolderConfig = NonNullable<OpcuaConfig['folders']>[number];
/** One validated `events[]` entry. */
export type OpcuaEventConfig = NonNullable<OpcuaConfig['events']>[number];
