// per_signal: a signal renamed and its unit set, over the section's metric and the DBC's unit.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canConfigSchema } from '../src/config.js';
import { loadDbcFilesSync } from '../src/dbc/load-dbc.js';
import { planCan } from '../src/decode-plan.js';
import { resolveCanConfig } from '../src/resolve.js';
import { createCanSource } from '../src/source.js';
import { VEHICLE_DBC_PATH } from './helpers/drive-log.js';

const track = trackCleanups();

// EngineData (0x0C8), by hand from vehicle.dbc: EngineSpeed bytes 0-1 x 0.25 (0x0FA0 = 4000: 1000
// rpm), ThrottlePosition byte 2 x 0.4 (0x3C = 60: 24 %), CoolantTemp byte 3 - 40 (0x02: -38 degC).
const FRAME = '(1700000000.000000) can0 0C8#A00F3C0202103900';

async function pointsOf(section: Record<string, unknown>) {
  const dir = await track.tempDir('bridge-can-per-signal-');
  const path = join(dir, 'bus.log');
  await writeFile(path, `${FRAME}\n`);
  const t = createTestContext({ bridge: 'can' });
  track.defer(() => t.abort.abort());
  const bridge = track.add(createCanSource(canConfigSchema.parse({ interface: `file:${path}`, dbc: VEHICLE_DBC_PATH, signals: ['EngineData.EngineSpeed', 'EngineData.ThrottlePosition', 'EngineData.CoolantTemp'], ...section }), t.ctx), (b) => b.stop());
  await bridge.start();
  await bridge.ended;
  return t.points.map((p) => [p.metric, p.value, p.tags?.unit]);
}

describe('per_signal metric and unit', () => {
  it('renames the signals an entry matches and sets their unit; the others keep the section metric and the DBC unit', async () => {
    const points = await pointsOf({
      metric: 'truck.{signal}',
      per_signal: [
        { match: 'EngineSpeed', metric: 'engine.rpm', unit: '1/min' },
        { match: 'EngineData.CoolantTemp', metric: 'engine.{signal}' },
      ],
    });
    expect(points).toEqual([
      ['engine.rpm', 1000, '1/min'],
      ['truck.ThrottlePosition', 24, '%'],
      ['engine.CoolantTemp', -38, 'degC'],
    ]);
  });

  it('refuses a name two signals would share at the entry that gives it, and a unit that signal_tags leaves out', () => {
    const section = canConfigSchema.parse({
      interface: 'file:./bus.log',
      dbc: VEHICLE_DBC_PATH,
      signals: ['EngineData.*'],
      signal_tags: ['spn'],
      per_signal: [{ match: 'Engine*', metric: 'engine.value', unit: 'x' }],
    });
    const refused = resolveCanConfig(section);
    expect(refused.ok ? [] : refused.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['per_signal.0.unit', 'unit is the unit tag, which signal_tags leaves out: add unit to signal_tags']]);
    const resolved = resolveCanConfig({ ...section, signal_tags: undefined });
    if (!resolved.ok) throw new Error('refused');
    const loaded = loadDbcFilesSync(resolved.config.dbc);
    const { issues } = planCan(loaded.database, resolved.config, loaded.problems);
    expect(issues.map((i) => i.path.join('.'))).toEqual(['per_signal.0.metric', 'per_signal.0.metric']);
    expect(issues[0]!.message).toBe('EngineData.EngineTorque and EngineData.EngineSpeed both get the metric name engine.value; use a template that tells them apart (e.g. {message}.{signal})');
  });
});
