import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../src/index.js';
import { call, startGateway } from './helpers.js';
import { authenticatedDevice } from './ws-helpers.js';

describe('WebSocket control messages', () => {
  it('sends a control message and resolves with the device answer', async () => {
    const gateway = await startGateway();
    const { device } = await authenticatedDevice(gateway, { source_id: 'dev-a' }, true);
    expect(await gateway.sendControl('dev-a', { type: 'ping', id: 'p1' })).toEqual([{ sourceId: 'dev-a', reply: { type: 'pong', id: 'p1' } }]);
    const started = await gateway.sendControl(undefined, { type: 'start_session', session_id: 's-1', session_name: 'Run 1' });
    expect(started).toEqual([{ sourceId: 'dev-a', reply: { type: 'session_started', session_id: 's-1' } }]);
    expect(device.frames).toContainEqual({ type: 'start_session', session_id: 's-1', session_name: 'Run 1' });
  });

  it('confirms a message without an answer with a ping right after it', async () => {
    const gateway = await startGateway();
    const { device } = await authenticatedDevice(gateway, {}, true);
    const [result] = await gateway.sendControl(undefined, { type: 'start_stream', metrics: ['a'], interval_ms: 100 });
    expect(result!.reply).toMatchObject({ type: 'pong', id: expect.stringMatching(/^confirm-/) });
    const start = device.frames.findIndex((f) => f.type === 'start_stream');
    expect(device.frames[start + 1]).toMatchObject({ type: 'ping' });
  });

  it('reports a device that does not answer, and refuses bad messages and unknown devices', async () => {
    const gateway = await startGateway();
    await authenticatedDevice(gateway, { source_id: 'mute' }, false);
    expect(await gateway.sendControl('mute', { type: 'configure', config: {} }, { timeoutMs: 50 })).toEqual([
      { sourceId: 'mute', error: expect.stringContaining('no answer within 50 ms') },
    ]);
    await expect(gateway.sendControl('nobody', { type: 'ping' })).rejects.toSatisfy((e) => isGatewayError(e, 'NO_DEVICE'));
    await expect(gateway.sendControl(undefined, { type: '' })).rejects.toSatisfy((e) => isGatewayError(e, 'CONTROL_INVALID'));
  });

  it('keeps what the device sent, answers included, in devices()', async () => {
    const gateway = await startGateway();
    const { device } = await authenticatedDevice(gateway, {}, false);
    const pending = gateway.sendControl(undefined, { type: 'configure', id: 'c1', config: { interval_ms: 5 } });
    await device.next((f) => f.type === 'configure');
    device.send({ type: 'configure_result', id: 'c1', ok: true, result: { interval_ms: 5 } });
    expect(await pending).toEqual([{ sourceId: 'dev-a', reply: { type: 'configure_result', id: 'c1', ok: true, result: { interval_ms: 5 } } }]);
    expect(gateway.devices()[0]!.messages.map((m) => m.frame.type)).toEqual(['configure_result']);
  });

  it('serves devices, control and disconnect as dev endpoints', async () => {
    const gateway = await startGateway();
    const { device } = await authenticatedDevice(gateway, { source_id: 'dev-a' }, true);
    expect((await call(gateway, 'GET', '/_dev/devices')).json).toMatchObject({ count: 1, devices: [{ sourceId: 'dev-a' }] });
    const control = await call(gateway, 'POST', '/_dev/control', { source_id: 'dev-a', message: { type: 'ping' } });
    expect(control).toMatchObject({ status: 200, json: { results: [{ sourceId: 'dev-a', reply: { type: 'pong' } }] } });
    expect((await call(gateway, 'POST', '/_dev/control', { message: 'ping' })).status).toBe(400);
    expect((await call(gateway, 'POST', '/_dev/control', { source_id: 'x', message: { type: 'ping' } })).status).toBe(404);
    expect((await call(gateway, 'POST', '/_dev/disconnect', {})).json).toEqual({ disconnected: 1 });
    await device.closed;
    expect(gateway.devices()).toEqual([]);
  });
});
