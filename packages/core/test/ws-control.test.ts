import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runBridgeCli } from '../src/cli/index.js';
import { createClock, defineBridge, parseMapping, startBridge, type BridgeDefinition, type RunningBridge } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { spawnCounterCli } from './helpers/spawn-cli.js';
import { until as waitFor } from '../src/testing/until.js';
import { captureLogger, KEY, metric, startGateway, tempDir, wsSink } from './helpers/ws-sink.js';

const T0 = 1_700_000_000_000;

describe('WebSocket sink: dashboard control', () => {
  it('answers ping with pong', async () => {
    const gateway = await startGateway();
    const s = wsSink(gateway);
    await waitFor(() => gateway.devices().length === 1, 'connected');
    expect(await gateway.sendControl('ws-test', { type: 'ping', id: 42 })).toEqual([{ sourceId: 'ws-test', reply: { type: 'pong', id: 42 } }]);
    expect(await metric(s.registry, 'fieldbridge_ws_control_messages_total', { type: 'ping' })).toBe(1);
  });

  it('start_stream forwards only the requested metrics, throttled per series; stop_stream restores everything', async () => {
    const gateway = await startGateway();
    let jumpMs = 0;
    const clock = createClock({ monotonicNow: () => performance.timeOrigin + performance.now() + jumpMs });
    const s = wsSink(gateway, { clock });
    await waitFor(() => gateway.devices().length === 1, 'connected');
    await gateway.sendControl(undefined, { type: 'start_stream', metrics: ['keep.*'], interval_ms: 1000 });
    const write = (metric: string, value: number, tags?: Record<string, string>) => s.send(metric, value, { timestamp: T0 + value, ...(tags ? { tags } : {}) });
    write('keep.a', 1);
    write('keep.a', 2);
    write('keep.a', 3, { motor: 'b' });
    write('other', 4);
    jumpMs += 1000;
    write('keep.a', 5);
    write('keep.a', 6);
    await gateway.sendControl(undefined, { type: 'stop_stream' });
    write('other', 7);
    write('keep.a', 8);
    await s.flush();
    expect(gateway.points().map((p) => p.value)).toEqual([1, 3, 5, 7, 8]);
    expect(await metric(s.registry, 'fieldbridge_points_dropped_total', { reason: 'filtered' })).toBe(1);
    expect(await metric(s.registry, 'fieldbridge_points_dropped_total', { reason: 'throttled' })).toBe(2);
  });

  it('refuses a malformed start_stream with an error frame naming it', async () => {
    const gateway = await startGateway();
    wsSink(gateway);
    await waitFor(() => gateway.devices().length === 1, 'connected');
    const [result] = await gateway.sendControl(undefined, { type: 'start_stream', metrics: 'all' });
    expect(gateway.devices()[0]!.messages.map((m) => m.frame)).toContainEqual({
      type: 'error',
      code: 'bad_request',
      detail: 'metrics must be an array of metric names',
      in_reply_to: 'start_stream',
    });
    expect(result!.reply).toMatchObject({ type: 'error', in_reply_to: 'start_stream' });
  });

  it('start_session tags points with the session until stop_session, answering both', async () => {
    const gateway = await startGateway();
    const s = wsSink(gateway);
    await waitFor(() => gateway.devices().length === 1, 'connected');
    const [started] = await gateway.sendControl(undefined, { type: 'start_session', session_id: 'sess-7', session_name: 'Run 7' });
    expect(started!.reply).toEqual({ type: 'session_started', session_id: 'sess-7', session_name: 'Run 7' });
    s.send('m', 1, { timestamp: T0 });
    s.send('m', 2, { timestamp: T0 + 1, session_id: 'own' });
    await s.flush();
    const [stopped] = await gateway.sendControl(undefined, { type: 'stop_session' });
    expect(stopped!.reply).toEqual({ type: 'session_stopped', session_id: 'sess-7' });
    s.send('m', 3, { timestamp: T0 + 2 });
    await s.flush();
    expect(gateway.points().map((p) => [p.value, p.session_id])).toEqual([
      [1, 'sess-7'],
      [2, 'own'],
      [3, undefined],
    ]);
  });

  it('counts and logs error frames from the server', async () => {
    const gateway = await startGateway();
    const { logger, lines } = captureLogger();
    const s = wsSink(gateway, { logger });
    await waitFor(() => gateway.devices().length === 1, 'connected');
    await gateway.sendControl(undefined, { type: 'error', code: 'quota', detail: 'over the storage quota' });
    expect(await metric(s.registry, 'fieldbridge_ws_server_errors_total', { code: 'quota' })).toBe(1);
    expect(lines().find((l) => l.msg.startsWith('the server sent an error: quota: over the storage quota'))).toMatchObject({ level: 40, code: 'quota' });
  });
});

