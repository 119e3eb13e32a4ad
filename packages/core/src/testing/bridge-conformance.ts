import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { FileConfig } from '../config/file-schema.js';
import type { BridgeDefinition, BridgeInstance } from '../runtime/define-bridge.js';
import { startBridge } from '../runtime/start-bridge.js';
import { modulesLoadedByImport } from './_import-probe.js';
import { createTestContext, type TestContext } from './bridge-context.js';
import { trackCleanups } from './cleanup.js';
import { createCollectingSink } from './collecting-sink.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

/** A real peer started for one conformance test. */
export interface ConformancePeer {
  /** Where it listens, when the bridge reaches it over TCP: the suite puts a fault proxy in front. */
  tcp?: { host: string; port: number };
  /** Makes the peer produce something the bridge reads (publish a message, change a value). Default: nothing. */
  stimulate?(): Promise<void>;
  close(): Promise<void>;
}

/** What a bridge gives the conformance suite. */
export interface BridgeConformanceHarness {
  definition: BridgeDefinition;
  /** Starts a fresh real peer (a broker, a server, a simulated adapter). */
  startPeer(): Promise<ConformancePeer>;
  /**
   * The bridge's section (as written in a mapping file, validated by its schema) reading `peer`
   * at `address`: the fault proxy in front of it, or undefined when the peer is not TCP.
   */
  section(peer: ConformancePeer, address: { host: string; port: number } | undefined): unknown;
  /** Secret values the section holds (a password): `describe()` must print none of them. */
  secrets?: string[];
  /**
   * The built package entry (`new URL('../dist/index.js', import.meta.url).href`, or the package
   * name), the heavy modules it must not load at import (`modbus-serial`), and the package folder
   * it is imported from. Without it the "loads no heavy protocol library" test is skipped. The
   * entry is the built one, imported by a plain node process: build the package before the test.
   */
  lazy?: { entry: string; modules: string[]; cwd: string };
}

/** Safety bound of each wait, in ms: well above any normal run, so a hang fails with a message. */
const WAIT_MS = 20_000;

/**
 * Timeout of each conformance test and of its cleanup, in ms, set by the suite itself: a test
 * waits up to {@link WAIT_MS} several times, so a package on vitest's defaults (5 s, hooks 10 s)
 * still gets the suite's own message rather than a timeout, or a stop that is slow but finishes
 * reported against the next test.
 */
export const CONFORMANCE_TEST_TIMEOUT_MS = 60_000;

/**
 * The suite every bridge runs against its own real peer (docs/BRIDGE.md): `create` connects to
 * nothing and heavy libraries load only in `start`; `describe` prints no secret; points flow and
 * every required channel connects, counted in the standard metrics; `stop` is prompt even
 * mid-connect and idempotent; a lost connection is reported and recovered; `--once` delivers
 * from every required channel. Call at the top level of a test file.
 */
