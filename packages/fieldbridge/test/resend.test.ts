import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, createSink } from '@fieldbridge/core';
import { startCommand, trackCleanups } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const track = trackCleanups();

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))) throw new Error('fieldbridge is not built: run `pnpm --filter fieldbridge build`');
});

/** `fieldbridge resend ARGS` as its own process: the built command, its exit code and output. */
async function resend(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const run = startCommand(BIN, ['resend', ...args], { track });
  const code = await run.exited;
  return { code, out: run.stdout(), err: run.stderr() };
}

const HOUR_AGO = Date.now() - 3_600_000;
const AT = new Date(HOUR_AGO + 60_000).toISOString();

/** One dead-letter line, as core's dead-letter writer makes it. */
const record = (reason: string, sourceId: string, point: Record<string, unknown>): string => JSON.stringify({ at: AT, reason, source_id: sourceId, point });

/**
 * A dead-letter file of two sources and mixed reasons: what a sink of source `site-a` gave up
 * (its points carry no source id of their own), what a sink of `line-b` gave up, and a point of
 * `site-a`'s that carried its own id `press-7`.
 */
const LINES = [
  record('HTTP 500: internal error (after 5 attempts)', 'site-a', { metric: 'tank.level', value: 1.5, timestamp: HOUR_AGO, tags: { bridge: 'modbus' } }),
  record('HTTP 503: unavailable (after 5 attempts)', 'line-b', { metric: 'line.speed', value: 12, timestamp: HOUR_AGO + 1 }),
  record('HTTP 500: internal error (after 5 attempts)', 'press-7', { metric: 'press.force', value: 80, timestamp: HOUR_AGO + 2, source_id: 'press-7' }),
  record('HTTP 413: one point larger than the receiver takes', 'line-b', { metric: 'line.note', value: 'x'.repeat(300), class: 'event', timestamp: HOUR_AGO + 3 }),
  record('HTTP 400: points[0].metric is not allowed', 'site-a', { metric: 'tank.temp', value: 20 }),
];

/** A gateway that takes events of at most 200 bytes (core's sink takes 64 KiB): it answers 400 naming the long note. */
async function gateway() {
  return track.add(await createGateway({ apiKeys: ['k'], maxEventBytes: 200, live: false }), (g) => g.close());
}

/** A mapping of source `site-a` sending to `url`, with a disk spool the resend must leave alone. */
async function mapping(dir: string, url: string): Promise<string> {
  const file = join(dir, 'site.yaml');
  const spool = join(dir, 'spool');
  await writeFile(file, [`source_id: site-a`, `sink: { url: '${url}', api_key: k, buffer: { path: '${spool}' } }`, 'mqtt:', '  url: mqtt://127.0.0.1:1', '  subscriptions: [{ topic: a/b, format: number, metric: x }]', ''].join('\n'));
  return file;
}

