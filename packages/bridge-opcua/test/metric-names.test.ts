import { runBridgeCommand, trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { opcuaBridge } from '../src/bridge.js';
import { normalizeBrowseName } from '../src/metric-names.js';
import { createCleanup } from './helpers/cleanup.js';
import { S7_NAMESPACE, useS7Server } from './helpers/plc-nodes.js';

// Metric names made from browse paths of a node-opcua server laid out as an S7-1500's: spaces,
// umlauts, `#`, `: `, brackets and quotes in the browse names.
const files = createCleanup();
const track = trackCleanups();
const server = useS7Server(files, { stations: 0, perStation: 0, names: true });

const head = (extra = '') => `source_id: s7\nsink: { url: stdout }\nopcua:\n  endpoint: ${server().endpointUrl}\n  connect_timeout_ms: 5s\n  publishing_interval_ms: 50ms\n${extra}`;
const LINE = 'PLC_1/DataBlocksGlobal/DB_Line';

async function once(text: string): Promise<{ code: number; points: Record<string, number>; err: string }> {
  const file = await writeTempFile(track, 'map.yaml', text);
  const run = await runBridgeCommand(opcuaBridge, ['--config', file, '--dry-run', '--once', '--once-timeout', '20s']);
  const points = run.out.trim() === '' ? [] : run.out.trim().split('\n').map((line) => JSON.parse(line) as { metric: string; value: number });
  return { code: run.code, points: Object.fromEntries(points.map((p) => [p.metric, p.value])), err: run.err };
}

describe('metric_names: normalized', () => {
  it('writes names made from browse paths with letters, digits, _ - . only, and leaves the text the user wrote as it is', async () => {
    const run = await once(
      head('  metric_names: normalized\n') +
        `  folders:\n    - { metric: 'line.{path}', browse_path: ${LINE} }\n` +
        `  nodes:\n    - { metric: 'My Line.{name}', browse_path: '${LINE}/Motor Speed' }\n    - { metric: 'Raw "Temp"', node_id: 'nsu=${S7_NAMESPACE};s="DB_Line"."Temp"' }\n`,
    );
    expect(run.code, run.err).toBe(0);
    // Before: line.Motor Speed, line.Öltemperatur, line.Temp #1, line.Mode: auto, line.Stations[0], My Line.Motor Speed.
    expect(run.points).toEqual({
      'line.Temp': 1,
      'line.Motor_Speed': 2,
      'line.Oltemperatur': 3,
      'line.Temp_1': 4,
      'line.Mode_auto': 5,
      'line.Stations_0': 6,
      'My Line.Motor_Speed': 2,
      'Raw "Temp"': 1,
    });
    expect(run.err).not.toContain('metric_collision');
  });

  it('reports at start, by name, two variables that give one metric, and a name with nothing left', async () => {
    const run = await once(head('  metric_names: normalized\n') + `  folders:\n    - { metric: 'names.{name}', browse_path: PLC_1/DataBlocksGlobal/DB_Names }\n`);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/metric \\"names\.Motor_Speed\\" is made for 2 variables with the same tags: PLC_1\/DataBlocksGlobal\/DB_Names\/Motor Speed \(folders\[0\]\), PLC_1\/DataBlocksGlobal\/DB_Names\/Motor_Speed \(folders\[0\]\); their values would mix in one series/);
    expect(run.err).toContain('set metric_names: as_browsed if only the normalisation made them equal');
    expect(run.points['names.Valve.Open']).toBe(13);
    expect(run.err).toMatch(/the browse name \\"温度\\" keeps no letter or digit under metric_names: normalized/);
  });
});

describe('metric_names left out (as_browsed)', () => {
  it('keeps the names as browsed, as before, and warns once that metric_names: normalized would write them safely', async () => {
    const run = await once(head() + `  folders:\n    - { metric: 'line.{path}', browse_path: ${LINE} }\n`);
    expect(run.code, run.err).toBe(0);
    expect(Object.keys(run.points).sort()).toEqual(['line.Mode: auto', 'line.Motor Speed', 'line.Stations[0]', 'line.Temp', 'line.Temp #1', 'line.Öltemperatur']);
    expect(run.err.match(/metric names made from browse paths keep what the server wrote/g)).toHaveLength(1);
    expect(run.err).toContain('metric_names: normalized writes them with letters, digits, _ - . only');
  });

  it('says nothing about names that are safe already', async () => {
    const run = await once(head() + `  nodes:\n    - { metric: 'line.{name}', browse_path: '${LINE}/Temp' }\n`);
    expect(run.code, run.err).toBe(0);
    expect(run.points).toEqual({ 'line.Temp': 1 });
    expect(run.err).not.toContain('keep what the server wrote');
  });
});

describe('normalizeBrowseName', () => {
  it('drops quotes, writes indexes as _N, accents in ASCII, other runs as one _', () => {
    expect(normalizeBrowseName('"DB_Line"."Temp"')).toBe('DB_Line.Temp');
    expect(normalizeBrowseName('"Stations"[0]')).toBe('Stations_0');
    expect(normalizeBrowseName('Matrix[1,2]')).toBe('Matrix_1_2');
    expect(normalizeBrowseName('Straße Öl')).toBe('Strasse_Ol');
    expect(normalizeBrowseName(' Temp #1 ')).toBe('Temp_1');
    expect(normalizeBrowseName('_spare-2')).toBe('_spare-2');
    expect(normalizeBrowseName('温度')).toBe('');
  });
});
