// A reload that makes a new sink keeps the sink's counters going: a dashboard's totals only grow.
// Found by an operator's test: `fieldbridge_points_sent_total` fell from 6280 to 140 at a SIGHUP
// that changed the file's tags, against docs/operating.md ("the sink's keep counting").
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnCounterCli } from './helpers/spawn-cli.js';
import { until as waitFor } from '../src/testing/until.js';

let dir: string;
let gateway: Gateway;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fb-reload-metrics-'));
  gateway = await createGateway({ apiKeys: ['k1'] });
});
afterEach(async () => {
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
});

const write = (tag: string, buffer: string): string => {
  const path = join(dir, 'map.yaml');
  writeFileSync(
    path,
    `source_id: reload-metrics
tags: { site: ${tag} }
observe: { listen: 127.0.0.1:0 }
sink:
  url: ${gateway.url}
  api_key: k1
  batch: { linger_ms: 20 }
  retry: { initial_delay_ms: 20, max_delay_ms: 100 }
${buffer}counter:
  interval_ms: 2
  channels:
    - { name: a, metric: demo.a }
`,
  );
  return path;
};

async function sentTotal(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^fieldbridge_points_sent_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

describe('SIGHUP with a new sink: the sink counters go on', () => {
  for (const [what, before, after] of [
    ['the spool handed over (a memory spool)', '', ''],
    ['the old sink delivering in the background (another spool file)', '  buffer: { path: SPOOL-a }\n', '  buffer: { path: SPOOL-b }\n'],
  ] as const) {
    it(what, async () => {
      const spool = (b: string) => b.replace('SPOOL', join(dir, 'spool'));
      const cli = spawnCounterCli(['--config', write('one', spool(before))]);
      try {
        const line = (await cli.waitForLog(/health and metrics on/))!;
        const base = /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0];
        await waitFor(async () => (await sentTotal(base)) >= 300, '300 points sent');
        // Held back during the reload: the old sink has points to deliver after it.
        gateway.setFaults({ status: 503 });
        await cli.waitForLog(/HTTP 503/);
        const sentBefore = await sentTotal(base);
        write('two', spool(after));
        cli.child.kill('SIGHUP');
        await cli.waitForLog(/SIGHUP: mapping reloaded \(with a new sink\)/);
        expect(await sentTotal(base)).toBeGreaterThanOrEqual(sentBefore);
        gateway.setFaults(undefined);
        // Every point the gateway stored was counted as sent by one sink or the other.
        await waitFor(async () => {
          const stored = gateway.points().length;
          return stored > sentBefore + 100 && (await sentTotal(base)) >= stored;
        }, 'the counter matching what the gateway stored');
        cli.child.kill('SIGTERM');
        expect(await cli.exited).toBe(0);
      } finally {
        if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      }
    });
  }
});

describe('SIGHUP that restarts the bridges: their counters go on too', () => {
  it('points read and rule events count on from where they were, not from 0', async () => {
    const total = async (base: string, name: string): Promise<number> => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
    };
    const path = write('one', '');
    // A rule that fires at once, and a channel's interval that the reload changes: the bridge restarts.
    writeFileSync(path, `${readFileSync(path, 'utf8')}rules:\n  - { name: always, when: demo.a >= 0 }\n`);
    const cli = spawnCounterCli(['--config', path]);
    try {
      const line = (await cli.waitForLog(/health and metrics on/))!;
      const base = /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0];
      await waitFor(async () => (await total(base, 'fieldbridge_source_points_total')) >= 300, '300 points read');
      await waitFor(async () => (await total(base, 'fieldbridge_rule_events_total')) >= 1, 'the rule fired');
      const readBefore = await total(base, 'fieldbridge_source_points_total');
      const eventsBefore = await total(base, 'fieldbridge_rule_events_total');
      writeFileSync(path, readFileSync(path, 'utf8').replace('interval_ms: 2', 'interval_ms: 3'));
      cli.child.kill('SIGHUP');
      await cli.waitForLog(/SIGHUP: mapping reloaded; the bridges restarted, the spool kept/);
      expect(await total(base, 'fieldbridge_source_points_total')).toBeGreaterThanOrEqual(readBefore);
      expect(await total(base, 'fieldbridge_rule_events_total')).toBeGreaterThanOrEqual(eventsBefore);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it('a channel the reloaded section no longer has leaves fieldbridge_source_connected; its count stays', async () => {
    const series = async (base: string, name: string): Promise<string[]> => ((await (await fetch(`${base}/metrics`)).text()).match(new RegExp(`^${name}\\{[^}]*\\} \\d+`, 'gm')) ?? []);
    const path = write('one', '');
    writeFileSync(path, `${readFileSync(path, 'utf8')}    - { name: b, metric: demo.b }\n`);
    const cli = spawnCounterCli(['--config', path]);
    try {
      const base = /http:\/\/127\.0\.0\.1:\d+/.exec((await cli.waitForLog(/health and metrics on/))!)![0];
      await waitFor(async () => (await series(base, 'fieldbridge_source_connected')).length === 2, 'both channels connected');
      writeFileSync(path, readFileSync(path, 'utf8').replace('    - { name: b, metric: demo.b }\n', ''));
      cli.child.kill('SIGHUP');
      await cli.waitForLog(/SIGHUP: mapping reloaded; the bridges restarted, the spool kept/);
      await waitFor(async () => (await series(base, 'fieldbridge_source_connected')).length === 1, 'one channel left');
      expect(await series(base, 'fieldbridge_source_connected')).toEqual(['fieldbridge_source_connected{bridge="counter",channel="a"} 1']);
      expect((await series(base, 'fieldbridge_source_points_total')).map((line) => /channel="(\w+)"/.exec(line)![1])).toEqual(['a', 'b']);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });
});
