// The README's main command, exactly: `bash scripts/demo.sh` in a fresh clone of this repository
// (set-up, build and the all-bridges demo), then Ctrl-C as a terminal sends it.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackCleanups, until } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { openBrowser } from '../../packages/gateway-dev/test/browser.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const BRIDGES = ['modbus', 'mqtt', 'opcua', 'can', 'mavlink', 'ble'] as const;
const track = trackCleanups();

/** The source id each example mapping file delivers as (MAVLink: one per vehicle, `<id>-<sysid>`). */
function sourceIdOf(bridge: string): string {
  const text = readFileSync(join(repo, 'examples', bridge, 'map.yaml'), 'utf8');
  return /^source_id: (\S+)/m.exec(text)![1]!;
}

/** Every process whose parent chain leads to `pid`, with its start time (so a reused pid is not mistaken for it). */
function descendants(pid: number): Map<number, string> {
  const parentOf = new Map<number, { ppid: number; start: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (which may hold spaces): state ppid ... starttime is the 22nd field.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), { ppid: Number(fields[1]), start: fields[19]! });
    } catch {
      // Gone meanwhile.
    }
  }
  const out = new Map<number, string>();
  for (const [p, info] of parentOf) {
    for (let up = info.ppid, hops = 0; up > 1 && hops < 64; up = parentOf.get(up)?.ppid ?? 0, hops++) {
      if (up === pid) {
        out.set(p, info.start);
        break;
      }
    }
  }
  return out;
}

const alive = (pid: number, start: string): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] === start && fields[0] !== 'Z';
  } catch {
    return false;
  }
};

describe("the README's main command", () => {
  it('from a fresh clone: the live page first, points of all six bridges at the gateway within 30 s, and Ctrl-C leaves no process behind', async () => {
    const clone = join(await track.tempDir('fieldbridge-clone-'), 'fieldbridge');
    execFileSync('git', ['clone', '--quiet', repo, clone]);
    const demo = spawn('bash', ['scripts/demo.sh'], { cwd: clone, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEMO_PORT: '0', FORCE_COLOR: '0' } });
    // Should the test fail before its Ctrl-C, nothing the demo started may outlive it: its
    // simulators run in process groups of their own, so each descendant is killed by pid.
    track.add(demo, (d) => {
      if (d.exitCode !== null || d.signalCode !== null) return;
      const left = descendants(d.pid!);
      process.kill(-d.pid!, 'SIGKILL');
      for (const pid of left.keys()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    });
    let out = '';
    let err = '';
    demo.stdout.on('data', (d: Buffer) => (out += d.toString()));
    demo.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));

    // Set-up and build first; then the page's address is the first thing the demo prints.
    const page = await until(() => /Live page: (http:\/\/\S+)\//.exec(out)?.[1] ?? (demo.exitCode !== null ? 'exited' : undefined), 'the live page address', 12 * 60_000, 200);
    expect(page, `the demo ended before printing the page address:\n${err.slice(-3000)}`).not.toBe('exited');
    expect(out.trimStart().startsWith('Live page:')).toBe(true);
    const since = Date.now();
    const expected = Object.fromEntries(BRIDGES.map((b) => [b, sourceIdOf(b)]));
    const arrived = async (): Promise<string[]> => {
      const stats = (await (await fetch(`${page}/_dev/stats`)).json()) as { bySource: Record<string, number> };
      const ids = Object.keys(stats.bySource);
      return BRIDGES.filter((b) => ids.some((id) => id === expected[b] || id.startsWith(`${expected[b]}-`)));
    };
    await until(async () => (await arrived()).length === BRIDGES.length, 'points of all six bridges', 30_000, 250).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}: only ${(await arrived()).join(', ')} after ${Date.now() - since} ms\n${err.slice(-4000)}`);
    });

    // The page shows them: one screenshot kept as an artifact.
    const { page: tab } = await openBrowser();
    await tab.goto(`${page}/`);
    await tab.waitForFunction((n) => document.querySelectorAll('.source').length >= n, BRIDGES.length);
    mkdirSync(ARTIFACTS, { recursive: true });
    await tab.screenshot({ path: join(ARTIFACTS, 'demo-all-bridges.png') });
    expect(existsSync(join(ARTIFACTS, 'demo-all-bridges.png'))).toBe(true);

    // Ctrl-C, as a terminal sends it: to the whole foreground process group.
    // The gateway, five simulators (the CAN one has written its log and gone), mosquitto, fieldbridge.
    const before = descendants(demo.pid!);
    expect(before.size).toBeGreaterThanOrEqual(7);
    process.kill(-demo.pid!, 'SIGINT');
    expect(await exited, err.slice(-3000)).toBe(0);
    const left = [...before].filter(([pid, start]) => alive(pid, start));
    expect(left, `still running after Ctrl-C: ${left.map(([pid]) => pid).join(', ')}`).toEqual([]);
    // Nothing printed a stack trace.
    expect(`${out}\n${err}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  }, 15 * 60_000);
});
