import { describe, expect, it } from 'vitest';
import { createGateway, isGatewayError } from '../src/index.js';
import type { GatewayOptions } from '../src/index.js';
import { KEY, READ_ONLY_KEY, startGateway } from './helpers.js';
import { authenticatedDevice, connectDevice } from './ws-helpers.js';

describe('WebSocket device_auth', () => {
  it('answers authenticated with the source id, the server clock and the extensions', async () => {
    let now = 1_700_000_000_000;
    const gateway = await startGateway({ now: () => now, clockOffsetMs: 90_000 });
    expect(gateway.wsUrl).toBe(`ws://127.0.0.1:${gateway.port}/ws/device`);
    const { authenticated } = await authenticatedDevice(gateway);
    expect(authenticated).toEqual({ type: 'authenticated', source_id: 'dev-a', server_time_ms: 1_700_000_090_000, extensions: ['ack', 'time_sync'] });
    now += 5;
    expect(gateway.devices()).toEqual([
      expect.objectContaining({ sourceId: 'dev-a', requestedSourceId: 'dev-a', installId: 'install-a', platform: 'test', agentVersion: '1.0.0', connectedAtMs: 1_700_000_090_000 }),
    ]);
  });

  it.each([
    ['a wrong key', 'nope', 'unauthorized'],
    ['no key', '', 'unauthorized'],
    ['a key without write scope', READ_ONLY_KEY, 'forbidden'],
  ])('refuses %s with an error frame, then closes', async (_name, key, code) => {
    const gateway = await startGateway();
    const { device, authenticated } = await authenticatedDevice(gateway, { api_key: key });
    expect(authenticated).toMatchObject({ type: 'error', code, message: expect.any(String) });
    expect(await device.closed).toBe(1008);
    expect(gateway.devices()).toEqual([]);
  });

  it('refuses anything before device_auth, and a bad source id', async () => {
    const gateway = await startGateway();
    const early = await connectDevice(gateway);
    early.send({ type: 'heartbeat', uptime_s: 1 });
    expect(await early.next((f) => f.type === 'error')).toMatchObject({ code: 'not_authenticated' });
    expect(await early.closed).toBe(1008);
    const { authenticated } = await authenticatedDevice(gateway, { source_id: 'Bad Id' });
    expect(authenticated).toMatchObject({ type: 'error', code: 'bad_request' });
  });

  it('assigns a suffixed source id when another install holds the requested one, and keeps each install its own', async () => {
    const gateway = await startGateway();
    const a = await authenticatedDevice(gateway, { source_id: 'plant', install_id: 'install-a' });
    const b = await authenticatedDevice(gateway, { source_id: 'plant', install_id: 'install-b' });
    expect(a.authenticated.source_id).toBe('plant');
    expect(b.authenticated.source_id).toBe('plant-2');
    b.device.ws.terminate();
    const again = await authenticatedDevice(gateway, { source_id: 'plant-2', install_id: 'install-b' });
    expect(again.authenticated.source_id).toBe('plant-2');
    const third = await authenticatedDevice(gateway, { source_id: 'plant', install_id: 'install-c' });
    expect(third.authenticated.source_id).toBe('plant-3');
    gateway.reset();
    const afterReset = await authenticatedDevice(gateway, { source_id: 'plant', install_id: 'install-c' });
    expect(afterReset.authenticated.source_id).toBe('plant');
  });

  it('answers a second device_auth on the same connection with an error, keeps its first identity and stores nothing of it', async () => {
    const gateway = await startGateway();
    const { device } = await authenticatedDevice(gateway, { source_id: 'dev-a' });
    device.send({ type: 'device_auth', api_key: KEY, source_id: 'dev-b', install_id: 'install-b', platform: 'test', agent_version: '1.0.0' });
    expect(await device.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_request', message: expect.stringContaining('already authenticated as dev-a'), in_reply_to: 'device_auth' });
    expect(gateway.devices()).toEqual([expect.objectContaining({ sourceId: 'dev-a', messages: [] })]);
  });

  it('announces no extensions when acks and time_sync are off, like the real gateway', async () => {
    const gateway = await startGateway({ wsAck: false, wsTimeSync: false });
    const { device, authenticated } = await authenticatedDevice(gateway);
    expect(authenticated.extensions).toEqual([]);
    device.send({ type: 'time_sync', t0: 1 });
    expect(await device.next((f) => f.type === 'error')).toMatchObject({ code: 'unknown_type' });
  });
});

describe('WebSocket options', () => {
  it.each<[string, Partial<GatewayOptions>]>([
    ['a negative delay', { wsDelayMs: { toServer: -1 } }],
    ['an unknown delay key', { wsDelayMs: { up: 5 } as GatewayOptions['wsDelayMs'] }],
    ['a zero frame cap', { wsMaxFrameBytes: 0 }],
  ])('rejects %s with OPTIONS_INVALID', async (_name, options) => {
    const err = await createGateway({ apiKeys: [KEY], ...options }).then(
      async (g) => {
        await g.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(isGatewayError(err, 'OPTIONS_INVALID')).toBe(true);
  });

  it('closes a connection whose frame is over wsMaxFrameBytes with 1009', async () => {
    const gateway = await startGateway({ wsMaxFrameBytes: 1024 });
    const { device } = await authenticatedDevice(gateway);
    device.send({ type: 'telemetry', trace_id: 'big', points: [{ metric: 'm', value: 'x'.repeat(2000) }] });
    expect(await device.closed).toBe(1009);
    expect(gateway.points()).toEqual([]);
  });
});
