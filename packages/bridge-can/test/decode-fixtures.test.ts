import { describeDecodeFixtures } from '@fieldbridge/core/testing';
import { canBridge } from '../src/bridge.js';
import type { CanConfig } from '../src/config.js';
import { loadDbcFilesSync } from '../src/dbc/load-dbc.js';
import { decodeFrame } from '../src/decode.js';
import { planCan } from '../src/decode-plan.js';
import { parseCandumpLine } from '../src/frames/candump-line.js';
import { resolveCanConfig } from '../src/resolve.js';

/**
 * Decodes a fixture the way the bridge does, without the change filter: the section's plan
 * (DBC files, selection, templates), then every line of the log through the pure decoder,
 * stamped with the log's time.
 */
function decodeFixture(section: CanConfig, input: Buffer): unknown {
  const resolved = resolveCanConfig(section);
  if (!resolved.ok) throw new Error(`invalid section: ${JSON.stringify(resolved.issues)}`);
  const loaded = loadDbcFilesSync(resolved.config.dbc);
  const { plan, issues } = planCan(loaded.database, resolved.config, loaded.problems);
  if (issues.length > 0) throw new Error(`the section does not fit its DBC: ${JSON.stringify(issues)}`);
  const frames = input
    .toString('utf8')
    .split('\n')
    .map((text, i) => ({ line: i + 1, parsed: parseCandumpLine(text) }))
    .filter((l) => l.parsed !== undefined)
    .map(({ line, parsed }) => {
      if (!parsed!.ok) return { line, bad: parsed!.kind, message: parsed!.message };
      const { outcome, points, problems } = decodeFrame(plan, parsed!.frame, parsed!.frame.timestampMs);
      return { line, outcome, points, problems };
    });
  return { dbcProblems: plan.dbcProblems, frames };
}

describeDecodeFixtures({
  dir: new URL('./fixtures/decode/', import.meta.url),
  definition: canBridge,
  input: 'frames.log',
  decode: (section, input) => decodeFixture(section as CanConfig, input),
  required: [
    'engine-little-endian',
    'steering-big-endian',
    'value-tables',
    'value-text-tag',
    'multiplexing',
    'j1939',
    'can-fd-extended',
    'short-frames',
    'unknown-error-remote',
    'floats',
    'selection',
  ],
});
