// What a bridge keeps open across SIGHUP reloads (`ctx.keepOpen`): taken up by the next start
// with the same settings, replaced (the old one closed first) with other settings, closed when
// nothing takes it up after a reload and when the run ends.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSink, defineBridge, releaseKept, releaseUnheld, startBridge, type FileConfig, type Kept, type Sink } from '../src/index.js';
import { createTestContext } from '../src/testing/index.js';

/** A resource that says what happens to it, in `log`. */
function resources(log: string[]) {
  let made = 0;
  return (settings: string) => ({
    settings,
    open: () => {
      made += 1;
      log.push(`open ${settings} #${made}`);
      return { id: made, settings };
    },
    dispose: (r: { id: number; settings: string }) => {
      log.push(`dispose #${r.id}`);
    },
  });
}

describe('ctx.keepOpen in a test context', () => {
  it('without a shared reloadState, letGo disposes it', async () => {
    const log: string[] = [];
    const t = createTestContext({ bridge: 'x' });
    const kept = await t.ctx.keepOpen('link', resources(log)('a'));
    expect(kept.value.id).toBe(1);
    await kept.letGo();
    await kept.letGo();
    expect(log).toEqual(['open a #1', 'dispose #1']);
  });

  it('with a shared reloadState: the next start takes it up, other settings replace it (closed first), the end of the run closes it', async () => {
    const log: string[] = [];
    const make = resources(log);
    const reloadState = new Map<string, unknown>();
    const first = await createTestContext({ bridge: 'x', reloadState }).ctx.keepOpen('link', make('a'));
    await first.letGo();
    expect(log).toEqual(['open a #1']);

    const second = await createTestContext({ bridge: 'x', reloadState }).ctx.keepOpen('link', make('a'));
    expect(second.value).toBe(first.value);
    // Held by the running start: a release after the reload leaves it.
    await releaseUnheld(reloadState);
    expect(log).toEqual(['open a #1']);
    await second.letGo();

    const third = await createTestContext({ bridge: 'x', reloadState }).ctx.keepOpen('link', make('b'));
    expect(log).toEqual(['open a #1', 'dispose #1', 'open b #2']);
    await third.letGo();
    await releaseKept(reloadState);
    expect(log).toEqual(['open a #1', 'dispose #1', 'open b #2', 'dispose #2']);
  });

  it('discard: a resource that broke is disposed at once, once, and the next start with the same settings opens a new one', async () => {
    const log: string[] = [];
    const make = resources(log);
    const reloadState = new Map<string, unknown>();
    const first = await createTestContext({ bridge: 'x', reloadState }).ctx.keepOpen('link', make('a'));
    await Promise.all([first.discard(), first.discard()]);
    await first.letGo();
    expect(log).toEqual(['open a #1', 'dispose #1']);

    const second = await createTestContext({ bridge: 'x', reloadState }).ctx.keepOpen('link', make('a'));
    expect(second.value.id).toBe(2);
    await second.letGo();
    await releaseKept(reloadState);
    expect(log).toEqual(['open a #1', 'dispose #1', 'open a #2', 'dispose #2']);

    // Without a shared reloadState: letGo after discard disposes nothing more.
    const alone = await createTestContext({ bridge: 'x' }).ctx.keepOpen('link', make('c'));
    await alone.discard();
    await alone.letGo();
    expect(log.slice(4)).toEqual(['open c #3', 'dispose #3']);
  });

  it('what no start took up after a reload is closed by releaseUnheld; an open that fails keeps nothing', async () => {
    const log: string[] = [];
    const reloadState = new Map<string, unknown>();
    const kept = await createTestContext({ bridge: 'x', reloadState }).ctx.keepOpen('link', resources(log)('a'));
    await kept.letGo();
    await releaseUnheld(reloadState);
    expect(log).toEqual(['open a #1', 'dispose #1']);

    const ctx = createTestContext({ bridge: 'x', reloadState }).ctx;
    await expect(ctx.keepOpen('link', { settings: 'c', open: () => Promise.reject(new Error('EADDRINUSE')), dispose: () => undefined })).rejects.toThrow('EADDRINUSE');
    const again = await ctx.keepOpen('link', resources(log)('c'));
    expect(again.value.settings).toBe('c');
    await releaseKept(reloadState);
    expect(log).toEqual(['open a #1', 'dispose #1', 'open c #1', 'dispose #1']);
  });
});

/** A stdout sink that writes nowhere. */
function stubSink(): Sink {
  return createSink({ url: 'stdout', stdout: { write: (_: unknown, cb?: () => void) => (cb?.(), true) } as unknown as NodeJS.WritableStream, sourceId: 'k', logger: pino({ level: 'silent' }) });
}

/** A bridge that keeps one resource open from start to stop, and lets it go at stop. */
function keepingBridge(log: string[]) {
  const make = resources(log);
  return defineBridge({
    name: 'keeper',
    version: '0.0.0-test',
    configSchema: z.strictObject({ port: z.string() }),
    describe: () => [],
    create(config, ctx) {
      let kept: Kept<unknown> | undefined;
      return {
        async start() {
          kept = await ctx.keepOpen('socket', make(config.port));
        },
        async stop() {
          await kept?.letGo();
        },
      };
    },
  });
}

describe('ctx.keepOpen under startBridge', () => {
  it('closes with the bridge when no reloadState is given, and is kept until releaseKept with one', async () => {
    const log: string[] = [];
    const definition = keepingBridge(log);
    const config = { source_id: 'k', sink: { url: 'stdout' }, keeper: { port: '1' } } as unknown as FileConfig<typeof definition>;
    const alone = await startBridge(definition, config, { sink: stubSink() });
    await alone.stop();
    expect(log).toEqual(['open 1 #1', 'dispose #1']);

    const reloadState = new Map<string, unknown>();
    const before = await startBridge(definition, config, { sink: stubSink(), reloadState });
    await before.stop();
    const after = await startBridge(definition, config, { sink: stubSink(), reloadState });
    expect(log).toEqual(['open 1 #1', 'dispose #1', 'open 1 #2']);
    await after.stop();
    await releaseKept(reloadState);
    for (const sink of [alone.sink, before.sink, after.sink]) await sink.close();
    expect(log).toEqual(['open 1 #1', 'dispose #1', 'open 1 #2', 'dispose #2']);
  });
});
