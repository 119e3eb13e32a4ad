import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { Clock } from '../clock/clock.js';
import type { PointWriter } from '../sink/sink-types.js';
import type { ProblemReporter } from '../shared/problems.js';

/** Connection state of one channel of a source (a device, a subscription, a bus). */
export type SourceState = 'connecting' | 'connected' | 'disconnected' | 'failed';

/** What the runtime hands a bridge when it creates it. */
export interface BridgeContext {
  /** Where decoded points go. In `--dry-run` this prints NDJSON and sends nothing. */
  sink: PointWriter;
  /** The process logger (pino, on stderr), bound to the bridge's name. */
  logger: Logger;
  /** The Prometheus registry served on `/metrics`; register bridge metrics here. */
  registry: Registry;
  /** The sink's corrected clock: use it for timestamps the bridge stamps itself. */
  clock: Clock;
  /** Episode logging for recurring problems (malformed frames, device timeouts). */
  problems: ProblemReporter;
  /** Reports a channel's state; `/readyz` is ready when every channel is `connected`. */
  setSourceState(channel: string, state: SourceState): void;
  /**
   * Counts a poll skipped under backpressure and returns true when the bridge should skip:
   * the spool is full under `when_full: block`. Polling bridges call it before each cycle.
   */
  shouldSkipPoll(): boolean;
  /** Aborted when the bridge is asked to stop. */
  signal: AbortSignal;
}

/** A running bridge. */
export interface BridgeInstance {
  /** Connects and begins reading; resolves once started (not necessarily connected). */
  start(): Promise<void>;
  /** Runs one poll cycle, or reads until every channel delivered its first points. */
  once(): Promise<void>;
  /** Stops reading and closes connections. Idempotent. */
  stop(): Promise<void>;
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
}

/** Streams and helpers given to a bridge's own command-line handler. */
export interface BridgeCliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  logger: Logger;
}

/** A bridge: the schema of its YAML section and how to create it. */
export interface BridgeDefinition<S extends z.ZodType = z.ZodType, N extends string = string> {
  /** Protocol name: the YAML section key and the `bridge-<name>` command. */
  name: N;
  /** Package version, printed by `--version` and sent as `agent_version`. */
  version: string;
  /** Schema of the bridge's YAML section (strict: unknown keys are errors). */
  configSchema: S;
  /** Lines describing what would be read, printed by `--check`. */
  describe(config: z.output<S>): string[];
  /** Creates the bridge. Must not connect, and should load heavy libraries only in `start()`. */
  create(config: z.output<S>, ctx: BridgeContext): BridgeInstance;
  /** Extra command-line options and their handler. */
  cli?: {
    options: BridgeCliOption[];
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
