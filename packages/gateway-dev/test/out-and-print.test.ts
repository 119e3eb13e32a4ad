import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, isGatewayError } from '../src/index.js';
import { ingest, KEY, startGateway } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gateway-dev-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('NDJSON out file', () => {
  it('appends one line per stored point, after what the file held', async () => {
    const out = join(dir, 'points.ndjson');
    await writeFile(out, '{"earlier":true}\n');
    const gateway = await startGateway({ out });
    await ingest(gateway, { source_id: 'a', points: [{ metric: 'm', value: 1 }, { metric: 'e', value: 'x' }] });
    await ingest(gateway, { source_id: 'b', points: [{ metric: 'm', value: 2, timestamp: 1_700_000_000 }] });
    await ingest(gateway, { source_id: 'b', points: [{ metric: 'm', value: null }] });
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('{"earlier":true}');
    expect(lines.slice(1).map((l) => JSON.parse(l) as unknown)).toEqual(gateway.points());
    expect(lines).toHaveLength(4);
  });

  it('rejects at start when the file cannot be opened', async () => {
    await writeFile(join(dir, 'a-file'), '');
    const error = await createGateway({ apiKeys: [KEY], out: join(dir, 'a-file', 'x.ndjson') }).catch((err: unknown) => err);
    expect(isGatewayError(error, 'OPTIONS_INVALID')).toBe(true);
    // Said as what stands in the way, not as mkdir's "EEXIST: file already exists".
    expect((error as Error).message).toBe(`createGateway: cannot open out file ${join(dir, 'a-file', 'x.ndjson')}: its folder ${join(dir, 'a-file')} cannot be made: a file stands where a folder of that path must be`);
  });

  it('makes the file\'s folder when it is missing', async () => {
    const out = join(dir, 'runs', 'today', 'points.ndjson');
    const gateway = await startGateway({ out });
    await ingest(gateway, { source_id: 'a', points: [{ metric: 'm', value: 1 }] });
    expect((await readFile(out, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(gateway.points());
  });
});

describe('printing', () => {
  it('prints one readable line per stored point', async () => {
    const print = new PassThrough();
    let text = '';
    print.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const gateway = await startGateway({ print });
    await ingest(gateway, {
      source_id: 'plant-a',
      points: [
        { metric: 'line1.motor.rpm', value: 1480, tags: { site: 'plant-a', line: '1' } },
        { metric: 'door', value: 'open', session_id: 's1' },
      ],
    });
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} plant-a {2}line1\.motor\.rpm = 1480 {2}\{site=plant-a,line=1\}$/),
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} plant-a {2}door = "open" {2}\[session s1\]$/),
      '',
    ]);
  });
});
