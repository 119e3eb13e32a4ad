import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { SourceMetrics } from '../bridge/source-metrics.js';
import type { Clock } from '../clock/clock.js';
import type { PointTagSet, SectionIssue } from '../config/file-schema.js';
import type { Point } from '../point/point.js';
import type { ProblemReporter } from '../shared/problems.js';
import type { PointWriter } from '../sink/sink-types.js';
import type { KeepOpenOptions, Kept } from './kept-open.js';

/** State of one channel of a source (a device, a subscription, a bus, a vehicle, a tag). */
export type SourceState = 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** How a channel counts. */
export interface ChannelOptions {
  /**
   * Required channels (a device to poll, a subscription, a bus) gate `/readyz` and `--once`;
   * optional ones (a vehicle heard on a link, a BLE tag) come and go without making the bridge
   * unready. Default true.
   */
  required?: boolean;
  /**
   * An optional channel `--once` waits for too (at most `--once-timeout`, then named as silent):
   * one the mapping names that should be heard, such as a BLE tag listed by address, opened
   * before it is, but never a readiness fault. Default false.
   */
  awaited?: boolean;
  /** Points emitted on this channel also count for the channel `parent` (for `--once`). */
  parent?: string;
}

/** One channel of a source, as the runtime tracks it. */
/** Options of {@link Channel.set}. */
export interface ChannelSetOptions {
  /**
   * A few words for `reason` (`the server's certificate is not trusted`) that the state line logs
   * and a `--once` that read nothing says, where the bridge tells the whole reason once itself:
   * so the log says it once. Default: `reason` itself.
   */
  headline?: string;
}

export interface Channel {
  readonly name: string;
  readonly required: boolean;
  /** The state last set. */
  state(): SourceState;
  /**
   * Reports the state: `connected`, `disconnected` (`reason` logged), `failed` (refused for good,
   * e.g. a subscription the broker denies). The last `reason` is kept: `/readyz` says it and a
   * `--once` that read nothing names it. Setting the same state again only updates the reason
   * (logged once). `options.headline` is for a reason the bridge tells whole itself, once (a
   * refusal's problem line with a thumbprint and what to do): the state line and `--once` say the
   * headline instead, and `/readyz` keeps the whole reason.
   */
  set(state: Exclude<SourceState, 'closed'>, reason?: string, options?: ChannelSetOptions): void;
  /**
   * The channel is gone (a vehicle that landed, a tag out of range): it leaves `/readyz` and
   * `/metrics`. Asking `ctx.channel(name)` again opens it anew.
   */
  close(reason?: string): void;
}

/**
 * Backpressure from the sink. While `blocked()` (the spool is full under `when_full: block`)
 * a bridge holds back what it can: a poller skips its cycle, MQTT holds its acknowledgements so
 * the broker keeps the messages, OPC-UA holds its publish acknowledgements; a source that cannot
 * wait (a CAN bus, BLE adverts) counts what it drops (`metrics.dropped(channel, 'blocked', n)`).
 */
export interface FlowControl {
  blocked(): boolean;
  /** Resolves once not blocked (at once when not), or when `signal` aborts. */
  whenOpen(signal?: AbortSignal): Promise<void>;
}

