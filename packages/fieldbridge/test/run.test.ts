import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModbusSimulator } from '@fieldbridge/bridge-modbus';
import { startMosquitto } from '@fieldbridge/bridge-mqtt/testing';
import { createSqliteSpool } from '@fieldbridge/core';
import { startCommand, trackCleanups, until, writeTempFile } from '@fieldbridge/core/testing';
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

/** The JSON log lines of a command's stderr. */
const logLines = (stderr: string): Record<string, unknown>[] => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

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
    // An expected error is said by its code and message: no stack trace through dist and node_modules.
    const fatal = logLines(stderr).find((l) => l.level === 60)!;
    expect(fatal.err).toMatchObject({ code: 'SPOOL_LOCKED' });
    expect(stderr).not.toContain('"stack"');
    // c's stop says why it stops: d failed, and with what.
    expect(logLines(stderr).filter((l) => l.file === c && String(l.msg).includes('stopping intake')).map((l) => l.msg)).toEqual([`${d} failed (SPOOL_LOCKED): stopping intake and delivering what is queued`]);
  });

  it('--once against a device that refuses the connection logs READ_FAILED by its code and message, without a stack trace (exit 1)', async () => {
    const gone = await startModbusSimulator({ port: 0 });
    await gone.close();
    const file = await writeTempFile(track, 'once.yaml', `source_id: once\nsink: { url: stdout }\n${modbusSection(gone.url)}\n`);
    const { code, stderr } = await start(['run', '--once', file]).exited;
    expect(code).toBe(1);
    const failed = logLines(stderr).find((l) => String(l.msg).startsWith('the read cycle failed'));
    expect(failed?.err, stderr).toMatchObject({ type: 'ModbusBridgeError', code: 'READ_FAILED', message: expect.stringContaining(gone.url) });
    expect(stderr).not.toContain('"stack"');
  });

  it('--once of several files: one failing ends the others\' read cycles at once, not at their timeout', async () => {
    const gone = await startModbusSimulator({ port: 0 });
    await gone.close();
    const broker = track.add(await startMosquitto(), (m) => m.close());
    const a = await writeTempFile(track, 'once-a.yaml', `source_id: once-a\nsink: { url: stdout }\n${modbusSection(gone.url)}\n`);
    // Nothing is published on the broker: alone, this file would wait its whole --once timeout.
    const b = await writeTempFile(track, 'once-b.yaml', `source_id: once-b\nsink: { url: stdout }\n${mqttSection(broker.url)}\n`);
    const { code, stderr } = await start(['run', '--once', '--once-timeout', '600s', a, b]).exited;
    expect(code).toBe(1);
    expect(logLines(stderr).filter((l) => l.file === b && String(l.msg).includes('ending the read cycle')).map((l) => l.msg)).toEqual([`${a} failed (READ_FAILED): ending the read cycle and delivering what was read`]);
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

/** A loopback port nothing listens on now, chosen by the OS. */
async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('fieldbridge run: SIGHUP reloads every file as at the start', () => {
  it('a section added to a running file runs its bridge, loaded on demand (here modbus, which only another file named at start)', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const plc = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const a = await writeTempFile(track, 'a.yaml', [`source_id: line-a`, `sink: { url: '${gw.url}', api_key: k }`, modbusSection(plc.url), ''].join('\n'));
    const b = await writeTempFile(track, 'b.yaml', [`source_id: line-b`, `sink: { url: '${gw.url}', api_key: k }`, mqttSection(broker.url), ''].join('\n'));
    const run = startCommand(BIN, ['run', a, b], { track });
    await run.said('fieldbridge (mqtt) running');
    await run.said('fieldbridge (modbus) running');
    await appendFile(b, `${modbusSection(plc.url)}\n`);
    run.child.kill('SIGHUP');
    await until(() => gw.points().some((p) => p.source_id === 'line-b') || logLines(run.stderr()).some((l) => l.file === b && Number(l.level) >= 50), 'points of the section added to b.yaml (or its refusal)');
    expect(logLines(run.stderr()).filter((l) => l.file === b && /^SIGHUP: /.test(String(l.msg))).map((l) => l.msg)).toEqual(['SIGHUP: mapping reloaded; the bridges restarted, the spool kept']);
    // b now holds two sections: its points say which bridge read them.
    expect(gw.points().find((p) => p.source_id === 'line-b')).toMatchObject({ metric: 'plc.level', tags: { bridge: 'modbus', channel: 'plc' } });
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('a change to one section of a file of two restarts only its bridge: QoS 0 messages the other reads through the reload all arrive', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const plc = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const sequence = ['mqtt:', `  url: ${broker.url}`, '  subscriptions:', '    - { topic: seq/+, qos: 0, format: number, metric: "seq.{topic.1}" }'].join('\n');
    const body = (pollMs: number) => [`source_id: line-s`, `sink: { url: '${gw.url}', api_key: k, batch: { linger_ms: 20 } }`, modbusSection(plc.url).replace('poll_ms: 100', `poll_ms: ${pollMs}`), sequence, ''].join('\n');
    const file = await writeTempFile(track, 'two.yaml', body(100));
    const run = startCommand(BIN, ['run', file, '--log-level', 'info'], { track });
    const connected = () => logLines(run.stderr()).filter((l) => l.channel === 'seq/+' && l.state === 'connected').length;
    await until(() => connected() === 1 && gw.points({ metric: 'plc.level' }).length > 0, 'both bridges reading');
    await writeFile(file, body(150));
    // Published at QoS 0 while the reload happens: a bridge reconnecting meanwhile would miss some.
    const publisher = track.add(await mqtt.connectAsync(broker.url), (c) => c.endAsync());
    let sent = 0;
    let after = 0;
    while (after < 50) {
      await publisher.publishAsync('seq/d1', String(sent++), { qos: 0 });
      if (sent === 20) run.child.kill('SIGHUP');
      if (run.stderr().includes('SIGHUP: mapping reloaded')) after += 1;
      // A turn of the event loop between messages: the command's log is read meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Two batches are in flight at once, so a large one (what piled up during the reload) may
    // arrive after those behind it: every message is waited for, in any order.
    const values = () => gw.points({ metric: 'seq.d1' }).map((p) => p.value as number).sort((a, b) => a - b);
    await until(() => new Set(values()).size >= sent, `all ${sent} messages published`).catch((err: Error) => {
      const got = new Set(values());
      throw new Error(`${err.message}; missing: ${Array.from({ length: sent }, (_, i) => i).filter((i) => !got.has(i)).join(', ')}`);
    });
    expect(values()).toEqual(Array.from({ length: sent }, (_, i) => i));
    expect(logLines(run.stderr()).filter((l) => /^SIGHUP: /.test(String(l.msg))).map((l) => l.msg)).toEqual(['SIGHUP: mapping reloaded; bridge-modbus restarted from its section, the others run on with their connections; the spool kept']);
    expect(connected()).toBe(1);
    // The restarted bridge reads again, as its section now says.
    const polled = gw.points({ metric: 'plc.level' }).length;
    await until(() => gw.points({ metric: 'plc.level' }).length > polled, 'modbus polls after the reload');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('a section added to a file sending over WebSocket comes with a new sink, whose agent_version names the added bridge', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const plc = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const file = await writeTempFile(track, 'ws.yaml', [`source_id: line-w`, `sink: { url: '${gw.wsUrl}', api_key: k }`, mqttSection(broker.url), ''].join('\n'));
    const run = startCommand(BIN, ['run', file], { track });
    await until(() => gw.devices().some((d) => d.agentVersion?.includes('bridge-mqtt/')), 'the bridge connected over WebSocket');
    await appendFile(file, `${modbusSection(plc.url)}\n`);
    run.child.kill('SIGHUP');
    await run.said('SIGHUP: mapping reloaded (with a new sink)');
    await until(() => gw.devices().some((d) => /bridge-mqtt\/\S+ bridge-modbus\//.test(d.agentVersion ?? '')), 'agent_version naming both bridges');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('a file moved onto the spool or observe address of another file of the run is refused with the reason said at start, and keeps running', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const plc = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const dir = await track.tempDir('fb-run-');
    const listen = `127.0.0.1:${await unusedPort()}`;
    const file = (name: string, body: string): Promise<string> => writeFile(join(dir, name), body).then(() => join(dir, name));
    const a = await file('a.yaml', [`source_id: line-a`, `sink: { url: '${gw.url}', api_key: k, buffer: { path: '${join(dir, 'sp-a')}' } }`, `observe: { listen: '${listen}' }`, modbusSection(plc.url), ''].join('\n'));
    const bText = [`source_id: line-b`, `sink: { url: '${gw.url}', api_key: k, buffer: { path: '${join(dir, 'sp-b')}' } }`, `observe: { listen: '127.0.0.1:0' }`, modbusSection(plc.url), ''].join('\n');
    const b = await file('b.yaml', bText);
    const run = startCommand(BIN, ['run', a, b], { track });
    await until(() => gw.points().some((p) => p.source_id === 'line-b'), 'points of b.yaml');
    const refusals = () => logLines(run.stderr()).filter((l) => l.file === b && l.level === 50);
    const spoolCol = bText.split('\n')[1]!.indexOf(`'${join(dir, 'sp-b')}'`) + 1;

    await writeFile(b, bText.replace(join(dir, 'sp-b'), join(dir, 'sp-a')));
    run.child.kill('SIGHUP');
    await until(() => refusals().length === 1, 'the reload of b.yaml refused');
    expect(refusals()[0]).toMatchObject({ msg: 'SIGHUP: the mapping file is invalid; keeping the running configuration', err: { code: 'CONFIG_INVALID', message: `${b}:2:${spoolCol} sink.buffer.path: ${join(dir, 'sp-a')} is the spool ${a} uses too: each file of a run needs its own buffer.path` } });

    await writeFile(b, bText.replace('127.0.0.1:0', listen));
    run.child.kill('SIGHUP');
    await until(() => refusals().length === 2, 'the second reload of b.yaml refused');
    expect(refusals()[1]).toMatchObject({ msg: 'SIGHUP: the mapping file is invalid; keeping the running configuration', err: { code: 'CONFIG_INVALID', message: `${b}:3:20 observe.listen: ${listen}: ${a} listens there too: give each file its own port (or port 0 for any free one)` } });

    // b runs on as it was: its spool, its points.
    const before = gw.points().filter((p) => p.source_id === 'line-b').length;
    await until(() => gw.points().filter((p) => p.source_id === 'line-b').length > before, 'points of b.yaml after the refused reloads');
    expect(readdirSync(join(dir, 'sp-b'))).toContain('spool.sqlite');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});
