import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_VEHICLES, SIM_HOME, createMavlinkReader, createSimulatedFleet, loadDialect, openLink, startMavlinkSimulator, type Dialect } from '../src/index.js';
import { main } from '../src/sim-cli.js';
import { cleanups } from './helpers/cleanup.js';
import { collect } from './helpers/collect.js';

const track = cleanups();
let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

const START = Date.UTC(2026, 5, 1, 12, 0, 0);
const distanceM = (lat: number, lon: number): number => {
  const north = ((lat - SIM_HOME.lat) * Math.PI) / 180 * 6_378_137;
  const east = ((lon - SIM_HOME.lon) * Math.PI) / 180 * 6_378_137 * Math.cos((SIM_HOME.lat * Math.PI) / 180);
  return Math.hypot(north, east);
};

describe('simulated fleet', () => {
  it('flies two vehicles whose frames parse cleanly: every demo message, positions on their patterns, modes changing', async () => {
    const fleet = await createSimulatedFleet({ startMs: START, modePeriodMs: 10_000 });
    const reader = createMavlinkReader({ dialect });
    const names = new Map<number, Set<string>>();
    const modes = new Map<number, string[]>();
    for (let tick = 0; tick < 400; tick++) {
      const now = START + tick * 100;
      for (const frame of fleet.frames(tick, now)) {
        const r = reader.read(frame, now, { datagram: true });
        expect(r.problems).toEqual([]);
        for (const m of r.messages) {
          if (!names.has(m.sysid)) names.set(m.sysid, new Set());
          names.get(m.sysid)!.add(m.name);
          if (m.name === 'GLOBAL_POSITION_INT') {
            const value = (n: string): number => m.fields.find((f) => f.name === n)!.value as number;
            const v = DEMO_VEHICLES.find((x) => x.sysid === m.sysid)!;
            expect(distanceM(value('lat'), value('lon'))).toBeLessThanOrEqual(v.sizeM + 1);
            expect(value('relative_alt')).toBe(v.altitudeM);
          }
        }
        for (const e of r.events) if (e.kind === 'mode.changed') modes.set(e.sysid, [...(modes.get(e.sysid) ?? []), e.mode]);
      }
    }
    const all = ['ATTITUDE', 'BATTERY_STATUS', 'GLOBAL_POSITION_INT', 'HEARTBEAT', 'SYS_STATUS', 'VFR_HUD'];
    expect([...names.get(1)!].sort()).toEqual(all);
    expect([...names.get(2)!].sort()).toEqual(all);
    // 40 s at one mode per 10 s.
    expect(modes.get(1)).toEqual(['GUIDED', 'LOITER', 'AUTO', 'RTL']);
    expect(modes.get(2)).toEqual(['AUTO', 'LOITER', 'CRUISE', 'RTL']);
    expect(reader.vehicles().map((v) => [v.sysid, v.lost, v.armed])).toEqual([[1, 0, true], [2, 0, true]]);
  });

  it('sends to a bridge listening with udpin', async () => {
    const link = openLink('udpin://127.0.0.1:0');
    track(() => link.close());
    const got = collect(createMavlinkReader({ dialect }));
    await link.start(got.handlers);
    const sim = await startMavlinkSimulator({ port: link.localAddress()!.port, rateHz: 50 });
    track(() => sim.close());
    expect(sim.target).toBe(`udpin://127.0.0.1:${link.localAddress()!.port}`);
    await got.until(() => new Set(got.events.filter((e) => e.kind === 'vehicle.found').map((e) => e.sysid)).size === 2, 'both vehicles');
    expect(sim.sent()).toBeGreaterThan(0);
  });
});

describe('bridge-mavlink-sim', () => {
  it('prints its usage for --help and refuses bad arguments with exit code 2', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--help'])).toBe(0);
      expect(String(out.mock.calls[0]?.[0])).toMatch(/Usage: bridge-mavlink-sim/);
      expect(await main(['--port', 'abc'])).toBe(2);
      expect(await main(['--rate', '0'])).toBe(2);
      expect(await main(['--mode-period', 'soon'])).toBe(2);
      expect(await main(['--bogus'])).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/--port abc: give a whole number from 1 to 65535/);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
