import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until as waitFor } from '../src/testing/until.js';
import { startDeviceServer } from './helpers/device-server.js';
import { captureLogger, metric, startGateway, tempDir, wsSink, sinkAt } from './helpers/ws-sink.js';

const T0 = 1_700_000_000_000;

/** Servers without the `ack` extension (the real Plexus gateway): the pong after a frame is its acknowledgement. */
describe('WebSocket sink without acks', () => {
  it('a half-open connection (pings never answered) is dropped after ack_timeout_ms and its batches are sent again', async () => {
    // The first connection reads every frame and answers nothing, as a proxy swallowing traffic
    // or a peer gone behind a NAT that forgot us; the second is a working server.
    const server = await startDeviceServer({ pongs: (connection) => connection > 1 });
    const { logger, lines } = captureLogger();
    const s = sinkAt(server.url, { logger, batch: { maxPoints: 10, lingerMs: 5 }, websocket: { ackTimeoutMs: 300, heartbeatMs: 600_000 } });
    for (let i = 0; i < 50; i++) s.send('seq', i, { timestamp: T0 + i });
    await s.flush({ timeoutMs: 20_000 });
    const first = server.frames.filter((f) => f.connection === 1);
    const later = server.frames.filter((f) => f.connection > 1).flatMap((f) => f.points.map((p) => p.value));
    expect(first.length).toBeGreaterThan(0);
    expect(new Set(later).size).toBe(50);
    expect(s.status().spool.points).toBe(0);
    expect(lines().some((l) => /no pong within 300 ms of a telemetry frame/.test(JSON.stringify(l)))).toBe(true);
    expect(await metric(s.registry, 'fieldbridge_ws_frames_unconfirmed_total')).toBeGreaterThan(0);
    expect(await metric(s.registry, 'fieldbridge_ws_frames_possibly_lost_total')).toBe(0);
  });

  it('an error frame naming points[i] of a held batch dead-letters that point and delivers the rest, logged once', async () => {
    const server = await startDeviceServer({
      telemetry(frame, reply) {
        const bad = frame.points.findIndex((p) => p.value === 7);
        if (bad < 0) return true;
        reply({ type: 'error', code: 'invalid_telemetry', detail: `points[${bad}].value refused by policy`, trace_id: frame.traceId });
        return false;
      },
    });
    const dir = tempDir();
    const { logger, lines } = captureLogger();
    const s = sinkAt(server.url, { logger, deadLetterPath: join(dir, 'dead.ndjson'), batch: { maxPoints: 1000, lingerMs: 5 } });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) s.send('seq', i, { timestamp: T0 + round * 100 + i });
      await s.flush({ timeoutMs: 10_000 });
    }
    const delivered = server.frames.flatMap((f) => f.points.map((p) => p.value));
    expect(delivered).toEqual([0, 1, 2].flatMap(() => [...Array(20).keys()].filter((v) => v !== 7)));
    const dead = readFileSync(join(dir, 'dead.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; point: { value: unknown } });
    expect(dead).toHaveLength(3);
    expect(dead[0]).toMatchObject({ reason: expect.stringMatching(/points\[7\]\.value refused by policy/), point: { value: 7 } });
    expect(await metric(s.registry, 'fieldbridge_points_dropped_total', { reason: 'rejected' })).toBe(3);
    expect(await metric(s.registry, 'fieldbridge_ws_server_errors_total', { code: 'invalid_telemetry' })).toBe(3);
    const said = lines().filter((l) => l.level >= 40 && /refused|error/.test(l.msg));
    expect(said).toHaveLength(1);
  });

  it('close() waits for the pong of the last frames: a clean stop reports nothing unconfirmed or lost', async () => {
    // Frames and pings take 100 ms to cross the gateway: the last pong comes well after the last write.
    const gateway = await startGateway({ wsAck: false, wsDelayMs: { toServer: 100 } });
    const { logger, lines } = captureLogger();
    const s = wsSink(gateway, { logger, batch: { maxPoints: 20, lingerMs: 5 } });
    await waitFor(() => gateway.devices().length === 1, 'connected');
    for (let i = 0; i < 100; i++) s.send('seq', i, { timestamp: T0 + i });
    expect(await s.close()).toMatchObject({ lost: 0, kept: 0, refused: 0 });
    expect(gateway.points({ metric: 'seq' })).toHaveLength(100);
    expect(await metric(s.registry, 'fieldbridge_ws_frames_unconfirmed_total')).toBe(0);
    expect(await metric(s.registry, 'fieldbridge_ws_frames_possibly_lost_total')).toBe(0);
    expect(lines().filter((l) => /not (yet )?confirmed|lost/.test(l.msg))).toEqual([]);
  });

  it('keeps 8 batches in flight by default while their pongs are on the way', async () => {
    // No pong until 8 frames arrived: fewer batches in flight would wait for ack_timeout_ms.
    const server = await startDeviceServer({ holdPongsUntilFrames: 8 });
    const s = sinkAt(server.url, { batch: { maxPoints: 10, lingerMs: 5 }, websocket: { ackTimeoutMs: 60_000 } });
    for (let i = 0; i < 80; i++) s.send('seq', i, { timestamp: T0 + i });
    await s.flush({ timeoutMs: 30_000 });
    expect(server.frames.flatMap((f) => f.points.map((p) => p.value))).toHaveLength(80);
    expect(server.connections()).toBe(1);
  });

  it('a message of unknown type is answered with an error frame naming it, and logged once', async () => {
    const gateway = await startGateway({ wsAck: false });
    const { logger, lines } = captureLogger();
    const s = wsSink(gateway, { logger });
    await waitFor(() => gateway.devices().length === 1, 'connected');
    for (let n = 0; n < 2; n++) {
      const [answer] = await gateway.sendControl(undefined, { type: 'frobnicate' });
      expect(answer!.reply).toMatchObject({ type: 'error', code: 'unknown_type', in_reply_to: 'frobnicate' });
    }
    expect(lines().filter((l) => /unknown type "frobnicate"/.test(l.msg))).toMatchObject([{ level: 40 }]);
    expect(await metric(s.registry, 'fieldbridge_ws_control_messages_total', { type: 'unknown' })).toBe(2);
  });
});
