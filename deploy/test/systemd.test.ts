// The systemd unit (deploy/systemd/fieldbridge.service) checked by systemd's own verifier, and
// its commands run as systemd would run them, with its paths mapped to temporary folders: the
// command from this repository, the mapping directory, the state directory as working folder.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModbusSimulator } from '@fieldbridge/bridge-modbus';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '@fieldbridge/core';
import { until } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import { afterEach, describe, expect, it } from 'vitest';
import { logLines, run, start } from './helpers/processes.js';
import { repoPath, type Manifest } from './helpers/repo.js';
import { commandWords, readSystemdUnit, serviceValue } from './helpers/systemd-unit.js';

const UNIT_FILE = repoPath('deploy/systemd/fieldbridge.service');
const unit = readSystemdUnit(UNIT_FILE);
const COMMAND = '/usr/local/bin/fieldbridge';
const CONF_DIR = '/etc/fieldbridge/conf.d';
const BIN = repoPath('packages/fieldbridge', (JSON.parse(readFileSync(repoPath('packages/fieldbridge/package.json'), 'utf8')) as Manifest).bin!.fieldbridge!);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fb-systemd-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A command line of the unit as it runs here: the command from this repository, the mapping directory `confDir`. */
function mapped(line: string, confDir: string, mainPid?: number): string[] {
  return commandWords(line).flatMap((w) => (w === COMMAND ? [process.execPath, BIN] : w === CONF_DIR ? [confDir] : w === '$MAINPID' ? [String(mainPid)] : [w]));
}

/** A duration of a unit (`30`, `30s`, `1min`), in ms. */
function unitMs(value: string): number {
  const m = /^(\d+)\s*(ms|s|min)?$/.exec(value);
  if (!m) throw new Error(`a duration this test does not read: ${value}`);
  return Number(m[1]) * ({ ms: 1, s: 1000, min: 60_000 } as Record<string, number>)[m[2] ?? 's']!;
}

const mapping = (plc: string, sink: string, pollKey = 'poll_ms') =>
  ['source_id: line-a', `sink: { url: '${sink}', api_key: "\${PLEXUS_API_KEY}", buffer: { path: ./line-a-spool } }`, 'modbus:', '  devices:', `    - { name: plc, connection: '${plc}', ${pollKey}: 100, points: [{ metric: plc.level, table: holding, address: 0 }] }`, ''].join('\n');

describe('the systemd unit', () => {
  it('passes systemd-analyze verify with its command where this repository has it', async () => {
    const dir = await tempDir();
    const copy = join(dir, 'fieldbridge.service');
    writeFileSync(copy, readFileSync(UNIT_FILE, 'utf8').replaceAll(COMMAND, BIN));
    const verified = await run('systemd-analyze', ['verify', copy]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });

  it('runs the command itself (not npx) on the mapping directory, leaves time for the drain, and never restarts a mapping error (exit 2)', () => {
    expect(commandWords(serviceValue(unit, 'ExecStart'))).toEqual([COMMAND, 'run', CONF_DIR]);
    expect(unitMs(serviceValue(unit, 'TimeoutStopSec'))).toBeGreaterThanOrEqual(DEFAULT_SHUTDOWN_TIMEOUT_MS + 5_000);
    expect(serviceValue(unit, 'Restart')).toBe('on-failure');
    expect(commandWords(serviceValue(unit, 'RestartPreventExitStatus'))).toContain('2');
    expect(serviceValue(unit, 'WorkingDirectory')).toBe(`/var/lib/${serviceValue(unit, 'StateDirectory')}`);
  });

  it('as systemd runs it: ExecStart delivers; ExecReload refuses a wrong file before signalling, and reloads a right one; KillSignal drains to exit 0', async () => {
    const gw = await createGateway({ apiKeys: ['k'] });
    cleanups.push(() => gw.close());
    const plc = await startModbusSimulator({ port: 0 });
    cleanups.push(() => plc.close());
    const root = await tempDir();
    const confDir = join(root, 'conf.d');
    const state = join(root, 'state');
    mkdirSync(confDir);
    mkdirSync(state);
    const file = join(confDir, 'line-a.yaml');
    writeFileSync(file, mapping(plc.url, gw.url));
    const env = { PATH: process.env.PATH, PLEXUS_API_KEY: 'k' };
    const [command, ...args] = mapped(serviceValue(unit, 'ExecStart'), confDir);
    const service = start(command!, args, { cwd: state, env });
    cleanups.push(() => service.stop());
    await until(() => gw.points().some((p) => p.source_id === 'line-a'), 'points from the service').catch((err: Error) => {
      throw new Error(`${err.message}:\n${service.stderr()}`);
    });

    const reload = async (): Promise<number | null> => {
      for (const line of unit.Service!.ExecReload!) {
        const [cmd, ...rest] = mapped(line, confDir, service.pid);
        const ran = await run(cmd!, rest, { cwd: state, env });
        if (ran.code !== 0) return ran.code;
      }
      return 0;
    };
    writeFileSync(file, mapping(plc.url, gw.url, 'poll_msx'));
    expect(await reload()).toBe(2);
    writeFileSync(file, mapping(plc.url, gw.url).replace('poll_ms: 100', 'poll_ms: 200'));
    expect(await reload()).toBe(0);
    await until(() => logLines(service.stderr()).some((l) => String(l.msg).startsWith('SIGHUP: mapping reloaded')), 'the reload');
    expect(logLines(service.stderr()).filter((l) => String(l.msg).startsWith('SIGHUP'))).toHaveLength(1);

    const stopAt = Date.now();
    service.kill(serviceValue(unit, 'KillSignal') as NodeJS.Signals);
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopAt).toBeLessThan(unitMs(serviceValue(unit, 'TimeoutStopSec')));
  });
});
