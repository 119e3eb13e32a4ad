import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackCleanups, until, writeTempFile } from '@fieldbridge/core/testing';
import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { describe, expect, it } from 'vitest';
import { planConfigure } from '../src/configure.js';
import { startModbusSimulator } from '../src/simulator.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const track = trackCleanups();

async function control(gw: Gateway, config: unknown): Promise<Record<string, unknown>> {
  const answer = await fetch(`${gw.origin}/_dev/control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source_id: 'cfg-modbus', message: { type: 'configure', config } }) });
  expect(answer.status).toBe(200);
  const { results } = (await answer.json()) as { results: { reply: Record<string, unknown> }[] };
  return results[0]!.reply;
}

describe('configure requests to bridge-modbus', () => {
  const now = new Map([
    ['press1', 1000],
    ['press2', 5000],
  ]);

  it('set poll intervals for every device and per device, in the units and range of poll_ms', () => {
    expect(planConfigure({ poll_ms: 500 }, now)).toEqual(new Map([['press1', 500], ['press2', 500]]));
    expect(planConfigure({ poll_ms: '2s', devices: { press2: { poll_ms: '250ms' } } }, now)).toEqual(new Map([['press1', 2000], ['press2', 250]]));
    expect(planConfigure({ bridge: 'modbus', devices: { press1: { poll_ms: '1m' } } }, now)).toEqual(new Map([['press1', 60_000], ['press2', 5000]]));
  });

  it('refuse anything else, saying what is wrong and what is accepted', () => {
    const refused = (request: unknown) => () => planConfigure(request, now);
    expect(refused({ poll_ms: 5 })).toThrow(/^configure refused, nothing changed: poll_ms: must be at least 10ms \(range 10ms\.\.1d\); bridge-modbus accepts \{"poll_ms": 500\}/);
    expect(refused({ poll_ms: '2d' })).toThrow(/poll_ms: must be at most 1d/);
    expect(refused({ timeout_ms: 100 })).toThrow(/unknown key "timeout_ms"/);
    expect(refused({ devices: { press9: { poll_ms: 100 } } })).toThrow(/devices\.press9: no such device \(the devices are press1, press2\)/);
    expect(refused({ devices: { press1: { poll: 100 } } })).toThrow(/devices\.press1: unknown key "poll"/);
    expect(refused({})).toThrow(/nothing to change/);
    expect(refused('fast')).toThrow(/configure refused, nothing changed/);
  });

  it('through gateway-dev\'s control endpoint over WebSocket: changes how often a running bridge polls, until SIGHUP returns to the file', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const sim = track.add(await startModbusSimulator({ port: 0 }), (s) => s.close());
    // press1 reads input registers once a day, press2 holding registers every 20 ms: the
    // simulator's request count per table is each device's polls, and press2's are the clock.
    const file = await writeTempFile(
      track,
      'map.yaml',
      `source_id: cfg-modbus
sink: { url: '${gw.wsUrl}', api_key: k, batch: { linger_ms: 20 } }
modbus:
  devices:
    - { name: press1, connection: '${sim.url}', unit_id: 1, poll_ms: 1d, points: [{ metric: a, table: input, address: 0 }] }
    - { name: press2, connection: '${sim.url}', unit_id: 2, poll_ms: 20ms, points: [{ metric: b, table: holding, address: 0 }] }
`,
    );
    const child: ChildProcess = spawn(process.execPath, [BIN, '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    track.add(child, (c) => c.kill('SIGKILL'));
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await until(() => gw.devices().some((d) => d.sourceId === 'cfg-modbus') && sim.requests().input === 1, 'the bridge connected and press1 polled');

    // While press2 polls ten times, press1 (once a day) does not poll at all.
    const held = sim.requests();
    await until(() => sim.requests().holding >= held.holding + 10, 'ten polls of press2');
    expect(sim.requests().input).toBe(1);

    // Refused: nothing changes, and the answer says why.
    const refused = await control(gw, { poll_ms: 5 });
    expect(refused).toMatchObject({ type: 'configure_result', ok: false, error: expect.stringContaining('poll_ms: must be at least 10ms (range 10ms..1d)') });

    expect(await control(gw, { devices: { press1: { poll_ms: '20ms' } } })).toMatchObject({ type: 'configure_result', ok: true, result: { poll_ms: { press1: 20, press2: 20 } } });
    // press1 now polls as often as press2: the day's wait was cut short.
    await until(() => sim.requests().input >= 6, 'five more polls of press1', 20_000);

    // SIGHUP reloads the file: press1 polls once (the reloaded bridge's first cycle), then
    // again once a day, so not at all while press2 polls ten more times.
    child.kill('SIGHUP');
    await until(() => stderr.includes('SIGHUP: mapping reloaded'), 'the reload');
    const reloaded = sim.requests();
    await until(() => sim.requests().holding >= reloaded.holding + 10, 'ten polls of press2 after the reload');
    expect(sim.requests().input - reloaded.input).toBeLessThanOrEqual(1);
    expect(stderr).toContain('configure: polling press1 every 20ms, press2 every 20ms until the mapping is reloaded');
    child.kill('SIGTERM');
  });
});
