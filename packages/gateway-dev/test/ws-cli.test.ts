import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { main } from '../src/cli.js';

const WS_LINE = /WebSocket devices on (ws:\/\/\S+) \(extensions: ([^)]*)\)/;

async function runUntilStopped(args: string[], use: (wsUrl: string, extensions: string) => Promise<void>): Promise<number> {
  let stop = (): void => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = main(['--port', '0', '--quiet', '--api-key', 'k', ...args], { stdout: new PassThrough(), stderr, env: {}, stopped });
  await expect.poll(() => WS_LINE.test(err)).toBe(true);
  const [, wsUrl, extensions] = err.match(WS_LINE)!;
  try {
    await use(wsUrl!, extensions!);
  } finally {
    stop();
  }
  return exit;
}

function authenticate(wsUrl: string): Promise<Record<string, unknown>> {
  const ws = new WebSocket(wsUrl);
  return new Promise((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ type: 'device_auth', api_key: 'k', source_id: 'cli-dev', install_id: 'i' })));
    ws.once('message', (data: Buffer) => {
      resolve(JSON.parse(data.toString()) as Record<string, unknown>);
      ws.close();
    });
    ws.once('error', reject);
  });
}

describe('fieldbridge-gateway live page', () => {
  it('names the page on stderr and serves it; --no-page turns it off', async () => {
    const run = async (args: string[]): Promise<{ line: string | undefined; status: number }> => {
      let stop = (): void => undefined;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      const stderr = new PassThrough();
      let err = '';
      stderr.on('data', (c: Buffer) => (err += c.toString()));
      const exit = main(['--port', '0', '--quiet', '--api-key', 'k', ...args], { stdout: new PassThrough(), stderr, env: {}, stopped });
      await expect.poll(() => WS_LINE.test(err)).toBe(true);
      const origin = /listening on (http:\/\/[^/\s]+)/.exec(err)![1]!;
      const status = (await fetch(`${origin}/`)).status;
      stop();
      expect(await exit).toBe(0);
      return { line: /live page on (\S+)/.exec(err)?.[1], status };
    };
    const on = await run([]);
    expect(on.line).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(on.status).toBe(200);
    expect(await run(['--no-page'])).toEqual({ line: undefined, status: 404 });
  });
});

describe('fieldbridge-gateway WebSocket flags', () => {
  it('serves /ws/device with both extensions by default', async () => {
    const code = await runUntilStopped([], async (wsUrl, extensions) => {
      expect(extensions).toBe('ack, time_sync');
      expect(await authenticate(wsUrl)).toMatchObject({ type: 'authenticated', extensions: ['ack', 'time_sync'] });
    });
    expect(code).toBe(0);
  });

  it('--no-ws-ack and --no-time-sync act like the real gateway', async () => {
    const code = await runUntilStopped(['--no-ws-ack', '--no-time-sync'], async (wsUrl, extensions) => {
      expect(extensions).toContain('none');
      expect(await authenticate(wsUrl)).toMatchObject({ type: 'authenticated', source_id: 'cli-dev', extensions: [] });
    });
    expect(code).toBe(0);
  });
});
