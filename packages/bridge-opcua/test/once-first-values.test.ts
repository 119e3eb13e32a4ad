import { runBridgeCommand, trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { opcuaBridge } from '../src/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { useS7Server } from './helpers/plc-nodes.js';

// `--once` of a mapping whose items are made in several CreateMonitoredItems requests (one per
// sampling interval, at most 1,000 items each), so that their first values come in several
// messages of the subscription.
const files = createCleanup();
const track = trackCleanups();
const server = useS7Server(files, { stations: 30, perStation: 50 });

/** `bridge-opcua --dry-run --once` of an opcua section whose lines after `endpoint:` are `lines`. */
async function once(lines: string[], timeout: string) {
  const text = ['source_id: s7', 'sink: { url: stdout }', 'opcua:', `  endpoint: ${server().endpointUrl}`, ...lines, ''].join('\n');
  const file = await writeTempFile(track, 'map.yaml', text);
  return runBridgeCommand(opcuaBridge, ['--config', file, '--dry-run', '--once', '--once-timeout', timeout]);
}

describe('--once', () => {
  it("gives every item's first value, not only those of the subscription's first message", async () => {
    const run = await once(
      [
        '  publishing_interval_ms: 50ms',
        '  metric_names: normalized',
        "  nodes:\n    - { metric: line.temp, browse_path: 'PLC_1/DataBlocksGlobal/DB_Line/Temp', sampling_interval_ms: 250 }",
        "  folders:\n    - { metric: 'big.{path}', browse_path: 'PLC_1/DataBlocksGlobal/DB_Big', max_items: 1500 }",
      ],
      '20s',
    );
    expect(run.code, run.err).toBe(0);
    const metrics = new Set(run.out.trim().split('\n').map((line) => (JSON.parse(line) as { metric: string }).metric));
    expect(metrics.has('line.temp')).toBe(true);
    expect([...metrics].filter((m) => m.startsWith('big.'))).toHaveLength(1500);
  });

  it('against a server whose certificate trust: strict refuses, ends at the refusal (exit 1), not at --once-timeout', async () => {
    // Waiting out the 10 minutes would fail the test by its own timeout.
    const run = await once(
      ['  security: { mode: SignAndEncrypt }', '  trust: strict', `  pki: ${files.dir('strict-pki')}`, "  nodes:\n    - { metric: line.temp, browse_path: 'PLC_1/DataBlocksGlobal/DB_Line/Temp' }"],
      '10m',
    );
    expect(run.code).toBe(1);
    expect(run.err).toContain('is not trusted (trust: strict)');
    expect(run.err).toContain('--once: bridge-opcua read nothing');
    expect(run.out).toBe('');
  });
});
