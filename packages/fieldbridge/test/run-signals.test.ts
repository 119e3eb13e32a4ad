import { existsSync } from 'node:fs';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModbusSimulator } from '@fieldbridge/bridge-modbus';
import { startMosquitto } from '@fieldbridge/bridge-mqtt/testing';
import { startCommand, trackCleanups, until, writeTempFile } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const CORE = fileURLToPath(new URL('../../core', import.meta.url));
const track = trackCleanups();

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))) throw new Error('fieldbridge is not built: run `pnpm --filter fieldbridge build` (turbo runs it before test)');
});

// A bridge package whose import waits until the file $GATE_FILE exists: the test holds the
// command in the middle of reading its mapping files, before any bridge runs.
const GATE = `import { existsSync } from 'node:fs';
import { defineBridge } from '@fieldbridge/core/bridge';
import { z } from 'zod';
process.stderr.write('gate: loading\\n');
while (!existsSync(process.env.GATE_FILE)) {
  process.stderr.write('gate: waiting\\n');
  await new Promise((r) => setTimeout(r, 10));
}
export const gateBridge = defineBridge({
  name: 'gate',
  version: '1.0.0',
  configSchema: z.strictObject({ metric: z.string() }),
  describe: (s) => [s.metric],
  create: (s, ctx) => ({
    async start() {
      const channel = ctx.channel('gate');
      channel.set('connected');
      ctx.emit(channel, [{ metric: s.metric, value: 1 }]);
    },
    async stop() {},
  }),
});
`;

async function gatedProject(): Promise<{ dir: string; gate: string }> {
  const dir = await track.tempDir('fb-signals-');
  const pkg = join(dir, 'node_modules', '@fieldbridge', 'bridge-gate');
  await mkdir(pkg, { recursive: true });
  await symlink(CORE, join(dir, 'node_modules', '@fieldbridge', 'core'));
  await symlink(await realpath(join(CORE, 'node_modules', 'zod')), join(dir, 'node_modules', 'zod'));
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@fieldbridge/bridge-gate', version: '1.0.0', type: 'module', exports: { '.': { import: './index.js' } } }));
  await writeFile(join(pkg, 'index.js'), GATE);
  return { dir, gate: join(dir, 'gate-open') };
}

describe('fieldbridge run answers signals before its bridges run and during --once', () => {
  it('a SIGHUP while the files are still being read is not the end of the process: the reload is done once the bridges run', async () => {
    const { dir, gate } = await gatedProject();
    const file = join(dir, 'site.yaml');
    await writeFile(file, 'source_id: gated\nsink: { url: stdout }\ngate: { metric: gate.open }\n');
    const run = startCommand(BIN, ['run', file], { env: { ...process.env, NO_COLOR: '1', GATE_FILE: gate }, track });
    await run.said('gate: loading');
    const waits = () => run.stderr().split('gate: waiting').length - 1;
    const before = waits();
    run.child.kill('SIGHUP');
    // Two more turns of the gate's loop: the signal, delivered before the first, has been
    // dispatched in its poll phase, to the hold, not to the listener the service sets up later.
    await until(() => waits() >= before + 2, 'the gate to wait twice after the SIGHUP');
    await writeFile(gate, '');
    await run.said('SIGHUP during start-up: the mapping file is read again once the bridges run');
    await run.said('fieldbridge (gate) running');
    await run.said('SIGHUP: mapping reloaded');
    await until(() => run.stdout().includes('"gate.open"'), 'the point on stdout');
    run.child.kill('SIGTERM');
    expect(await run.exited, run.stderr()).toBe(0);
  });

  it('Ctrl-C during a --once cycle ends the cycle and delivers what was read (exit 0); a SIGHUP there is ignored', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const plc = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    const broker = track.add(await startMosquitto(), (b) => b.close());
    // The first request is answered 503, and its retry waits 2 s: the batch the cycle read is held
    // in the memory spool when the signal comes.
    gw.setFaults({ status: 503, count: 1 });
    const file = await writeTempFile(
      track,
      'once.yaml',
      [
        'source_id: once-signal',
        `sink: { url: '${gw.url}', api_key: k, batch: { linger_ms: 0 }, retry: { initial_delay_ms: 2s, max_delay_ms: 2s } }`,
        'modbus:',
        '  devices:',
        `    - { name: plc, connection: '${plc.url}', points: [{ metric: plc.level, table: holding, address: 0 }] }`,
        'mqtt:',
        `  url: ${broker.url}`,
        // Nothing is published there: the cycle waits for it until its timeout.
        '  subscriptions: [{ topic: silent/topic, format: number, metric: silent }]',
        '',
      ].join('\n'),
    );
    const run = startCommand(BIN, ['run', '--once', '--once-timeout', '10m', file], { track });
    await until(() => gw.stats().byStatus['503'] === 1, 'the first batch, refused once');
    run.child.kill('SIGHUP');
    await run.said('SIGHUP: a --once cycle does not reload its mapping; ignored');
    run.child.kill('SIGINT');
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stderr()).toContain('SIGINT: ending the read cycle and delivering what was read');
    expect(gw.points().filter((p) => p.source_id === 'once-signal').map((p) => p.metric)).toContain('plc.level');
  });
});
