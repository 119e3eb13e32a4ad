import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSink, defineBridge, startBridge, type BridgeContext, type BridgeInstance, type FileConfig } from '../src/index.js';
import { captureLogger } from './helpers/ws-sink.js';

/** A push source whose channels the test drives by hand; `silentWhy` as a bridge may give it. */
function pushBridge(silentWhy?: BridgeInstance['silentWhy']) {
  let ctx: BridgeContext | undefined;
  const definition = defineBridge({
    name: 'push',
    version: '0.0.0-test',
    configSchema: z.strictObject({ links: z.array(z.string()).min(1) }),
    describe: (c) => c.links,
    create(config, context) {
      ctx = context;
      return {
        async start() {
          for (const link of config.links) context.channel(link);
        },
        async stop() {},
        ...(silentWhy ? { silentWhy } : {}),
      };
    },
  });
  return { definition, context: () => ctx! };
}

async function run(links: string[], bufferPath?: string, logger = pino({ level: 'silent' }), silentWhy?: BridgeInstance['silentWhy']) {
  const { definition, context } = pushBridge(silentWhy);
  const sink = createSink({ url: 'stdout', stdout: { write: (_: unknown, cb?: () => void) => (cb?.(), true) } as unknown as NodeJS.WritableStream, sourceId: 'push', logger: pino({ level: 'silent' }) });
  const sinkSection = bufferPath === undefined ? { url: 'stdout' } : { url: 'stdout', buffer: { path: bufferPath } };
  const config = { source_id: 'push', sink: sinkSection, push: { links } } as unknown as FileConfig<typeof definition>;
  const running = await startBridge(definition, config, { sink, deferStart: true, logger });
  return { running, context, sink };
}