/** What the runtime hands a bridge when it creates it. */
export interface BridgeContext {
  /**
   * Writes the points one message gave, for `channel`: counted in
   * `fieldbridge_source_points_total` (once per call), noted for `--once`, and shown to the
   * mapping's alert rules (`rules:`; one lookup for a point no rule reads).
   */
  emit(channel: Channel | string, points: readonly Point[]): void;
  /** Opens (or returns the open) channel `name`. Its state shows in `/readyz` and `fieldbridge_source_connected`. */
  channel(name: string, options?: ChannelOptions): Channel;
  /** Backpressure from the sink. */
  flow: FlowControl;
  /** The standard source metrics, labelled with this bridge. */
  metrics: SourceMetrics;
  /** The sink itself, for points that belong to no channel. Prefer `emit`. In `--dry-run` it prints NDJSON. */
  sink: PointWriter;
  /** The process logger (pino, on stderr), bound to the bridge's name. */
  logger: Logger;
  /** The Prometheus registry served on `/metrics`; register the protocol's own metrics here. */
  registry: Registry;
  /** The sink's corrected clock: use it for timestamps the bridge stamps itself. */
  clock: Clock;
  /** Episode logging for recurring problems (malformed frames, device timeouts). */
  problems: ProblemReporter;
  /** Aborted when the bridge is asked to stop. */
  signal: AbortSignal;
  /**
   * True under `--dry-run` (points printed, nothing sent): the bridge leaves alone what a run of
   * the same mapping relies on, which may be running meanwhile. An MQTT persistent session is
   * not taken over (a client id of its own and a clean session instead), so the broker keeps
   * the messages queued for the real run.
   */
  dryRun: boolean;
  /**
   * True for a `--once` cycle (started with `deferStart`: `once()` starts the bridge, which stops
   * after it). A required channel that failed for a reason someone must fix ends the cycle at
   * once, so a bridge does not announce a next attempt for it.
   */
  once: boolean;
  /**
   * The mapping file's `source_id`: the sink gives it to points that carry none. A bridge that
   * makes several sources of one connection (a vehicle per MAVLink system id) builds their ids
   * from it, e.g. with a `{source_id}-{sysid}` template.
   */
  sourceId: string;
  /**
   * The folder of the sink's durable spool (`sink.buffer.path`, as written), undefined with a
   * memory spool: where a bridge keeps by default the files of its own that must outlive a
   * restart (OPC-UA's client certificate), next to the data they belong with.
   */
  stateDir?: string;
  /**
   * What this bridge keeps across a SIGHUP reload, which starts it again with a new context: the
   * value an earlier start of this bridge (by name) in this run kept under `key`, else `make()`'s,
   * kept for the starts after it. For what a protocol must still know after a reload (the topic
   * filters a persistent MQTT session holds at the broker, the last value delivered per topic).
   * Memory only, gone when the process ends; the bridge bounds what it keeps. `startBridge` and
   * `startBridges` share it between starts given the same `reloadState`.
   */
  acrossReloads<T>(key: string, make: () => T): T;
  /**
   * A resource (a bound socket, an open device) that outlives a SIGHUP reload that starts this
   * bridge again, so that what its peer sends meanwhile is not lost: the one an earlier start of
   * this bridge (by name) kept under `key` when it was opened with the same `settings`, else one
   * `open()` makes (a kept one with other settings is disposed first, freeing its port). Call it
   * in `start()`, never in `create()`; the instance calls `letGo()` in its `stop()` and, while
   * stopped, holds back (bounded, counting what it drops) what arrives for the next start. The run
   * disposes what no start takes up after a reload, and everything when it ends; a context whose
   * `reloadState` is its own disposes it at `letGo()`.
   */
  keepOpen<T>(key: string, options: KeepOpenOptions<T>): Promise<Kept<T>>;
}

/** A running bridge. */
export interface BridgeInstance {
  /** Connects and begins reading; resolves once started (not necessarily connected). */
  start(): Promise<void>;
  /**
   * One read: a poll cycle of every device. Push sources leave it out: the runtime then starts
   * them and waits until every required channel emitted or failed (`--once-timeout`).
   */
  once?(): Promise<void>;
  /** Stops reading and closes connections, promptly even mid-connect. Idempotent. */
  stop(): Promise<void>;
  /**
   * For a source that runs out (a capture replayed to its end): resolves, with a line saying
   * what was read, once there is nothing more to read. The command then stops intake, delivers
   * what is queued and exits 0; `--once` stops waiting for silent channels. Rejects, with an
   * error whose message says why, when the source ran out having read nothing usable (a log
   * whose every line was skipped): the command then delivers what is queued and exits 1.
   * Leave it out for sources that read until stopped.
   */
  ended?: Promise<string>;
  /**
   * Why a channel that is connected gave no point during a `--once` wait, as the bridge knows it
   * (MQTT: no message came on the subscription at all, so the broker retains none there), for the
   * warning naming the silent channels. Undefined: the runtime's own words (problems logged or none).
   */
  silentWhy?(channel: string): string | undefined;
  /**
   * For a push source's `--once`: false while what it reads has not all come in once, though each
   * required channel has given a point (OPC UA: one channel for the session, whose items' first
   * values may come in several messages). The runtime waits for true as long as for the channels
   * (`--once-timeout`), looking again every 25 ms, while a required channel has not failed. Leave it
   * out where a channel's first point is all a cycle reads.
   */
  onceComplete?(): boolean;
  /**
   * Applies a `configure` request a dashboard sent over WebSocket (e.g. a new poll interval);
   * resolves with what to answer, rejects to refuse (the message goes back to the server).
   * Without it, configure requests are answered with an error saying so.
   */
  configure?(config: unknown): Promise<unknown>;
}

/** An extra command-line option a bridge adds (e.g. `--probe <range>`). */
export interface BridgeCliOption {
  flags: string;
  description: string;
  /**
   * The option looks at the source and exits (`--browse`, `--probe`, `--list-signals`): given it,
   * the mapping file is read without its `runOnly` issues, so a user can take that look before
   * the file says what to read. `cli.handle` must then finish with an exit code.
   */
  inspects?: boolean;
}

