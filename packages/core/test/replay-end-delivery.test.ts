import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runBridgeCli } from '../src/cli/index.js';
import { defineBridge } from '../src/index.js';
import { fail, ok, startIngestServer } from './helpers/ingest-server.js';

// A source that runs out (a replayed log) ends the run once what it read is delivered: for as long
// as delivery makes progress, not within the 8 s a signal's stop gets. A fast replay of a large
// capture read five million points faster than the receiver took them, and the memory spool's
// rest was lost at the budget's end.

const POINTS = 600;

/** A capture of POINTS points, read at once, then ended. */
const capture = defineBridge({
  name: 'capture',
  version: '0.0.0-test',
  configSchema: z.strictObject({}),
  describe: () => ['a capture'],
  create(_config, ctx) {
    let end: (reason: string) => void = () => undefined;
    return {
      async start() {
        ctx.channel('log').set('connected');
        ctx.emit('log', Array.from({ length: POINTS }, (_, i) => ({ metric: 'capture.value', value: i, timestamp: 1_796_000_000_000 + i })));
        end('the capture ended');
      },
      async stop() {},
      ended: new Promise<string>((resolve) => (end = resolve)),
    };
  },
});

async function runCapture(url: string): Promise<{ code: number; log: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'fb-capture-'));
  const file = join(dir, 'map.yaml');
  // Batches of 10 (60 requests) and a stop budget of one second.
  await writeFile(file, `source_id: capture\nsink:\n  url: ${url}\n  api_key: k\n  shutdown_timeout_ms: 1s\n  batch: { max_points: 10 }\n  retry: { initial_delay_ms: 20, max_delay_ms: 50 }\ncapture: {}\n`);
  const stderr = new PassThrough();
  let log = '';
  stderr.on('data', (c: Buffer) => (log += c.toString()));
  const code = await runBridgeCli(capture, ['--config', file], { stdout: new PassThrough(), stderr, env: {} });
  return { code, log };
}

describe('a source that ran out', () => {
  it('has everything it read delivered, though that takes longer than the stop budget, and exits 0', async () => {
    // A slow receiver: each request answered after 100 ms, so 60 requests two at a time take
    // about three seconds, three times the budget, and each second sees about twenty delivered.
    const server = await startIngestServer((req, res) => void setTimeout(() => ok(req, res), 100));
    try {
      const { code, log } = await runCapture(server.url);
      expect(code, log).toBe(0);
      const values = server.requests.flatMap((r) => r.body.points.map((p) => p.value as number));
      expect(new Set(values).size).toBe(POINTS);
      expect(log).toContain('the capture ended: delivering what was read');
      expect(log).not.toContain('lost');
    } finally {
      await server.close();
    }
  });

  it('gives up when nothing is delivered for the budget (the receiver down), exit 1 saying what was lost', async () => {
    const server = await startIngestServer((_req, res) => fail(res, 503, 'degraded'));
    try {
      const { code, log } = await runCapture(server.url);
      expect(code).toBe(1);
      expect(log).toMatch(/600 undelivered points are lost with the memory spool/);
    } finally {
      await server.close();
    }
  });
});
