import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModbusSimulator } from '@fieldbridge/bridge-modbus';
import { startMosquitto } from '@fieldbridge/bridge-mqtt/testing';
import { createSqliteSpool } from '@fieldbridge/core';
import { trackCleanups, until, writeTempFile } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import mqtt from 'mqtt';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const track = trackCleanups();

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))) throw new Error('fieldbridge is not built: run `pnpm --filter fieldbridge build` (turbo runs it before test)');
});

/** `fieldbridge ARGS` as a child process; `exited` resolves with its code and stderr. */
function start(args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  track.add(child, (c) => void (c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')));
  return { child, exited };
}

const modbusSection = (url: string) => ['modbus:', '  devices:', '    - name: plc', `      connection: ${url}`, '      poll_ms: 100', '      points: [{ metric: "{device}.level", table: holding, address: 0 }]'].join('\n');
const mqttSection = (url: string) => ['mqtt:', `  url: ${url}`, '  subscriptions:', '    - { topic: site/+/temperature, format: number, metric: "{topic.1}.temperature" }'].join('\n');

describe('fieldbridge run', () => {
  it('runs a file holding modbus: and mqtt: in one process: both delivered through one spool, each point tagged with its bridge and channel', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const plc = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const dir = await track.tempDir('fb-run-');
    const file = await writeTempFile(
      track,
      'site.yaml',
      [`source_id: site-a`, `sink: { url: '${gw.url}', api_key: k, buffer: { path: '${join(dir, 'spool')}' } }`, `observe: { listen: '127.0.0.1:0' }`, modbusSection(plc.url), mqttSection(broker.url), ''].join('\n'),
    );
    const run = start(['run', file, '--log-level', 'info']);
    const publisher = track.add(await mqtt.connectAsync(broker.url), (c) => c.endAsync());
    // The bridge subscribes when it has connected: publish until it has heard one.
    const publishing = setInterval(() => void publisher.publishAsync('site/hall/temperature', '21.5'), 50);
    try {
      await until(() => gw.points().some((p) => p.tags?.bridge === 'mqtt') && gw.points().some((p) => p.tags?.bridge === 'modbus'), 'points of both bridges');
    } finally {
      clearInterval(publishing);
    }
    const modbus = gw.points().find((p) => p.tags?.bridge === 'modbus')!;
    expect(modbus).toMatchObject({ metric: 'plc.level', source_id: 'site-a', tags: { bridge: 'modbus', channel: 'plc' } });
    const fromMqtt = gw.points().find((p) => p.tags?.bridge === 'mqtt')!;
    expect(fromMqtt).toMatchObject({ metric: 'hall.temperature', value: 21.5, source_id: 'site-a', tags: { bridge: 'mqtt' } });
    // One sink: one spool file, one source, one agent naming both bridges.
    expect(readdirSync(join(dir, 'spool')).filter((f) => f.endsWith('.sqlite'))).toEqual(['spool.sqlite']);
    run.child.kill('SIGTERM');
    const { code, stderr } = await run.exited;
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('fieldbridge (modbus, mqtt) running');
  });

  it('runs several files side by side, each its own source; when one cannot start, all stop with exit 1', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const plc = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const a = await writeTempFile(track, 'a.yaml', [`source_id: line-a`, `sink: { url: '${gw.url}', api_key: k }`, modbusSection(plc.url), ''].join('\n'));
    const b = await writeTempFile(track, 'b.yaml', [`source_id: line-b`, `sink: { url: '${gw.url}', api_key: k }`, modbusSection(plc.url), ''].join('\n'));
    const both = start(['run', a, b]);
    await until(() => ['line-a', 'line-b'].every((s) => gw.points().some((p) => p.source_id === s)), 'points of both files');
    both.child.kill('SIGINT');
    expect((await both.exited).code).toBe(0);

    // d's spool directory is held by another process (here, this one): d cannot start. (Two
    // files naming one spool are refused before anything starts.)
    const dir = await track.tempDir('fb-run-');
    const held = join(dir, 'held');
    const holder = createSqliteSpool({ dir: held, limits: { maxBytes: 1e6, whenFull: 'drop_oldest' } });
    track.defer(() => holder.close());
    // c waits for its observe server, so d fails before c is running: c must still stop.
    const c = await writeTempFile(track, 'c.yaml', [`source_id: line-c`, `sink: { url: '${gw.url}', api_key: k, buffer: { path: '${join(dir, 'c')}' } }`, `observe: { listen: '127.0.0.1:0' }`, modbusSection(plc.url), ''].join('\n'));
    const d = await writeTempFile(track, 'd.yaml', [`source_id: line-d`, `sink: { url: '${gw.url}', api_key: k, buffer: { path: '${held}' } }`, modbusSection(plc.url), ''].join('\n'));
    const clash = start(['run', c, d]);
    const { code, stderr } = await clash.exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/SPOOL_LOCKED|another process/);
  });

  it('a rule that lists sources reads what the other files of the run read; its event goes through its own file\'s sink', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const plc = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    // True only with a value of each file's source: never, unless the rule sees the other file's points.
    const rule = `rules:\n  - { name: both_lines, when: 'value("plc.level", "line-a") > -1e9 && value("plc.level", "line-b") > -1e9', per: all, sources: [line-*] }`;
    const a = await writeTempFile(track, 'a.yaml', [`source_id: line-a`, `sink: { url: '${gw.url}', api_key: k }`, rule, modbusSection(plc.url), ''].join('\n'));
    const b = await writeTempFile(track, 'b.yaml', [`source_id: line-b`, `sink: { url: '${gw.url}', api_key: k }`, modbusSection(plc.url), ''].join('\n'));
    const both = start(['run', a, b]);
    const event = await until(() => gw.points({ metric: 'alert.both_lines' })[0], 'the alert reading both files');
    expect(event).toMatchObject({ source_id: 'line-a', tags: { rule: 'both_lines', state: 'fired' } });
    both.child.kill('SIGINT');
    expect((await both.exited).code).toBe(0);
  });

  it('refuses to start anything when one of the files is wrong (exit 2, the problem located)', async () => {
    const good = await writeTempFile(track, 'good.yaml', `source_id: ok\nsink: { url: stdout }\n${modbusSection('tcp://127.0.0.1:1')}\n`);
    const bad = await writeTempFile(track, 'bad.yaml', `source_id: Not Valid\nsink: { url: stdout }\n${modbusSection('tcp://127.0.0.1:1')}\n`);
    const { code, stderr } = await start(['run', good, bad]).exited;
    expect(code).toBe(2);
    expect(stderr).toContain(`${bad}:1:12 source_id`);
  });
});
