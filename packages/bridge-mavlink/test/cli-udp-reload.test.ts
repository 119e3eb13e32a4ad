// The command end to end: a vehicle streams MAVLink over UDP to bridge-mavlink, which sends to
// gateway-dev; the mapping is edited and SIGHUP sent while frames keep coming. Every frame must
// reach the gateway exactly once, and after SIGTERM the process ends with the port free.
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as pace } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startCommand, trackCleanups, until } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeV2 } from './helpers/mavlink-encoder.js';
import { udpPeer } from './helpers/udp-peer.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const track = trackCleanups();
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))) {
    throw new Error('bridge-mavlink is not built: run `pnpm --filter @fieldbridge/bridge-mavlink build` (turbo runs it before test)');
  }
});

/** Whether a UDP socket can bind `port` on loopback now. */
function bindable(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

describe('bridge-mavlink command, SIGHUP with the same UDP connection', () => {
  it('--once on udpin ends by itself, its kept socket closed', async () => {
    const file = join(await track.tempDir('bridge-mavlink-once-'), 'map.yaml');
    await writeFile(file, 'source_id: drone\nmavlink:\n  connection: udpin://127.0.0.1:0\n');
    const bridge = startCommand(BIN, ['--config', file, '--once', '--once-timeout', '500ms', '--dry-run'], { track });
    await bridge.said('listening on udpin://127.0.0.1:');
    const port = Number(/listening on udpin:\/\/127\.0\.0\.1:(\d+)/.exec(bridge.stderr())![1]);
    // Nothing sends: the cycle reads nothing (exit 1), and the process must still end.
    expect(await bridge.exited, bridge.stderr()).toBe(1);
    expect(await bindable(port)).toBe(true);
  });

  it('loses no frame sent across the reload and sends none twice; SIGTERM ends it with the port closed', async () => {
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    const file = join(await track.tempDir('bridge-mavlink-reload-'), 'map.yaml');
    const mapping = (fields: string): string =>
      `source_id: drone\nsink: { url: '${gw.url}', api_key: k, batch: { linger_ms: 50 } }\nmavlink:\n  connection: udpin://127.0.0.1:0\n  messages: { HEARTBEAT: [armed], ATTITUDE: [${fields}] }\n`;
    await writeFile(file, mapping('roll'));
    const bridge = startCommand(BIN, ['--config', file], { track });
    await bridge.said('listening on udpin://127.0.0.1:');
    const port = Number(/listening on udpin:\/\/127\.0\.0\.1:(\d+)/.exec(bridge.stderr())![1]);

    const vehicle = track.add(await udpPeer(), (p) => p.close());
    let sent = 0;
    const sendOne = (): Promise<void> => vehicle.send(encodeV2('ATTITUDE', { time_boot_ms: 60_000 + sent * 10, roll: sent }, { sysid: 1, seq: sent++ % 256 }), port);
    const rolls = (): number[] => gw.points().filter((p) => p.metric === 'attitude.roll' && p.duplicate !== true).map((p) => p.value as number);

    await vehicle.send(encodeV2('HEARTBEAT', hb, { sysid: 1, seq: 255 }), port);
    while (sent < 100) await sendOne();
    await until(() => rolls().length >= 100, 'the frames sent before the reload at the gateway');

    // A mapping change that restarts the bridge (its section changed), the connection the same.
    await writeFile(file, mapping('roll, pitch'));
    let reloaded = false;
    const reload = bridge.said('SIGHUP: mapping reloaded').then(() => (reloaded = true));
    bridge.child.kill('SIGHUP');
    // Frames keep coming while the bridge reloads, paced as a vehicle's telemetry is (at most 100,
    // so that a slow reload cannot overflow the socket's receive buffer in the kernel).
    const duringFrom = sent;
    while (!reloaded && sent - duringFrom < 100) {
      await sendOne();
      await pace(5);
    }
    await reload;
    expect(bridge.stderr()).toContain('the bridges restarted, the spool kept');
    const afterFrom = sent;
    while (sent < afterFrom + 100) await sendOne();
    await until(() => rolls().length >= sent, `all ${sent} frames at the gateway`, 20_000).catch(() => undefined);

    bridge.child.kill('SIGTERM');
    expect(await bridge.exited, bridge.stderr()).toBe(0);
    const heard = rolls().sort((a, b) => a - b);
    expect(heard).toEqual(Array.from({ length: sent }, (_, i) => i));
    expect(await bindable(port)).toBe(true);
  });
});
