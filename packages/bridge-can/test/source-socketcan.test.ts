import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '@fieldbridge/core';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { canConfigSchema } from '../src/config.js';
import type { SocketCanModule } from '../src/frames/socketcan-reader.js';
import { createCanSource } from '../src/source.js';
import { VEHICLE_DBC_PATH } from './helpers/drive-log.js';

// The host kernel has no CAN, so these tests replace the one thing that needs it, the socketcan
// package's native channel, with a stand-in driven by the test (the lowest layer). Everything
// above it is the bridge's own code; socketcan-uml.test.ts runs the same paths on real
// SocketCAN inside User-Mode Linux.
const track = trackCleanups();

interface RawMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  data: Uint8Array;
  ts_sec?: number;
  ts_usec?: number;
}

/** A stand-in for the socketcan package: each channel it makes is recorded for the test to drive. */
function fakeSocketCan() {
  const channels: { name: string; timestamps: boolean; filters: unknown[]; deliver(m: RawMessage[]): Promise<void>; stopInterface(): void; stopped: boolean }[] = [];
  let failing: Error | undefined;
  const module: SocketCanModule = {
    createRawChannel(name, timestamps = false) {
      if (failing) throw failing;
      const listeners: Record<string, ((m: RawMessage) => void)[]> = { onMessage: [], onStopped: [] };
      const entry = {
        name,
        timestamps,
        filters: [] as unknown[],
        stopped: false,
        // One native callback: the package delivers a batch, then returns to the event loop.
        async deliver(messages: RawMessage[]) {
          for (const m of messages) for (const l of listeners.onMessage!) l(m);
          await new Promise((resolve) => setImmediate(resolve));
          await new Promise((resolve) => setImmediate(resolve));
        },
        stopInterface() {
          for (const l of listeners.onStopped!) l({ id: 0, data: new Uint8Array() });
        },
      };
      channels.push(entry);
      return {
        addListener: (event: 'onMessage' | 'onStopped', l: (m: RawMessage) => void) => void listeners[event]!.push(l),
        setRxFilters: (filters: unknown[]) => void (entry.filters = filters),
        start: () => undefined,
        stop: () => void (entry.stopped = true),
      };
    },
  };
  return { module, channels, failWith: (err: Error | undefined) => void (failing = err) };
}

/** A clock the test sets, in ms since the epoch. */
function manualClock(startMs: number): Clock & { set(ms: number): void } {
  let now = startMs;
  return { now: () => now, monotonicNow: () => now, offsetMs: () => 0, roundTripMs: () => undefined, synced: () => true, addSample: () => 'used', set: (ms) => void (now = ms) };
}

/** Writes a file whole, as sysfs shows one: a reader never sees it empty or half written. */
async function writeWhole(path: string, text: string): Promise<void> {
  await writeFile(`${path}.new`, text);
  await rename(`${path}.new`, path);
}

async function setup(section: Record<string, unknown> = {}, rmemDefault = 33_554_432) {
  const proc = await track.tempDir('bridge-can-proc-');
  await writeFile(join(proc, 'rmem_default'), `${rmemDefault}\n`);
  await writeFile(join(proc, 'rmem_max'), `${rmemDefault}\n`);
  // The interface's flags, as /sys/class/net/lo/flags has them: 0x9 is IFF_UP | IFF_LOOPBACK.
  const sys = await track.tempDir('bridge-can-sys-');
  await mkdir(join(sys, 'lo'));
  const flags = join(sys, 'lo', 'flags');
  await writeFile(flags, '0x9\n');
  const ifindex = join(sys, 'lo', 'ifindex');
  await writeFile(ifindex, '1\n');
  const fake = fakeSocketCan();
  const t = createTestContext({ bridge: 'can' });
  const clock = manualClock(1_800_000_000_000);
  t.ctx.clock = clock;
  track.defer(() => t.abort.abort());
  const config = canConfigSchema.parse({ interface: 'socketcan:lo', dbc: VEHICLE_DBC_PATH, reconnect: { initial_ms: 10, max_ms: 20 }, ...section });
  const bridge = track.add(createCanSource(config, t.ctx, { loadSocketCan: async () => fake.module, procDir: proc, sysDir: sys, linkCheckMs: 5 }), (b) => b.stop());
  // `ip link delete lo`, and `ip link add` of one with a new index. The kernel shows a new
  // interface's directory whole, its ifindex in it: made aside and renamed into place, so the
  // bridge never opens an interface whose index it cannot read yet (then it could not tell a
  // later change). One still there gets its new index written whole.
  const deleteInterface = () => rm(join(sys, 'lo'), { recursive: true });
  const addInterface = async (index: number) => {
    if (existsSync(join(sys, 'lo'))) return writeWhole(ifindex, `${index}\n`);
    const made = join(sys, 'lo.new');
    await mkdir(made);
    await writeFile(join(made, 'flags'), '0x9\n');
    await writeFile(join(made, 'ifindex'), `${index}\n`);
    await rename(made, join(sys, 'lo'));
  };
  return { t, bridge, fake, clock, setFlags: (value: string) => writeWhole(flags, `${value}\n`), deleteInterface, addInterface };
}