describe('WebSocket sink: configure and --session', () => {
  const mapping = (url: string, bridge: string, section: string) =>
    `source_id: cfg-test\nsink:\n  url: ${url}\n  api_key: ${KEY}\n  batch: { linger_ms: 5 }\n${bridge}:\n${section}`;
  const start = <D extends BridgeDefinition>(definition: D, text: string): Promise<RunningBridge> =>
    startBridge(definition, parseMapping(text, 'map.yaml', definition), { logger: pino({ level: 'silent' }) });

  it('configure is handed to the running bridge and answered', async () => {
    const gateway = await startGateway();
    const bridge = await start(counterBridge, mapping(gateway.wsUrl, 'counter', '  interval_ms: 60000\n  channels: [{ name: a, metric: demo.a }]\n'));
    try {
      await waitFor(() => gateway.devices().length === 1, 'connected');
      expect(gateway.devices()[0]!.agentVersion).toBe('bridge-counter/0.0.0-test');
      const [ok] = await gateway.sendControl(undefined, { type: 'configure', id: 'c1', config: { interval_ms: 5 } });
      expect(ok!.reply).toEqual({ type: 'configure_result', id: 'c1', ok: true, result: { interval_ms: 5 } });
      // At 60 s per tick this would take minutes; at the configured 5 ms it takes moments.
      await waitFor(() => gateway.points({ metric: 'demo.a' }).length >= 5, 'ticks at the new interval');
      const [bad] = await gateway.sendControl(undefined, { type: 'configure', config: { interval_ms: -1 } });
      expect(bad!.reply).toEqual({ type: 'configure_result', ok: false, error: 'configure: interval_ms must be a positive number' });
    } finally {
      await bridge.stop();
    }
  });

  it('a bridge without configure answers with an error saying so', async () => {
    const gateway = await startGateway();
    const plain = defineBridge({
      name: 'plain',
      version: '1.0.0',
      configSchema: z.strictObject({}),
      describe: () => [],
      create: () => ({ start: async () => undefined, once: async () => undefined, stop: async () => undefined }),
    });
    const bridge = await start(plain, mapping(gateway.wsUrl, 'plain', '  {}\n'));
    try {
      await waitFor(() => gateway.devices().length === 1, 'connected');
      const [result] = await gateway.sendControl(undefined, { type: 'configure', config: { x: 1 } });
      expect(result!.reply).toMatchObject({ type: 'configure_result', ok: false, error: expect.stringContaining('bridge-plain does not accept configure requests') });
    } finally {
      await bridge.stop();
    }
  });

  it('--session NAME tags every point and tells the server', async () => {
    const gateway = await startGateway();
    const file = join(tempDir(), 'map.yaml');
    writeFileSync(file, mapping(gateway.wsUrl, 'counter', '  interval_ms: 20\n  channels: [{ name: a, metric: demo.a }]\n'));
    const cli = spawnCounterCli(['--config', file, '--session', 'shift-3']);
    await waitFor(() => gateway.points({ metric: 'demo.a' }).length >= 3, 'points arrive');
    const device = gateway.devices()[0]!;
    expect(device.messages.map((m) => m.frame)).toContainEqual({ type: 'session_started', session_id: 'shift-3', session_name: 'shift-3' });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(new Set(gateway.points({ metric: 'demo.a' }).map((p) => p.session_id))).toEqual(new Set(['shift-3']));
  });

  it('--session with an empty name is a usage error', async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await runBridgeCli(counterBridge, ['--config', 'x.yaml', '--session', ''], { stdout: new PassThrough(), stderr, env: {} })).toBe(2);
    expect(err).toContain('--session needs a name');
  });
});
