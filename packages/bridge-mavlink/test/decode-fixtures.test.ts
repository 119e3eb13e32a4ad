import type { Point } from '@fieldbridge/core/bridge';
import { describeDecodeFixtures } from '@fieldbridge/core/testing';
import { mavlinkBridge } from '../src/bridge.js';
import type { MavlinkConfig } from '../src/config.js';
import { createPointMaker, decodeRead, type MavlinkDecodeProblem } from '../src/decode.js';
import { loadDialect } from '../src/dialect.js';
import { compileMessagePlan } from '../src/message-plan.js';
import { createMavlinkReader } from '../src/reader.js';
import { resolveMavlink } from '../src/resolve.js';

/** A fixture's frames.json: the file's source_id, and each datagram with its arrival time (or a link timeout check). */
interface Frames {
  how: string;
  source_id: string;
  frames: ({ at: number; hex: string } | { check: number })[];
}

/**
 * Decodes a fixture the way the source does: the reader (parser, boot clocks, vehicles) built as
 * `start()` builds it, each datagram read at its arrival time, the result turned into points by
 * `decodeRead`; a `check` entry runs the link timeout check the source runs on a timer.
 */
async function decodeFixture(section: MavlinkConfig, input: Buffer): Promise<{ points: Point[]; problems: MavlinkDecodeProblem[] }> {
  const data = JSON.parse(input.toString('utf8')) as Frames;
  const config = resolveMavlink(section);
  const dialect = await loadDialect(config.dialect);
  const reader = createMavlinkReader({
    dialect,
    messages: compileMessagePlan(dialect, config.selection),
    linkTimeoutMs: config.linkTimeoutMs,
    ...(config.signing ? { signing: { key: config.signing.key, allowUnsigned: config.signing.allowUnsigned } } : {}),
    ...(config.systems ? { systems: config.systems } : {}),
    ...(config.components ? { components: config.components } : {}),
  });
  const maker = createPointMaker(config, { sourceId: data.source_id, dialect });
  const points: Point[] = [];
  const problems: MavlinkDecodeProblem[] = [];
  for (const entry of data.frames) {
    const read = 'check' in entry ? { messages: [], events: reader.check(entry.check), problems: [] } : reader.read(Buffer.from(entry.hex, 'hex'), entry.at, { datagram: true });
    const decoded = decodeRead(read, maker);
    for (const batch of decoded.batches) points.push(...batch.points);
    problems.push(...decoded.problems);
  }
  return { points, problems };
}

describeDecodeFixtures({
  dir: new URL('./fixtures/decode/', import.meta.url),
  definition: mavlinkBridge,
  input: 'frames.json',
  decode: (section, input) => decodeFixture(section as MavlinkConfig, input),
  required: ['copter-defaults', 'templates-instances', 'bad-input', 'signing', 'reboot-link-loss', 'gps-time', 'statustext'],
});
