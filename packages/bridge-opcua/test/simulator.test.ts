import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOpcua } from '../src/client.js';
import { SIM_NAMESPACE } from '../src/server.js';
import { simulatedTemperature, startOpcuaSimulator, type OpcuaSimulator } from '../src/simulator.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { capturingLogger } from './helpers/logger.js';
import { clientFor } from './helpers/servers.js';

const cleanup = createCleanup();
let sim: OpcuaSimulator;
const packageDir = fileURLToPath(new URL('..', import.meta.url));

beforeAll(async () => {
  // Steps are driven by tick(): the timer's hour-long interval is far beyond the test.
  sim = await startOpcuaSimulator({ pkiDir: cleanup.dir('sim'), intervalMs: 3_600_000, alarmPeriodMs: 4 * 3_600_000 });
  cleanup.add(() => sim.stop());
});
afterAll(() => cleanup.run());

describe('the simulator', () => {
  it('swings the boiler temperature through the alarm limit once per period', () => {
    expect(simulatedTemperature(0, 60_000)).toBe(60);
    expect(simulatedTemperature(15_000, 60_000)).toBe(95); // 60 + 35 * sin(pi / 2)
    expect(simulatedTemperature(45_000, 60_000)).toBe(25);
  });

  it('moves its values at each step and raises the alarm', async () => {
    const connection = await clientFor(cleanup, sim.endpointUrl, cleanup.dir('client'));
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      variables: [
        { key: 'counter', nodeId: `nsu=${SIM_NAMESPACE};s=Boiler.Counter`, samplingIntervalMs: 0 },
        { key: 'array', browsePath: 'Sim/Arrays/Double', samplingIntervalMs: 0 },
      ],
      folders: [{ key: 'line', browsePath: 'Line1', samplingIntervalMs: 0 }],
      events: [{ key: 'alarms' }],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'counter');
    await sim.eventsMonitored();
    // Steps of a quarter period: the first puts the temperature at 60 + 35 * sin(pi / 2) = 95.
    expect(sim.tick()).toBe(1);
    await c.value((v) => v.item.key === 'counter' && v.value === 1);
    expect((await c.value((v) => v.item.key === 'array' && Array.isArray(v.value) && v.value[2] === 1)).value).toHaveLength(3);
    expect(c.values.some((v) => v.item.key === 'line' && v.item.browsePath?.join('/') === 'Motor2/Speed' && v.value !== 2000)).toBe(true);
    const alarm = await c.event((e) => e.fields.ConditionName === 'TemperatureAlarm' && e.fields.ActiveState === true);
    expect(alarm.fields.Message).toMatch(/95\.000/);
  });

  // Another address of this machine, to knock on: a simulator on loopback must not answer there.
  const external = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;
  it.skipIf(external === undefined)('listens on loopback only, not on every interface', async () => {
    const knock = (host: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(sim.port, host, () => {
          socket.destroy();
          resolve('open');
        }).once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
    expect(await knock('127.0.0.1')).toBe('open');
    expect(await knock(external!)).toBe('ECONNREFUSED');
  });

  it('runs as a command that prints its URL on stdout and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--conditions', 'source', '--import', 'tsx', '-e', "import('./src/sim-cli.ts').then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })", '--', '--port', '0', '--pki', cleanup.dir('cli')], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const lines = createInterface({ input: child.stdout });
    const url = await new Promise<string>((resolve) => lines.once('line', resolve));
    expect(url).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
    const connection = await connectOpcua({ endpointUrl: url, pki: { dir: cleanup.dir('client'), trust: 'tofu' }, logger: capturingLogger() });
    expect(connection.namespaces()).toContain(SIM_NAMESPACE);
    await connection.close();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
