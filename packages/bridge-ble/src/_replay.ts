import type { Readable } from 'node:stream';
import type { BridgeContext, Channel } from '@fieldbridge/core/bridge';
import type { Router } from './_router.js';
import type { Advert } from './advert/advert.js';
import { replayRecords } from './record/replay.js';
import type { ResolvedSource } from './resolve.js';

/** What the replay link needs. */
export interface ReplayLinkOptions {
  ctx: BridgeContext;
  source: Extract<ResolvedSource, { kind: 'replay' }>;
  /** The replay's channel (required). */
  channel: Channel;
  router: Router;
  /** Standard input, for `file: "-"`. Default `process.stdin`. */
  stdin?: Readable;
  /** A looping replay starts over: the memory of the adverts already played is forgotten here. */
  onRestart?: () => void;
}

/**
 * Reads a record file instead of an adapter, at the recorded pace or as fast as the sink takes
 * it. A file can wait, so while the sink is blocked the replay pauses instead of dropping. Bad
 * lines are counted (`bad_record`) and skipped. When the file (or standard input) ends, and
 * `loop` is off, the channel says so and {@link ReplayLink.done} gives the line that says it.
 */
export class ReplayLink {
  private readonly abort = new AbortController();
  private running: Promise<string | undefined> | undefined;

  constructor(private readonly o: ReplayLinkOptions) {}

  start(): void {
    const { ctx, source, channel, router } = this.o;
    const signal = this.abort.signal;
    const name = source.file === '-' ? 'standard input' : source.file;
    channel.set('connected', `replaying ${name}`);
    const onAdvert = (advert: Advert): void | Promise<void> => {
      if (!ctx.flow.blocked()) return router.advert(advert);
      return ctx.flow.whenOpen(signal).then(() => {
        if (!signal.aborted) router.advert(advert);
      });
    };
    this.running = replayRecords({
      source: source.file === '-' ? () => this.o.stdin ?? process.stdin : source.file,
      pace: source.pace,
      speed: source.speed,
      maxGapMs: source.maxGapMs,
      loop: source.loop,
      ...(this.o.onRestart ? { onPass: this.o.onRestart } : {}),
      timestamps: source.timestamps,
      now: () => ctx.clock.now(),
      signal,
      onAdvert,
      onProblem: (line, reason) => {
        ctx.metrics.error(channel.name, 'bad_record');
        ctx.problems.report('ble.replay.bad_record', `${name}:${line}: ${reason}; the line is skipped`);
      },
    }).then(
      (result) => {
        if (signal.aborted) return undefined;
        const said = `the replay of ${name} ended after ${result.adverts} adverts (${result.malformed} bad lines)`;
        channel.set('disconnected', said);
        return said;
      },
      (err: unknown) => {
        channel.set('failed', (err as Error).message);
        return undefined;
      },
    );
  }

  /**
   * Resolves once the file ended (with the line saying so), could not be read or the replay
   * was stopped (with undefined).
   */
  done(): Promise<string | undefined> {
    return this.running ?? Promise.resolve(undefined);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }
}
