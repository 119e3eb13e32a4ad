import { createHmac } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { ingest, startGateway } from './helpers.js';
import { authenticatedDevice, telemetry } from './ws-helpers.js';

const SECRET = 'gateway-test-signing-secret-0123';
const body = (n = 2) => ({ source_id: 'signed-a', points: Array.from({ length: n }, (_, i) => ({ metric: 'line1.rpm', value: 1000 + i, timestamp: 1_700_000_000_000 + i })) });

/** A sender's signature, written from the specification (not from the code under test). */
function sign(secret: string, payload: Buffer | string, tSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${tSeconds},v1=${createHmac('sha256', secret).update(`${tSeconds}.`).update(payload).digest('hex')}`;
}

/** A signed POST: the signature is over the bytes sent, after gzip when `gzip`. */
async function signedIngest(gw: Awaited<ReturnType<typeof startGateway>>, payload: unknown, options: { secret?: string; t?: number; gzip?: boolean; tamper?: (b: Buffer) => Buffer } = {}) {
  let bytes = Buffer.from(JSON.stringify(payload));
  const headers: Record<string, string> = {};
  if (options.gzip) {
    bytes = gzipSync(bytes);
    headers['content-encoding'] = 'gzip';
  }
  headers['x-fieldbridge-signature'] = sign(options.secret ?? SECRET, bytes, options.t);
  return ingest(gw, options.tamper ? options.tamper(bytes) : bytes, { headers });
}

describe('gateway-dev checks signed batches over HTTP', () => {
  it('stores a batch signed over the exact bytes sent, plain and gzipped', async () => {
    const gw = await startGateway({ signingSecret: SECRET });
    expect((await signedIngest(gw, body(2))).status).toBe(200);
    expect((await signedIngest(gw, body(300), { gzip: true })).status).toBe(200);
    expect(gw.stats().points).toBe(302);
    expect(gw.stats().signatureRefusals).toEqual({ missing: 0, malformed: 0, mismatch: 0, stale: 0 });
  });

  it('refuses a missing, malformed, tampered, wrongly keyed, stale or early signature with 401, and counts each', async () => {
    const gw = await startGateway({ signingSecret: SECRET, signatureToleranceS: 300 });
    const now = Math.floor(Date.now() / 1000);
    const missing = await ingest(gw, body());
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({ error: expect.stringMatching(/missing x-fieldbridge-signature: this gateway checks signatures; set sink.signing.secret/) });
    const malformed = await ingest(gw, body(), { headers: { 'x-fieldbridge-signature': 'sha256=abc' } });
    expect(malformed.json).toEqual({ error: expect.stringMatching(/must read t=<unix seconds>,v1=<64 hex digits>/) });
    const tampered = await signedIngest(gw, body(), { tamper: (b) => Buffer.from(b.toString().replace('1000', '9000')) });
    expect(tampered.status).toBe(401);
    expect(tampered.json).toEqual({ error: expect.stringMatching(/does not match the body: a different secret, or the body was changed on the way/) });
    expect((await signedIngest(gw, body(), { secret: 'another-secret-of-enough-length' })).status).toBe(401);
    const stale = await signedIngest(gw, body(), { t: now - 400 });
    expect(stale.json).toEqual({ error: expect.stringMatching(/the signature is 40\d s old, outside the 300 s window: a replay/) });
    expect((await signedIngest(gw, body(), { t: now + 400 })).json).toEqual({ error: expect.stringMatching(/s in the future, outside the 300 s window/) });
    expect(gw.stats().signatureRefusals).toEqual({ missing: 1, malformed: 1, mismatch: 2, stale: 2 });
    expect(gw.stats().byStatus['401']).toBe(6);
    expect(gw.points()).toHaveLength(0);
  });

  it('checks the bytes as sent before decompressing: a tampered gzip body is a 401, not a 400', async () => {
    const gw = await startGateway({ signingSecret: SECRET });
    const answer = await signedIngest(gw, body(300), { gzip: true, tamper: (b) => Buffer.concat([b.subarray(0, 40), Buffer.from([b[40]! ^ 0xff]), b.subarray(41)]) });
    expect(answer.status).toBe(401);
    expect(gw.stats().signatureRefusals.mismatch).toBe(1);
  });

  it('takes a captured request again inside the window (a duplicate batch), and refuses it once the window has passed', async () => {
    const gw = await startGateway({ signingSecret: SECRET, signatureToleranceS: 60 });
    const bytes = Buffer.from(JSON.stringify(body()));
    const headers = { 'x-fieldbridge-signature': sign(SECRET, bytes), 'x-batch-id': 'b-1' };
    expect((await ingest(gw, bytes, { headers })).status).toBe(200);
    expect((await ingest(gw, bytes, { headers })).status).toBe(200);
    expect(gw.stats().duplicateBatches).toBe(1);
    gw.setClockOffsetMs(61_000);
    const replay = await ingest(gw, bytes, { headers });
    expect(replay.status).toBe(401);
    expect(replay.json).toEqual({ error: expect.stringMatching(/outside the 60 s window: a replay/) });
    expect(gw.stats().signatureRefusals.stale).toBe(1);
  });

  it('still asks for the key first, and never echoes the secret or the expected signature', async () => {
    const gw = await startGateway({ signingSecret: SECRET });
    const noKey = await ingest(gw, body(), { key: null, headers: { 'x-fieldbridge-signature': sign(SECRET, JSON.stringify(body())) } });
    expect(noKey.json).toEqual({ error: expect.stringMatching(/missing API key/) });
    expect(gw.stats().signatureRefusals.missing).toBe(0);
    const bytes = Buffer.from(JSON.stringify(body()));
    const wrong = await ingest(gw, bytes, { headers: { 'x-fieldbridge-signature': sign('another-secret-of-enough-length', bytes) } });
    expect(wrong.text).not.toContain(SECRET);
    expect(wrong.text).not.toContain(sign(SECRET, bytes).slice(-64));
  });

  it('refuses a short secret at start without printing it', async () => {
    await expect(startGateway({ signingSecret: 'short-secret' })).rejects.toThrow(/signingSecret must be a string of at least 16 characters/);
    await expect(startGateway({ signingSecret: 'short-secret' })).rejects.not.toThrow(/short-secret/);
  });
});

describe('gateway-dev checks signed telemetry frames over WebSocket', () => {
  /** A frame with its signature first, over the frame's text without it. */
  const signedFrame = (frame: Record<string, unknown>, secret = SECRET, t?: number) => {
    const text = JSON.stringify(frame);
    return `{"signature":"${sign(secret, text, t)}",${text.slice(1)}`;
  };

  it('announces the signature extension, stores and acks signed frames, and refuses the rest with an unauthorized error naming the frame', async () => {
    const gw = await startGateway({ signingSecret: SECRET, signatureToleranceS: 120 });
    const { device, authenticated } = await authenticatedDevice(gw);
    expect(authenticated.extensions).toEqual(['ack', 'time_sync', 'signature']);
    device.ws.send(signedFrame(telemetry('good-1')));
    await device.next((f) => f.type === 'ack' && f.trace_id === 'good-1');

    const refused = async (text: string, trace: string, pattern: RegExp) => {
      device.ws.send(text);
      const error = await device.next((f) => f.type === 'error' && f.trace_id === trace);
      expect(error).toMatchObject({ code: 'unauthorized', status: 401, detail: expect.stringMatching(pattern) });
    };
    await refused(JSON.stringify(telemetry('unsigned')), 'unsigned', /the frame is not signed/);
    await refused(signedFrame(telemetry('tampered')).replace('"value":1000', '"value":1'), 'tampered', /does not match/);
    await refused(signedFrame(telemetry('wrong-key'), 'another-secret-of-enough-length'), 'wrong-key', /does not match/);
    await refused(signedFrame(telemetry('replayed'), SECRET, Math.floor(Date.now() / 1000) - 600), 'replayed', /s old, outside the 120 s window/);
    // The connection stays up: the next good frame is stored.
    device.ws.send(signedFrame(telemetry('good-2')));
    await device.next((f) => f.type === 'ack' && f.trace_id === 'good-2');
    expect(gw.points().map((p) => p.batch_id)).toEqual(['good-1', 'good-1', 'good-2', 'good-2']);
    expect(gw.stats().signatureRefusals).toEqual({ missing: 1, malformed: 0, mismatch: 2, stale: 1 });
  });

  it('does not announce or check signatures without a secret', async () => {
    const gw = await startGateway();
    const { device, authenticated } = await authenticatedDevice(gw);
    expect(authenticated.extensions).toEqual(['ack', 'time_sync']);
    device.send(telemetry('plain'));
    await device.next((f) => f.type === 'ack');
  });
});

describe('fieldbridge-gateway --signing-secret', () => {
  it('checks signatures with the secret from the flag or the environment, and never prints it', async () => {
    for (const [args, env] of [[['--signing-secret', SECRET], {}], [[], { FIELDBRIDGE_GATEWAY_SIGNING_SECRET: SECRET }]] as const) {
      let stop = (): void => undefined;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      const stderr = new PassThrough();
      let err = '';
      stderr.on('data', (c: Buffer) => (err += c.toString()));
      const exit = main(['--port', '0', '--quiet', '--api-key', 'k', '--signature-tolerance-s', '30', ...args], { stdout: new PassThrough(), stderr, env, stopped });
      await expect.poll(() => /checking signatures/.test(err)).toBe(true);
      stop();
      expect(await exit).toBe(0);
      expect(err).toMatch(/extensions: ack, time_sync, signature/);
      expect(err).toMatch(/window 30 s/);
      expect(err).not.toContain(SECRET);
    }
  });

  it('refuses a tolerance that is not a whole number of seconds', async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    expect(await main(['--signature-tolerance-s', '0'], { stdout: new PassThrough(), stderr, env: {} })).toBe(2);
    expect(err).toMatch(/--signature-tolerance-s must be a whole number of seconds/);
  });
});