/** An EngineData frame (id 0xC8) with raw EngineSpeed `raw` (x 0.25 rpm), stamped by the kernel at `ms` when given. */
const engine = (raw: number, ms?: number): RawMessage => ({
  id: 0xc8,
  data: Uint8Array.from([raw & 0xff, raw >> 8, 0, 0, 0, 0, 0, 0]),
  ...(ms === undefined ? {} : { ts_sec: Math.floor(ms / 1000), ts_usec: (ms % 1000) * 1000 }),
});
const speeds = (points: { metric: string; value: unknown; timestamp?: number }[]) => points.filter((p) => p.metric === 'EngineData.EngineSpeed').map((p) => [p.value, p.timestamp]);

describe('the CAN source on SocketCAN (the native channel stood in for)', () => {
  it('opens the interface at start with the kernel filters, and the first batch is stamped when read', async () => {
    const { t, bridge, fake, clock } = await setup({ filters: [{ id: 0xc8 }, { id: 0x18fec1ee, extended: true }] });
    await bridge.start();
    await t.waitFor(() => t.ready(), 'the bus connected');
    expect(fake.channels.map((c) => [c.name, c.timestamps, c.filters])).toEqual([
      ['lo', true, [{ id: 0xc8, mask: 0x800007ff, invert: false }, { id: 0x98fec1ee, mask: 0x9fffffff, invert: false }]],
    ]);
    expect(await t.metric('fieldbridge_can_receive_buffer_frames', { bus: 'lo' })).toBe(43690);
    // Queued before the first read: the kernel gave these the read time, so the sink's clock stamps them.
    clock.set(1_800_000_000_500);
    await fake.channels[0]!.deliver([engine(4000, 1_800_000_000_400), engine(4004, 1_800_000_000_400)]);
    expect(speeds(t.points)).toEqual([
      [1000, 1_800_000_000_500],
      [1001, 1_800_000_000_500],
    ]);
  });

  it('places kernel stamps on the sink clock with the device-clock estimator: arrival spacing kept, never after receipt', async () => {
    const { t, bridge, fake, clock } = await setup();
    await bridge.start();
    await t.waitFor(() => t.ready(), 'the bus connected');
    await fake.channels[0]!.deliver([engine(4000)]);
    // The kernel clock runs 2 s behind the sink's (which is corrected to the server's). A frame
    // read 1 ms after its stamp anchors the offset; one read 300 ms late keeps its 10 ms spacing,
    // plus the estimator's allowance for the clocks drifting apart (100 ppm of the 309 ms since
    // the anchor: 0.0309 ms).
    clock.set(1_800_000_001_001);
    await fake.channels[0]!.deliver([engine(4100, 1_799_999_999_000)]);
    clock.set(1_800_000_001_310);
    await fake.channels[0]!.deliver([engine(4200, 1_799_999_999_010)]);
    const [anchored, late] = speeds(t.points).slice(1) as [[number, number], [number, number]];
    expect(anchored).toEqual([1025, 1_800_000_001_001]);
    expect(late[0]).toBe(1050);
    expect(late[1] - anchored[1]).toBeCloseTo(10.0309, 3);
  });

  it('a bus cannot wait: while the sink is full (when_full: block) frames are counted as dropped', async () => {
    const { t, bridge, fake } = await setup();
    await bridge.start();
    await t.waitFor(() => t.ready(), 'the bus connected');
    t.setBlocked(true);
    await fake.channels[0]!.deliver([engine(4000), engine(4000)]);
    expect(t.points).toEqual([]);
    // EngineData has 6 signals, one of them with value-table text (EngineState): 7 points a frame.
    expect(await t.metric('fieldbridge_source_points_dropped_total', { channel: 'lo', reason: 'blocked' })).toBe(14);
    expect(await t.metric('fieldbridge_can_frames_total', { bus: 'lo', outcome: 'blocked' })).toBe(2);
    t.setBlocked(false);
    await fake.channels[0]!.deliver([engine(4000)]);
    expect(speeds(t.points)).toHaveLength(1);
  });

  it('an interface that goes away is reported and reopened with backoff; the episode ends when it reads again', async () => {
    const { t, bridge, fake } = await setup();
    await bridge.start();
    await t.waitFor(() => t.ready(), 'the bus connected');
    fake.channels[0]!.stopInterface();
    expect(Object.keys(t.channels())).toEqual(['lo']);
    expect(t.channels()).toMatchObject({ lo: { state: 'disconnected', required: true, reason: expect.any(String) } });
    await t.waitFor(() => fake.channels.length === 2 && t.ready(), 'the interface reopened');
    // A channel that stopped by itself has closed its handles: stopping it again would close them twice.
    expect(fake.channels[0]!.stopped).toBe(false);
    expect(t.problems.map((p) => [p.kind, p.key])).toEqual([
      ['report', 'can.lo.interface'],
      ['resolve', 'can.lo.interface'],
    ]);
    expect(t.problems[0]?.message).toMatch(/^lo: CAN interface lo went down or away; reading stopped \(bring it up with ip link set lo up\); trying again \(first in \d+ ms, backing off\)$/);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'lo', kind: 'interface_down' })).toBe(1);
    await fake.channels[1]!.deliver([engine(4000)]);
    expect(speeds(t.points)).toHaveLength(1);
  });

  it('an interface set down (ip link set lo down) is reported from its flags, and connected again when up', async () => {
    const { t, bridge, setFlags } = await setup();
    await bridge.start();
    await t.waitFor(() => t.ready(), 'the bus connected');
    await setFlags('0x8');
    await t.waitFor(() => !t.ready(), 'the bus reported down');
    expect(t.states.at(-1)).toEqual({ channel: 'lo', state: 'disconnected' });
    expect(t.problems[0]?.message).toBe('lo: interface lo is down; nothing can be read until it is up (ip link set lo up)');
    await setFlags('0x9');
    await t.waitFor(() => t.ready(), 'the bus connected again');
    expect(t.problems.map((p) => p.kind)).toEqual(['report', 'resolve']);
  });

  // The package's own read can take the socket's "device gone" error before its reading thread
  // sees it, and then never says the interface went away (seen on real SocketCAN in User-Mode
  // Linux): the interface's index tells.
  it('an interface deleted without the package saying so is seen gone from its index, and opened again once it is back', async () => {
    const { t, bridge, fake, deleteInterface, addInterface } = await setup();
    await bridge.start();
    await t.waitFor(() => t.ready(), 'the bus connected');
    await deleteInterface();
    await t.waitFor(() => !t.ready(), 'the bus reported gone');
    expect(t.states.at(-1)).toEqual({ channel: 'lo', state: 'disconnected' });
    expect(t.problems[0]?.message).toMatch(/^lo: CAN interface lo went down or away; reading stopped/);
    expect(fake.channels[0]!.stopped).toBe(true);
    // Added again under its name: a new index.
    await addInterface(7);
    await t.waitFor(() => fake.channels.length === 2 && t.ready(), 'the interface reopened');
    await fake.channels[1]!.deliver([engine(4000)]);
    expect(speeds(t.points)).toHaveLength(1);
    // Deleted and added again between two checks: the index changed, so it is opened again too.
    await addInterface(8);
    await t.waitFor(() => fake.channels.length === 3 && t.ready(), 'the interface made again reopened');
    expect(fake.channels[1]!.stopped).toBe(true);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'lo', kind: 'interface_down' })).toBe(2);
  });

  it('says once, with the sysctl that fixes it, that the receive buffer is too small for a burst, however often the interface is reopened', async () => {
    const { t, bridge, fake } = await setup({ socketcan: { burst_frames: 9000 } }, 212_992);
    const warnings: string[] = [];
    t.ctx.logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) });
    await bridge.start();
    await t.waitFor(() => t.ready(), 'the bus connected');
    fake.channels[0]!.stopInterface();
    await t.waitFor(() => fake.channels.length === 2 && t.ready(), 'the interface reopened');
    expect(warnings).toEqual([expect.stringMatching(/^lo: the CAN socket's receive buffer holds about 277 frames .*sysctl -w net\.core\.rmem_default=8388608 net\.core\.rmem_max=8388608/)]);
    expect(await t.metric('fieldbridge_can_receive_buffer_frames', { bus: 'lo' })).toBe(277);
  });

  it('a kernel without SocketCAN fails the channel, and it is tried again now and then', async () => {
    const { t, bridge, fake } = await setup();
    fake.failWith(new Error('Error while creating socket'));
    await bridge.start();
    await t.waitFor(() => t.states.filter((s) => s.state === 'failed').length > 0, 'the channel failed');
    expect(t.problems[0]?.message).toMatch(/this kernel has no SocketCAN \(no AF_CAN\): load it with modprobe can_raw/);
    fake.failWith(undefined);
    await t.waitFor(() => t.ready(), 'connected once the kernel has it');
  });

  it('stop() while the interface is opening closes it as soon as it opens, and opens nothing after', async () => {
    const { bridge, fake } = await setup();
    const starting = bridge.start();
    await bridge.stop();
    await starting;
    expect(fake.channels.every((c) => c.stopped)).toBe(true);
  });
});
