import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { loadNoble } from '../src/adapter/load-noble.js';
import { parseRecordLine } from '../src/advert/record.js';
import { bleBridge } from '../src/bridge.js';
import { main as simMain } from '../src/sim-cli.js';
import { runBridgeCommand } from '@fieldbridge/core/testing';

const track = trackCleanups();
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const example = fileURLToPath(new URL('../../../examples/ble/map.yaml', import.meta.url));
const recording = fileURLToPath(new URL('../../../examples/ble/sensors.ndjson', import.meta.url));

const run = (args: string[], env: NodeJS.ProcessEnv) => runBridgeCommand(bleBridge, args, env);

const replayEnv = { BLE_REPLAY: recording, BLE_PACE: 'fast', WINDOW_BIND_KEY: '231d39c1d7cc1ab1aee224cd096db932' };

describe('the bridge-ble command', () => {
  it('--check prints the source and every device, never the bind key', async () => {
    const { code, out } = await run(['--config', example, '--check'], replayEnv);
    expect(code).toBe(0);
    expect(out).toContain(`replay ${recording} as fast as the sink takes it, timestamps shifted to now`);
    expect(out).toContain('  window: address a4:c1:38:b7:10:02 as bthome with a bind key -> {device}.{measurement} (on change, silent after 2m, counter restart accepted after 5m)');
    expect(out).not.toContain('231d39c1');
  });

  it('--dry-run --once replays until the first adverts and prints their points as NDJSON on stdout', async () => {
    const { code, out } = await run(['--config', example, '--dry-run', '--once', '--log-level', 'silent'], replayEnv);
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; value: unknown; source_id: string });
    expect(lines.slice(0, 4).map((l) => [l.metric, l.value])).toEqual([['living_room.battery', 97], ['living_room.temperature', 21.5], ['living_room.humidity', 50], ['living_room.rssi', -60]]);
    expect(lines[0]?.source_id).toBe('home-ble-gateway');
  });

  it('--once waits for every device the mapping names by address, and names one never heard', async () => {
    const dir = await track.tempDir('ble-cli-');
    const [map, file] = [join(dir, 'map.yaml'), join(dir, 'two.ndjson')];
    const lines = (await readFile(recording, 'utf8')).split('\n');
    const first = JSON.parse(lines[0]!) as { t: number };
    const fridge = { ...(JSON.parse(lines[2]!) as object), t: first.t + 700 };
    await writeFile(file, `${lines[0]}\n${JSON.stringify(fridge)}\n`);
    const devices = [
      '    - { name: living_room, address: a4:c1:38:b7:10:01, decoder: bthome }',
      '    - { name: fridge, address: c7:3a:9e:01:02:03, decoder: ruuvi }',
      '    - { name: garage, address: a4:c1:38:00:00:09, decoder: atc }',
    ];
    await writeFile(map, `source_id: replayed\nsink: { url: stdout }\nble:\n  replay: { file: ${file}, pace: recorded }\n  devices:\n${devices.join('\n')}\n`);
    const { code, out, err } = await run(['--config', map, '--dry-run', '--once', '--log-level', 'warn'], {});
    expect(code).toBe(0);
    // The fridge, heard 0.7 s after the first advert, is read too; the garage is named.
    const metrics = new Set(out.trim().split('\n').map((l) => (JSON.parse(l) as { metric: string }).metric));
    expect(metrics).toContain('living_room.temperature');
    expect(metrics).toContain('fridge.temperature');
    expect(err).toMatch(/--once: nothing before the source ran out on garage/);
  });

  it('--once names a device heard whose adverts gave nothing (a wrong bind key) as such, not as silent', async () => {
    const dir = await track.tempDir('ble-cli-');
    const map = join(dir, 'map.yaml');
    await writeFile(map, `source_id: replayed\nsink: { url: stdout }\nble:\n  replay: { file: ${recording}, pace: fast }\n  devices:\n    - { name: window, address: a4:c1:38:b7:10:02, decoder: bthome, bind_key: '${'0'.repeat(32)}' }\n`);
    const { code, err } = await run(['--config', map, '--dry-run', '--once', '--log-level', 'warn'], {});
    expect(code).toBe(0);
    expect(err).toMatch(/--once: nothing before the source ran out on (replay, )?window \(connected, but nothing it sent gave a point: see its problems above\)/);
  });

  it('--record FILE appends the adverts heard, in the format replay reads', async () => {
    const file = join(await track.tempDir('ble-cli-'), 'heard.ndjson');
    const { code } = await run(['--config', example, '--dry-run', '--once', '--log-level', 'silent', '--record', file], replayEnv);
    expect(code).toBe(0);
    const recorded = (await readFile(file, 'utf8')).trim().split('\n');
    const original = (await readFile(recording, 'utf8')).split('\n');
    expect(recorded.length).toBeGreaterThan(0);
    recorded.forEach((line, i) => {
      const [a, b] = [parseRecordLine(line), parseRecordLine(original[i]!)];
      if (!a.ok || !b.ok) throw new Error(`line ${i + 1} does not parse`);
      expect({ ...a.advert, t: 0 }).toEqual({ ...b.advert, t: 0 });
    });
  });

  it('ends when a replay that does not loop ran out, a file or standard input: every point delivered, exit 0', async () => {
    const dir = await track.tempDir('ble-cli-');
    const [map, file] = [join(dir, 'map.yaml'), join(dir, 'three.ndjson')];
    const three = `${(await readFile(recording, 'utf8')).split('\n').filter((l) => l.includes('"a4:c1:38:12:34:56"')).slice(0, 3).join('\n')}\n`;
    await writeFile(file, three);
    const mapping = (replay: string) => `source_id: replayed\nsink: { url: stdout, batch: { linger_ms: 20 } }\nble:\n  replay: { file: '${replay}', pace: fast }\n  devices:\n    - { name: kitchen, address: a4:c1:38:12:34:56, decoder: atc }\n`;
    for (const [replay, input] of [[file, undefined], ['-', three]] as const) {
      await writeFile(map, mapping(replay));
      const script = `const { main } = await import('./src/cli.ts'); process.exitCode = await main(['--config', ${JSON.stringify(map)}]);`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'source', '--input-type=module', '-e', script], { cwd: packageDir, stdio: ['pipe', 'pipe', 'pipe'] });
      track.defer(() => void child.kill('SIGKILL'));
      let [out, err] = ['', ''];
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.stdin.end(input);
      // Nothing stops it but the end of what it replays.
      expect(await exited, err).toBe(0);
      expect(out.trim().split('\n').map((l) => (JSON.parse(l) as { metric: string }).metric).filter((m) => m === 'kitchen.temperature')).toHaveLength(3);
      expect(err).toContain(`the replay of ${replay === '-' ? 'standard input' : file} ended after 3 adverts (0 bad lines)`);
    }
  });

  it('exits 1 saying which capability is missing when there is no Bluetooth (these machines have none)', async (ctx) => {
    const opened = await loadNoble().then(() => true, () => false);
    if (opened) return ctx.skip();
    const dir = await track.tempDir('ble-cli-');
    const map = join(dir, 'map.yaml');
    await writeFile(map, 'source_id: no-adapter\nsink: { url: stdout }\nble:\n  devices:\n    - { name: kitchen, address: a4:c1:38:12:34:56, decoder: atc }\n');
    const script = `const { main } = await import('./src/cli.ts'); process.exitCode = await main(['--config', ${JSON.stringify(map)}]);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--conditions', 'source', '--input-type=module', '-e', script], { cwd: packageDir, encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(1);
    expect(child.stdout).toBe('');
    const fatal = child.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.level === 60);
    expect(fatal?.msg).toMatch(/could not start: this kernel has no Bluetooth support \(EAFNOSUPPORT.*load the modules .*replay a record file instead/);
  });
});

describe('the bridge-ble-sim command', () => {
  it('writes the demo fleet heard through noble as record lines, which bridge-ble replays', async () => {
    const dir = await track.tempDir('ble-sim-');
    const file = join(dir, 'live.ndjson');
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await simMain(['--out', file, '--rounds', '2', '--interval-ms', '10'], { stdout: new PassThrough(), stderr })).toBe(0);
    expect(err).toContain('bridge-ble-sim: wrote 14 adverts in 2 rounds');
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map(parseRecordLine);
    expect(lines.every((l) => l.ok)).toBe(true);
    expect(new Set(lines.map((l) => (l.ok ? l.advert.address : '')))).toHaveProperty('size', 7);
    const { code, out } = await run(['--config', example, '--dry-run', '--once', '--log-level', 'silent'], { ...replayEnv, BLE_REPLAY: file });
    expect(code).toBe(0);
    expect(out).toContain('"metric":"living_room.temperature","value":21.5');
  });

  it('as a process of its own, writes its rounds on stdout (the radio keeps the process alive) and exits 0', () => {
    const script = `const { main } = await import('./src/sim-cli.ts'); process.exitCode = await main(['--rounds', '2', '--interval-ms', '10']);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--conditions', 'source', '--input-type=module', '-e', script], { cwd: packageDir, encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(0);
    expect(child.stdout.trim().split('\n').map((l) => parseRecordLine(l).ok)).toEqual(Array.from({ length: 14 }, () => true));
    expect(child.stderr).toContain('bridge-ble-sim: wrote 14 adverts in 2 rounds');
  });

  it('exits quietly (0) once the reader of its standard output goes away (`| head`, a bridge that exited)', async () => {
    const script = `const { main } = await import('./src/sim-cli.ts'); process.exitCode = await main(['--interval-ms', '20']);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'source', '--input-type=module', '-e', script], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    track.add(child, (c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL'));
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    // Its first lines read, the reader leaves, as head does once it has its bytes.
    await once(child.stdout, 'data');
    child.stdout.destroy();
    expect(await exited).toEqual([0, null]);
    expect(err).toBe('bridge-ble-sim: writing to stdout, one round every 20 ms (Ctrl-C stops)\n');
  });

  it('refuses a wrong option with its usage (exit 2)', async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await simMain(['--interval-ms', 'soon'], { stdout: new PassThrough(), stderr })).toBe(2);
    expect(err).toContain('--interval-ms soon: give a whole number from 10 to 3600000');
  });
});
