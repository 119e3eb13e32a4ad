import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModbusSimulator } from '@fieldbridge/bridge-modbus';
import { captureIo, startCommand, trackCleanups, until } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const track = trackCleanups();

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))) throw new Error('fieldbridge is not built: run `pnpm --filter fieldbridge build` (turbo runs it before test)');
});

async function fieldbridge(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo();
  const code = await main(args, { stdout: io.stdout, stderr: io.stderr, env });
  return { code, out: io.out(), err: io.err() };
}

const mapping = (source: string, sink: string, plc = 'tcp://127.0.0.1:5020') =>
  [`source_id: ${source}`, `sink: ${sink}`, 'modbus:', '  devices:', `    - { name: plc, connection: '${plc}', poll_ms: 100, points: [{ metric: plc.level, table: holding, address: 0 }] }`, ''].join('\n');

describe('a directory of mapping files (conf.d)', () => {
  it('check takes a directory, or FIELDBRIDGE_CONFIG naming one, as its *.yaml and *.yml files (any case) in name order, hidden and other files left out', async () => {
    const dir = await track.tempDir('fb-confd-');
    await writeFile(join(dir, 'b-line.yml'), mapping('line-b', '{ url: stdout }'));
    await writeFile(join(dir, 'a-line.yaml'), mapping('line-a', '{ url: stdout }'));
    await writeFile(join(dir, 'c-line.YAML'), mapping('line-c', '{ url: stdout }'));
    await writeFile(join(dir, '.#a-line.yaml'), 'an editor lock file, not YAML: [');
    await writeFile(join(dir, 'README.md'), '# not a mapping\n');
    for (const run of [await fieldbridge(['check', dir]), await fieldbridge(['check'], { FIELDBRIDGE_CONFIG: dir })]) {
      expect(run.code, run.err).toBe(0);
      const ok = run.out.split('\n').filter((l) => l.endsWith(': ok'));
      expect(ok).toEqual([`${join(dir, 'a-line.yaml')}: ok`, `${join(dir, 'b-line.yml')}: ok`, `${join(dir, 'c-line.YAML')}: ok`]);
      // What was passed by is said (a pump.yaml.txt meant as a mapping), hidden files not.
      expect(run.err).toContain(`${dir}: left out README.md: only *.yaml and *.yml files are mapping files\n`);
      expect(run.err).not.toContain('.#a-line');
    }
  });

  it('a directory with no mapping file in it is a usage error saying so, and naming the files it holds', async () => {
    const dir = await track.tempDir('fb-confd-');
    await writeFile(join(dir, 'notes.txt'), 'nothing here\n');
    await writeFile(join(dir, 'pump.yaml.txt'), mapping('pump', '{ url: stdout }'));
    for (const command of ['check', 'run']) {
      const { code, err } = await fieldbridge([command, dir]);
      expect(code).toBe(2);
      expect(err).toContain(`fieldbridge ${command}: ${dir}: a directory with no mapping file (*.yaml, *.yml) in it; it holds notes.txt, pump.yaml.txt: a mapping file's name ends in .yaml or .yml\n`);
    }
  });

  it('run takes a directory: each file its own source; a file added later is named on SIGHUP as not run until a restart', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const plc = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const dir = join(await track.tempDir('fb-confd-'), 'conf.d');
    await mkdir(dir);
    const sink = `{ url: '${gw.url}', api_key: k }`;
    await writeFile(join(dir, 'line-a.yaml'), mapping('line-a', sink, plc.url));
    await writeFile(join(dir, 'line-b.yaml'), mapping('line-b', sink, plc.url));
    const run = startCommand(BIN, ['run', dir], { track });
    await until(() => ['line-a', 'line-b'].every((s) => gw.points().some((p) => p.source_id === s)), 'points of both files');
    const added = join(dir, 'line-c.yaml');
    await writeFile(added, mapping('line-c', sink, plc.url));
    run.child.kill('SIGHUP');
    await run.said(`SIGHUP: ${added} is new since the start, and not run`);
    run.child.kill('SIGTERM');
    expect(await run.exited, run.stderr()).toBe(0);
  });
});