describe('fieldbridge resend', () => {
  it('sends every record under its own source and at its own time; a point refused again goes to a file of its own; the file read is unchanged', async () => {
    const gw = await gateway();
    const dir = await track.tempDir('fb-resend-');
    const dead = join(dir, 'dead-letter.ndjson');
    const text = [LINES[0], 'this line is not a record', ...LINES.slice(1), ''].join('\n');
    await writeFile(dead, text);
    const config = await mapping(dir, gw.url);

    const { code, out, err } = await resend([dead, '--config', config]);
    expect(code, err).toBe(1);
    expect(err).toContain(`${dead}:2: skipped: not a dead-letter record: not JSON`);
    expect(out).toContain(`${dead}: 5 records to send, 1 line skipped`);
    expect(out).toContain(`sent 4 points through the sink of ${config}`);
    expect(out).toContain(`refused again: 1, written with the receiver's reason to ${dead}.refused.ndjson`);
    expect(out).toContain('left: 0');
    expect(out).toContain('remove it once you are satisfied');

    const stored = gw.points().map((p) => ({ metric: p.metric, source_id: p.source_id, timestamp: p.timestamp, tags: p.tags }));
    expect(stored).toEqual(
      expect.arrayContaining([
        { metric: 'tank.level', source_id: 'site-a', timestamp: HOUR_AGO, tags: { bridge: 'modbus' } },
        { metric: 'line.speed', source_id: 'line-b', timestamp: HOUR_AGO + 1, tags: undefined },
        { metric: 'press.force', source_id: 'press-7', timestamp: HOUR_AGO + 2, tags: undefined },
        // Recorded without a timestamp: it goes at the time it was given up.
        { metric: 'tank.temp', source_id: 'site-a', timestamp: Date.parse(AT), tags: undefined },
      ]),
    );
    expect(stored).toHaveLength(4);

    const refused = readFileSync(`${dead}.refused.ndjson`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; source_id: string; point: { metric: string } });
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ source_id: 'line-b', point: { metric: 'line.note' } });
    expect(refused[0]!.reason).toMatch(/400/);
    expect(readFileSync(dead, 'utf8')).toBe(text);
    // The mapping's spool (and the dead-letter file in it) is not touched: a running bridge may hold it.
    expect(existsSync(join(dir, 'spool'))).toBe(false);
  });

  it('--reason sends only the records whose reason matches; exit 0 when all of them were sent', async () => {
    const gw = await gateway();
    const dir = await track.tempDir('fb-resend-');
    const dead = join(dir, 'dead-letter.ndjson');
    await writeFile(dead, `${LINES.join('\n')}\n`);
    const { code, out, err } = await resend([dead, '--config', await mapping(dir, gw.url), '--reason', '^HTTP 5']);
    expect(code, err + out).toBe(0);
    expect(out).toContain(`${dead}: 3 records to send, 2 left out by --reason`);
    expect(out).toContain('sent 3 points');
    expect(out).toContain('refused again: 0');
    expect(gw.points().map((p) => p.metric).sort()).toEqual(['line.speed', 'press.force', 'tank.level']);
    // Nothing was refused: no empty file is left behind.
    expect(existsSync(`${dead}.refused.ndjson`)).toBe(false);
  });

  it("with only --config: the dead-letter files the mapping's sink writes, its rotation first; none there: nothing to send, exit 0; neither: what to give, exit 2", async () => {
    const gw = await gateway();
    const dir = await track.tempDir('fb-resend-');
    const map = await mapping(dir, gw.url);
    const none = await resend(['--config', map, '--reason', '^HTTP 5']);
    expect(none.code, none.err).toBe(0);
    expect(none.err).toContain(`fieldbridge resend: ${join(dir, 'spool', 'dead-letter.ndjson')}, the dead-letter file of the sink of ${map}, does not exist: it has refused nothing`);
    // The sink's file under buffer.path and its rotation, older records in .1.
    const dead = join(dir, 'spool', 'dead-letter.ndjson');
    await mkdir(join(dir, 'spool'), { recursive: true });
    await writeFile(`${dead}.1`, `${LINES[0]}\n`);
    await writeFile(dead, `${LINES.slice(1).join('\n')}\n`);
    const { code, out, err } = await resend(['--config', map, '--reason', '^HTTP 5', '--refused-to', join(dir, 'refused.ndjson')]);
    expect(code, err + out).toBe(0);
    expect(err).toContain(`fieldbridge resend: ${dead}.1 and ${dead}, the dead-letter files of the sink of ${map}`);
    expect(gw.points().map((p) => p.metric)).toEqual(['tank.level', 'line.speed', 'press.force']);
    const bare = await resend([]);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('fieldbridge resend: name the dead-letter files to send again (fieldbridge resend ./spool/dead-letter.ndjson --config map.yaml), or give --config map.yaml alone to send those its sink wrote');
  });

  it('--dry-run counts by reason and by source and sends nothing', async () => {
    const gw = await gateway();
    const dir = await track.tempDir('fb-resend-');
    const dead = join(dir, 'dead-letter.ndjson');
    const truncated = JSON.stringify({ at: AT, reason: 'HTTP 500: x', source_id: 'site-a', point: { truncated: true, bytes: 20000, excerpt: '{"metric":' } });
    await writeFile(dead, [...LINES, truncated, '{"at":"yesterday"}'].join('\n'));
    const { code, out, err } = await resend([dead, '--config', await mapping(dir, gw.url), '--dry-run']);
    expect(code).toBe(1);
    expect(err).toContain(`${dead}:6: skipped: the point was recorded cut to an excerpt (20000 bytes)`);
    expect(err).toContain(`${dead}:7: skipped: not a dead-letter record: "at" is not an ISO 8601 time`);
    expect(out).toMatch(/by reason:\n\s+2 {2}HTTP 500: internal error \(after 5 attempts\)\n/);
    expect(out).toMatch(/by source:\n\s+2 {2}site-a\n\s+2 {2}line-b\n\s+1 {2}press-7\n/);
    expect(out).toContain('nothing was sent (--dry-run)');
    expect(gw.stats().requests).toBe(0);
    expect(existsSync(`${dead}.refused.ndjson`)).toBe(false);

    // Without --config and with only records: exit 0.
    await writeFile(dead, `${LINES.join('\n')}\n`);
    const clean = await resend([dead, '--dry-run']);
    expect(clean.code, clean.err).toBe(0);
    expect(clean.out).toContain('would send 5 points:');
  });

  it('reads a file given twice once; what the receiver does not take in time is left, exit 1', async () => {
    const gw = await gateway();
    const dir = await track.tempDir('fb-resend-');
    const dead = join(dir, 'dead-letter.ndjson');
    await writeFile(dead, `${LINES.slice(0, 3).join('\n')}\n`);
    const config = await mapping(dir, gw.url);
    const twice = await resend([dead, dead, '--config', config]);
    expect(twice.code, twice.err).toBe(0);
    expect(twice.err).toContain(`${dead}: the same file as ${dead}; its records are read once`);
    expect(gw.points()).toHaveLength(3);

    await gw.close();
    const down = await resend([dead, '--config', config, '--timeout', '300ms']);
    expect(down.code, down.err).toBe(1);
    expect(down.out).toContain('sent 0 points');
    // Where it sent them and why they stayed, with what helps (not a longer --timeout).
    expect(down.out).toContain(`left: 3, not delivered within 300 ms, the receiver ${gw.url} not taking them (ECONNREFUSED`);
    expect(down.out).toContain(`once it takes data (is it running, and is that sink.url in ${config} right?), run this again`);
    // They are still in the file read: not called lost with the memory spool (the sink's close says so at info).
    expect(down.err).not.toContain('lost');
  });

  it('a refused API key: what is left is said with the fix (the key), not a longer --timeout; exit 1', async () => {
    const gw = await gateway();
    const dir = await track.tempDir('fb-resend-');
    const dead = join(dir, 'dead-letter.ndjson');
    await writeFile(dead, `${LINES.slice(0, 2).join('\n')}\n`);
    const config = await mapping(dir, gw.url);
    await writeFile(config, readFileSync(config, 'utf8').replace('api_key: k,', 'api_key: wrong,'));
    const { code, out, err } = await resend([dead, '--config', config, '--timeout', '1s']);
    expect(code, err).toBe(1);
    expect(out).toContain(`left: 2, the receiver refused the API key (HTTP 401: invalid API key); they are still in the files read: fix sink.api_key (or its write scope) in ${config} and run this again`);
    expect(out).not.toContain('--timeout');
    expect(gw.points()).toHaveLength(0);
  });

  it("over WebSocket it speaks for the running bridge's install: its points keep the bridge's source id, and its device.json is left as it was", async () => {
    const gw = await gateway();
    const dir = await track.tempDir('fb-resend-');
    const dead = join(dir, 'dead-letter.ndjson');
    await writeFile(dead, `${LINES[0]}\n`);
    const config = await mapping(dir, gw.wsUrl);
    // The bridge of this mapping, connected: the gateway has given its install the id site-a.
    const bridge = createSink({ url: gw.wsUrl, apiKey: 'k', sourceId: 'site-a', buffer: { path: join(dir, 'spool') }, logger: createLogger({ level: 'silent' }), deadLetterPath: '/dev/null' });
    track.add(bridge, (b) => b.close());
    bridge.send('bridge.alive', 1);
    await bridge.flush();
    const identity = readFileSync(join(dir, 'spool', 'device.json'), 'utf8');

    const { code, out, err } = await resend([dead, '--config', config]);
    expect(code, err).toBe(0);
    expect(out).toContain('sent 1 point through the sink');
    expect(err).not.toContain('no state directory');
    expect(gw.points({ metric: 'tank.level' }).map((p) => p.source_id)).toEqual(['site-a']);
    expect(readFileSync(join(dir, 'spool', 'device.json'), 'utf8')).toBe(identity);
  });

  it.each([
    ['without --config', (dead: string) => [dead], 'name the mapping file whose sink: sends the points with --config'],
    ['a file that is not there', (_dead: string, config: string) => ['/nonexistent/dead.ndjson', '--config', config], '/nonexistent/dead.ndjson: cannot read it (ENOENT)'],
    ['a --reason that is not a regular expression', (dead: string, config: string) => [dead, '--config', config, '--reason', '('], '--reason (: not a regular expression'],
    ['a bad --timeout', (dead: string, config: string) => [dead, '--config', config, '--timeout', 'soon'], '--timeout soon: expected a duration'],
    ['--refused-to the file being read', (dead: string, config: string) => [dead, '--config', config, '--refused-to', dead], 'a file being read'],
    ['a mapping that is wrong', (dead: string, config: string) => [dead, '--config', `${config}.missing`], '.missing'],
  ])('%s is a usage error: exit 2, nothing sent', async (_name, args, message) => {
    const gw = await gateway();
    const dir = await track.tempDir('fb-resend-');
    const dead = join(dir, 'dead-letter.ndjson');
    await writeFile(dead, `${LINES[0]}\n`);
    const { code, err } = await resend(args(dead, await mapping(dir, gw.url)));
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(gw.stats().requests).toBe(0);
  });
});