describe('runtime: channels of push sources', () => {
  it("lends the bridge the file's source_id, from which it may name sources of its own", async () => {
    const { running, context, sink } = await run(['link']);
    expect(context().sourceId).toBe('push');
    await running.stop();
    await sink.close();
  });

  it('an optional channel that closes leaves /readyz ready; a required channel that is down makes it unready', async () => {
    const { running, context, sink } = await run(['link']);
    await running.instance.start();
    const link = context().channel('link');
    link.set('connected');
    const vehicle = context().channel('drone-7', { required: false, parent: 'link' });
    vehicle.set('connected');
    expect(running.readiness()).toMatchObject({ ready: true, details: { channels: { link: 'connected' }, optional_channels: { 'drone-7': 'connected' } } });
    // Nothing was sent yet: the receiver has not been heard from.
    expect(running.readiness().details.sink).toEqual({ refused: false, backpressured: false, stalled: false, spooled_points: 0, receiver: 'waiting' });
    vehicle.set('disconnected', 'no heartbeat for 5 s');
    vehicle.close('link lost');
    expect(running.readiness().ready).toBe(true);
    expect(running.readiness().details).not.toHaveProperty('optional_channels');
    link.set('disconnected', 'socket closed');
    expect(running.readiness()).toMatchObject({ ready: false, details: { channels: { link: 'disconnected' } } });
    await running.stop();
    await sink.close();
  });

  it('--once for a push source waits until every required channel emitted (a child counts for its parent)', async () => {
    const { running, context, sink } = await run(['a', 'b']);
    const once = running.once(10_000);
    await new Promise((resolve) => setImmediate(resolve));
    context().channel('a').set('connected');
    context().channel('b').set('connected');
    context().emit('a', [{ metric: 'a.x', value: 1 }]);
    context().channel('b-child', { required: false, parent: 'b' });
    context().emit('b-child', [{ metric: 'b.y', value: 2 }]);
    expect(await once).toEqual({ silent: [] });
    await running.stop();
    await sink.close();
  });

  it('--once waits for an awaited optional channel too, which never makes the bridge unready, and names it when it stays silent', async () => {
    const { running, context, sink } = await run(['a']);
    const once = running.once(200);
    await new Promise((resolve) => setImmediate(resolve));
    context().channel('a').set('connected');
    const tag = context().channel('kitchen', { required: false, awaited: true, parent: 'a' });
    const quiet = context().channel('garage', { required: false, awaited: true, parent: 'a' });
    expect(running.readiness().ready).toBe(true);
    context().emit('a', [{ metric: 'a.x', value: 1 }]);
    context().emit(tag, [{ metric: 'kitchen.t', value: 21 }]);
    expect(await once).toEqual({ silent: ['garage'] });
    expect(quiet.state()).toBe('connecting');
    await running.stop();
    await sink.close();
  });

  it('--once counts points read on a channel still reported connecting (values that came before the source said connected)', async () => {
    const { running, context, sink } = await run(['a']);
    const once = running.once(10_000);
    await new Promise((resolve) => setImmediate(resolve));
    context().channel('a');
    context().emit('a', [{ metric: 'a.x', value: 1 }]);
    expect(await once).toEqual({ silent: [] });
    await running.stop();
    await sink.close();
  });

  it('--once stops waiting for a silent channel once the source ran out', async () => {
    let end: (reason: string) => void = () => undefined;
    const definition = defineBridge({
      name: 'replay',
      version: '0.0.0-test',
      configSchema: z.strictObject({}),
      describe: () => ['a capture'],
      create: (_config, context) => ({
        async start() {
          context.channel('log').set('connected');
          context.channel('quiet');
        },
        async stop() {},
        ended: new Promise<string>((resolve) => (end = resolve)),
      }),
    });
    const sink = createSink({ url: 'stdout', stdout: { write: (_: unknown, cb?: () => void) => (cb?.(), true) } as unknown as NodeJS.WritableStream, sourceId: 'replay', logger: pino({ level: 'silent' }) });
    const config = { source_id: 'replay', sink: { url: 'stdout' }, replay: {} } as unknown as FileConfig<typeof definition>;
    const running = await startBridge(definition, config, { sink, deferStart: true, logger: pino({ level: 'silent' }) });
    const once = running.once(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    end('the log ended');
    expect(await once).toEqual({ silent: ['log', 'quiet'] });
    await running.stop();
    await sink.close();
  });

  it('--once reports silent channels at the timeout, and fails when nothing ever connected', async () => {
    const first = await run(['a', 'b']);
    const once = first.running.once(100);
    await new Promise((resolve) => setImmediate(resolve));
    first.context().channel('a').set('connected');
    first.context().emit('a', [{ metric: 'a.x', value: 1 }]);
    expect(await once).toEqual({ silent: ['b'] });
    await first.running.stop();
    await first.sink.close();

    const second = await run(['a']);
    await expect(second.running.once(50)).rejects.toMatchObject({ code: 'BRIDGE_FAILED', message: expect.stringMatching(/a connecting/) });
    await second.running.stop();
    await second.sink.close();
  });

  it('--once that stops early because every required channel failed says so, not that it waited its whole time', async () => {
    const { running, context, sink } = await run(['a']);
    const once = running.once(600_000);
    await new Promise((resolve) => setImmediate(resolve));
    context().channel('a').set('failed', 'the server refused the certificate');
    const err = await once.then(() => undefined, (e: Error) => e);
    expect(err).toMatchObject({ code: 'BRIDGE_FAILED' });
    expect(err!.message).toMatch(/^--once: bridge-push read nothing: it stopped after \d+ ms \(of at most 600000 ms\) because every required channel failed \(a failed: the server refused the certificate\); see the log for why$/);
    expect(err!.message).not.toContain('within');
    await running.stop();
    await sink.close();
  });

  it('a reason set with a headline is told whole once, by the bridge: the state line and --once say the headline, /readyz the whole reason', async () => {
    const { logger, lines } = captureLogger();
    const { running, context, sink } = await run(['a'], undefined, logger);
    const once = running.once(600_000);
    await new Promise((resolve) => setImmediate(resolve));
    const whole = "the server's certificate (thumbprint 0a1b) is not trusted: move rejected/x.pem into trusted/certs/";
    context().channel('a').set('failed', whole, { headline: "the server's certificate is not trusted" });
    const err = await once.then(() => undefined, (e: Error) => e);
    expect(err!.message).toMatch(/because every required channel failed \(a failed: the server's certificate is not trusted\); see the log for why$/);
    expect(lines().filter((l) => l.msg.startsWith('a: '))).toMatchObject([{ msg: "a: failed (the server's certificate is not trusted)", reason: "the server's certificate is not trusted" }]);
    expect(running.readiness().details.reasons).toEqual({ a: whole });
    // A reason set again without one is said as it is.
    context().channel('a').set('disconnected', 'connection refused');
    expect(lines().at(-1)?.msg).toBe('a: disconnected (connection refused)');
    await running.stop();
    await sink.close();
  });

  it('--once says of a connected channel without points whether problems were logged, or nothing may have arrived', async () => {
    for (const withProblem of [false, true]) {
      const { logger, lines } = captureLogger();
      const { running, context, sink } = await run(['a', 'b'], undefined, logger);
      const once = running.once(100);
      await new Promise((resolve) => setImmediate(resolve));
      context().channel('a').set('connected');
      context().channel('b').set('connected');
      context().emit('a', [{ metric: 'a.x', value: 1 }]);
      if (withProblem) context().problems.report('b:decode', 'a payload on b does not decode');
      expect(await once).toEqual({ silent: ['b'] });
      const said = lines().find((l) => l.msg.startsWith('--once: nothing within'))?.msg;
      expect(said).toContain(withProblem ? 'b (connected, but nothing it sent gave a point: see its problems above)' : 'b (connected, but no point came of it and no problem was logged: is anything sending there?)');
      await running.stop();
      await sink.close();
    }
  });

  it('--once stopped early (Ctrl-C) says after how long, not that it waited its whole time', async () => {
    const { logger, lines } = captureLogger();
    const { running, context, sink } = await run(['a', 'b'], undefined, logger);
    const once = running.once(600_000);
    await new Promise((resolve) => setImmediate(resolve));
    context().channel('a').set('connected');
    context().channel('b').set('connected');
    context().emit('a', [{ metric: 'a.x', value: 1 }]);
    void running.stop();
    expect(await once).toEqual({ silent: ['b'] });
    const said = lines().find((l) => l.msg.startsWith('--once: nothing'))?.msg;
    expect(said).toMatch(/^--once: nothing before the cycle was stopped \(after \d+ ms\) on b \(connected, but /);
    await sink.close();
  });

  it('--once stopped (Ctrl-C) before any channel connected says after how long, not that it waited its whole time', async () => {
    const { running, sink } = await run(['a']);
    const once = running.once(600_000);
    await new Promise((resolve) => setImmediate(resolve));
    void running.stop();
    await expect(once).rejects.toThrow(/^--once: bridge-push read nothing: it stopped after \d+ ms \(of at most 600000 ms\) \(a connecting\); see the log/);
    await sink.close();
  });

  it("--once says a connected channel's silence in the bridge's words when it has some", async () => {
    const { logger, lines } = captureLogger();
    const why = (channel: string) => (channel === 'b' ? 'no message came on b/# at all: the broker retains none there' : undefined);
    const { running, context, sink } = await run(['a', 'b', 'c'], undefined, logger, why);
    const once = running.once(100);
    await new Promise((resolve) => setImmediate(resolve));
    for (const name of ['a', 'b', 'c']) context().channel(name).set('connected');
    context().emit('a', [{ metric: 'a.x', value: 1 }]);
    expect(await once).toEqual({ silent: ['b', 'c'] });
    const said = lines().find((l) => l.msg.startsWith('--once: nothing within'))?.msg;
    expect(said).toBe('--once: nothing within 100 ms on b (connected, but no message came on b/# at all: the broker retains none there), c (connected, but no point came of it and no problem was logged: is anything sending there?)');
    await running.stop();
    await sink.close();
  });

  it('--once that read nothing names each channel with the reason it was last given', async () => {
    const { running, context, sink } = await run(['a', 'b']);
    const once = running.once(50);
    await new Promise((resolve) => setImmediate(resolve));
    context().channel('a').set('disconnected', 'connection refused');
    context().channel('a').set('disconnected', 'connection refused again');
    context().channel('b').set('failed', 'not authorized');
    await expect(once).rejects.toMatchObject({ code: 'BRIDGE_FAILED', message: expect.stringContaining('(a disconnected: connection refused again, b failed: not authorized)') });
    // /readyz says why, too.
    expect(running.readiness().details).toMatchObject({ channels: { a: 'disconnected', b: 'failed' }, reasons: { a: 'connection refused again', b: 'not authorized' } });
    context().channel('a').set('connected');
    expect(running.readiness().details.reasons).toEqual({ b: 'not authorized' });
    await running.stop();
    await sink.close();
  });

  it('tells the bridge the folder of the durable spool (stateDir), and nothing with a memory spool', async () => {
    const durable = await run(['a'], './spool-here');
    expect(durable.context().stateDir).toBe('./spool-here');
    await durable.running.stop();
    await durable.sink.close();
    const memory = await run(['a']);
    expect(memory.context().stateDir).toBeUndefined();
    await memory.running.stop();
    await memory.sink.close();
  });
});