/** Streams and helpers given to a bridge's own command-line handler. */
export interface BridgeCliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  logger: Logger;
  /** As {@link BridgeContext.stateDir}: the folder of the durable spool, when the file sets one. */
  stateDir?: string;
}

/** What `describe` may be told about the file beyond the bridge's section. */
export interface DescribeContext {
  /** As {@link BridgeContext.stateDir}: the folder of the durable spool, undefined with a memory spool. */
  stateDir?: string;
}

/** A bridge: the schema of its YAML section and how to create it (docs/BRIDGE.md). */
export interface BridgeDefinition<S extends z.ZodType = z.ZodType, N extends string = string> {
  /** Protocol name: the YAML section key and the `bridge-<name>` command. */
  name: N;
  /** Package version, printed by `--version` and sent as `agent_version`. */
  version: string;
  /** What it reads, for the command's `--help` ("Reads <reads> into metric points ..."): `Modbus TCP and RTU devices`. Default `name`. */
  reads?: string;
  /** Schema of the bridge's YAML section (strict: unknown keys are errors). */
  configSchema: S;
  /**
   * What other tools' configurations call keys of the section, by ours (Telegraf's `slave_id` for
   * `unit_id`): an unknown key so named is answered with ours ("did you mean unit_id?") where ours
   * is allowed, since no spelling rule leads from one to the other.
   */
  otherNames?: Readonly<Record<string, string>>;
  /**
   * Cross-field checks the schema cannot express (overlapping registers, a template naming a
   * placeholder that does not exist), each issue located by its path in the section. Run by
   * the mapping loader, so `--check` refuses all the runtime would.
   */
  check?(config: z.output<S>): SectionIssue[];
  /**
   * The tags the section's points will carry, as far as the mapping says: one set per entry that
   * gives its points tags (a device, each of its points, a subscription), with the keys the
   * mapping gives them and those the bridge adds itself (`device`, `unit`; the most any point of
   * the entry may carry). The mapping loader counts each set with the file's `tags:` and the
   * runtime's (`bridge` and `channel` in a file of several sections) and refuses the file at the
   * entry's `tags` (or the file's) when its points would carry more than 16, which the sink would
   * refuse one by one at run time. Leave it out when the mapping cannot tell (the tags come from
   * the data).
   */
  pointTags?(config: z.output<S>): PointTagSet[];
  /**
   * Lines describing what would be read, printed by `--check`. Never secrets. `where` says where
   * the file puts the bridge's state (`--check` always gives it), so a line can name the folder
   * actually used rather than the rule that picks it.
   */
  describe(config: z.output<S>, where?: DescribeContext): string[];
  /** Creates the bridge. Must not connect, and loads heavy libraries only in `start()`. */
  create(config: z.output<S>, ctx: BridgeContext): BridgeInstance;
  /**
   * The bridge's section of a starter mapping file (`fieldbridge init`), as YAML text starting
   * with `<name>:`, commented for a newcomer. Read as written it must pass `--check` on a fresh
   * machine (nothing it names has to exist), and it should run against the bridge's simulator.
   */
  starter?(): string;
  /** How long `--once` waits for a push source by default, in ms (overridden by `--once-timeout`). Default 10 000. */
  onceTimeoutMs?(config: z.output<S>): number | undefined;
  /**
   * The default `--once` wait as `--help` states it, for a bridge whose `onceTimeoutMs` makes it
   * depend on the section (`--help` reads no file): e.g. `32s with the default timeouts`. Default `10s`.
   */
  onceTimeoutText?: string;
  /** Extra command-line options and their handler. */
  cli?: {
    options: BridgeCliOption[];
    /**
     * Applies the bridge's own options to its validated section, on the first load and again on
     * every SIGHUP reload, so an option outlives a reload (e.g. `--record FILE` sets the
     * section's `record`). Runs before `handle` and `--check`; returns the section to use.
     */
    apply?(options: Record<string, unknown>, config: z.output<S>): z.output<S>;
    /**
     * Called after the config loads, before anything starts. Return an exit code to finish
     * there (e.g. after `--probe`), or undefined to carry on with the normal run.
     */
    handle?(options: Record<string, unknown>, config: z.output<S>, io: BridgeCliIo): Promise<number | undefined>;
  };
}

/** Identity helper that gives a bridge definition its types. */
export function defineBridge<S extends z.ZodType, N extends string>(definition: BridgeDefinition<S, N>): BridgeDefinition<S, N> {
  return definition;
}
