import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { startGateway } from './helpers.js';
import { authenticatedDevice, telemetry, type RawDevice } from './ws-helpers.js';

/** A protocol ping and its pong: the gateway handles frames in order, so everything sent before is handled. */
function roundTrip(device: RawDevice): Promise<void> {
  return new Promise((resolve) => device.ws.once('pong', () => resolve()).ping());
}

describe('WebSocket telemetry', () => {
  it('stores frames like HTTP batches, with batch_id = trace_id, and acks them', async () => {
    const gateway = await startGateway();
    const { device } = await authenticatedDevice(gateway, { source_id: 'plant', install_id: 'i1' });
    device.send(telemetry('t-1', 3, { session_id: 'run-1' }));
    expect(await device.next((f) => f.type === 'ack')).toEqual({ type: 'ack', trace_id: 't-1', count: 3 });
    const seen = device.frames.length;
    device.send(telemetry('t-1', 1));
    await device.next((f) => f.type === 'ack', seen);
    const points = gateway.points({ sourceId: 'plant' });
    expect(points).toHaveLength(4);
    expect(points[0]).toMatchObject({ metric: 'line1.rpm', value: 1000, source_id: 'plant', batch_id: 't-1', session_id: 'run-1' });
    expect(points[3]).toMatchObject({ batch_id: 't-1', duplicate: true });
    expect(points[3]!.session_id).toBeUndefined();
    expect(gateway.stats()).toMatchObject({ points: 4, batches: 2, duplicateBatches: 1, requests: 0 });
    expect(gateway.devices()[0]).toMatchObject({ telemetryFrames: 2, points: 4 });
  });

  it('refuses an invalid frame whole, naming the point and the trace id', async () => {
    const gateway = await startGateway();
    const { device } = await authenticatedDevice(gateway);
    const frame = telemetry('t-bad', 3);
    (frame.points as Array<Record<string, unknown>>)[1]!.value = 'x';
    (frame.points as Array<Record<string, unknown>>)[1]!.class = 'metric';
    device.send(frame);
    const error = await device.next((f) => f.type === 'error');
    expect(error).toMatchObject({ code: 'invalid_telemetry', trace_id: 't-bad', detail: expect.stringMatching(/^points\[1\]\.value/) });
    device.send({ type: 'telemetry', trace_id: 't-empty', points: [] });
    expect(await device.next((f) => f.type === 'error' && f.trace_id === 't-empty')).toMatchObject({ code: 'invalid_telemetry' });
    expect(gateway.points()).toEqual([]);
  });

  it('does not ack without the ack extension', async () => {
    const gateway = await startGateway({ wsAck: false });
    const { device } = await authenticatedDevice(gateway);
    device.send(telemetry('t-1'));
    device.send({ type: 'heartbeat', uptime_s: 7 });
    await roundTrip(device);
    expect(gateway.points()).toHaveLength(2);
    expect(gateway.devices()[0]).toMatchObject({ uptimeS: 7, heartbeats: 1 });
    expect(device.frames.filter((f) => f.type === 'ack')).toEqual([]);
  });

  it('answers time_sync with receive and send times of the offset server clock', async () => {
    const gateway = await startGateway({ clockOffsetMs: 90_000 });
    const { device } = await authenticatedDevice(gateway);
    const before = Date.now();
    device.send({ type: 'time_sync', t0: 123.5 });
    const answer = await device.next((f) => f.type === 'time_sync');
    expect(answer.t0).toBe(123.5);
    expect(answer.t1 as number).toBeGreaterThanOrEqual(before + 90_000);
    expect(answer.t2 as number).toBeGreaterThanOrEqual(answer.t1 as number);
    expect(gateway.devices()[0]!.timeSyncs).toBe(1);
  });

  it('delays each direction by wsDelayMs, keeping order, and answers pings only after the frames before them', async () => {
    // The gateway's clock and the device's are the same monotonic one: Date.now() drifts from it
    // by milliseconds in a long-lived process, more than these bounds allow.
    const now = (): number => performance.timeOrigin + performance.now();
    const gateway = await startGateway({ wsDelayMs: { toServer: 40, toDevice: 10 }, now });
    const { device } = await authenticatedDevice(gateway);
    const t0 = now();
    device.send({ type: 'time_sync', t0 });
    const answer = await device.next((f) => f.type === 'time_sync');
    const t3 = now();
    expect(answer.t1 as number).toBeGreaterThanOrEqual(Math.floor(t0) + 39);
    expect(t3 - (answer.t2 as number)).toBeGreaterThanOrEqual(9);
    for (let i = 0; i < 5; i++) device.send(telemetry(`t-${i}`, 1));
    await roundTrip(device);
    expect(gateway.points().map((p) => p.batch_id)).toEqual(['t-0', 't-1', 't-2', 't-3', 't-4']);
  });

  it('loses the frames still delayed when the connection drops, as a network would', async () => {
    const gateway = await startGateway({ wsDelayMs: { toServer: 200 } });
    const { device } = await authenticatedDevice(gateway);
    device.send(telemetry('in-flight'));
    await roundTrip(device);
    expect(gateway.points()).toHaveLength(2);
    device.send(telemetry('lost'));
    expect(gateway.disconnectDevices()).toBe(1);
    await device.closed;
    expect(gateway.points().map((p) => p.batch_id)).toEqual(['in-flight', 'in-flight']);
  });

  it('says going away (1001) to every device when it stops, and does not wait for one that cannot answer', async () => {
    const gateway = await startGateway();
    const { device } = await authenticatedDevice(gateway, { source_id: 'a', install_id: 'i-a' });
    const { device: frozen } = await authenticatedDevice(gateway, { source_id: 'b', install_id: 'i-b' });
    // A device that reads nothing more never answers the close: the gateway drops it after its grace.
    (frozen.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await gateway.close();
    expect(await device.closed).toBe(1001);
    expect(device.ws.readyState).toBe(device.ws.CLOSED);
  });
});