export function describeBridgeConformance(name: string, harness: BridgeConformanceHarness): void {
  const track = trackCleanups({ timeoutMs: CONFORMANCE_TEST_TIMEOUT_MS });
  const { definition } = harness;
  const timeout = CONFORMANCE_TEST_TIMEOUT_MS;

  const parse = (section: unknown): unknown => {
    const parsed = definition.configSchema.safeParse(section);
    if (!parsed.success) throw new Error(`the harness gave an invalid ${definition.name} section: ${parsed.error.message}`);
    return parsed.data;
  };

  /** A peer behind a fault proxy (when TCP), a test context and the bridge created on it. */
  const setup = async (): Promise<{ peer: ConformancePeer; proxy: FaultProxy | undefined; t: TestContext; bridge: BridgeInstance }> => {
    const peer = track.add(await harness.startPeer(), (p) => p.close());
    const proxy = peer.tcp ? track.add(await startFaultProxy({ target: peer.tcp }), (p) => p.close()) : undefined;
    const t = createTestContext({ bridge: definition.name });
    track.defer(() => t.abort.abort());
    const bridge = track.add(definition.create(parse(harness.section(peer, proxy)), t.ctx), (b) => b.stop());
    return { peer, proxy, t, bridge };
  };

  const flowing = async (peer: ConformancePeer, t: TestContext, after: number, what: string): Promise<void> => {
    const stimulate = async (): Promise<void> => {
      while (t.points.length <= after) {
        await peer.stimulate?.();
        await t.waitFor(() => t.points.length > after, what, 500).catch(() => undefined);
      }
    };
    await Promise.race([stimulate(), t.waitFor(() => t.points.length > after, what, WAIT_MS)]);
  };

  describe(`bridge conformance: ${name}`, () => {
    it('create() connects to nothing; start() does', { timeout }, async () => {
      const { proxy, bridge, t } = await setup();
      await new Promise((resolve) => setImmediate(resolve));
      if (proxy) expect(proxy.connections()).toBe(0);
      expect(t.points).toEqual([]);
      await bridge.start();
      if (proxy) await t.waitFor(() => proxy.connections() > 0, 'a connection after start()', WAIT_MS).catch(() => expect(proxy.connections()).toBeGreaterThan(0));
    });

    it('describe() says what would be read, and prints no secret', { timeout }, () => {
      const lines = definition.describe(parse(harness.section({ close: async () => undefined }, { host: '127.0.0.1', port: 1 })));
      expect(lines.length).toBeGreaterThan(0);
      for (const secret of harness.secrets ?? []) expect(lines.join('\n')).not.toContain(secret);
    });

    it('points flow, every required channel connects, and the standard metrics count them', { timeout }, async () => {
      const { peer, bridge, t } = await setup();
      await bridge.start();
      await flowing(peer, t, 0, 'the first points');
      await t.waitFor(() => Object.keys(t.channels()).length > 0 && t.ready(), 'every required channel connected', WAIT_MS);
      const channel = Object.keys(t.channels())[0]!;
      expect(await t.metric('fieldbridge_source_connected', { bridge: definition.name, channel })).toBe(1);
      const counted = await t.registry.getSingleMetric('fieldbridge_source_points_total')!.get();
      expect(counted.values.filter((v) => v.labels.bridge === definition.name).reduce((n, v) => n + v.value, 0)).toBeGreaterThan(0);
      for (const point of t.points) expect(typeof point.metric).toBe('string');
    });

    it('stop() is prompt even while connecting to a frozen peer, and idempotent', { timeout }, async () => {
      const { proxy, bridge } = await setup();
      proxy?.mode('blackhole');
      await bridge.start();
      const stopped = bridge.stop().then(() => 'stopped' as const);
      const hung = new Promise<'hung'>((resolve) => setTimeout(resolve, 5000, 'hung').unref());
      expect(await Promise.race([stopped, hung])).toBe('stopped');
      await bridge.stop();
    });

    it('a lost connection is reported, and reading resumes when the peer is back', { timeout }, async (ctx) => {
      const { peer, proxy, bridge, t } = await setup();
      if (!proxy) return ctx.skip();
      await bridge.start();
      await flowing(peer, t, 0, 'the first points');
      await t.waitFor(() => t.ready(), 'ready', WAIT_MS);
      proxy.mode('refuse');
      await t.waitFor(() => !t.ready(), 'a required channel reported down', WAIT_MS);
      proxy.mode('pass');
      const before = t.points.length;
      await t.waitFor(() => t.ready(), 'every required channel connected again', WAIT_MS);
      await flowing(peer, t, before, 'points after the reconnect');
    });

    it('--once delivers from every required channel, then stops', { timeout }, async () => {
      const peer = track.add(await harness.startPeer(), (p) => p.close());
      const { sink, points: lines } = createCollectingSink({ sourceId: 'conformance' });
      track.defer(() => sink.close());
      const config = { source_id: 'conformance', sink: { url: 'stdout' }, [definition.name]: parse(harness.section(peer, peer.tcp)) } as FileConfig;
      const running = await startBridge(definition, config, { sink, deferStart: true, logger: pino({ level: 'silent' }) });
      track.defer(() => running.stop());
      // Stimulated until the once is over: it may wait for several channels, each heard in turn.
      let onceDone = false;
      const stimulating = (async () => {
        for (let i = 0; i < WAIT_MS / 100 && !onceDone; i++) {
          await peer.stimulate?.();
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const report = await running.once(WAIT_MS).finally(() => (onceDone = true));
      await running.stop();
      await stimulating;
      await sink.flush();
      expect(report.silent).toEqual([]);
      expect(lines.length).toBeGreaterThan(0);
    });

    it('importing the package loads no heavy protocol library', { timeout }, (ctx) => {
      if (!harness.lazy) return ctx.skip();
      expect(modulesLoadedByImport(harness.lazy), `${harness.lazy.entry} loads these at import; load them in start() with import()`).toEqual([]);
    });
  });
}
