import { describeDecodeFixtures } from '@fieldbridge/core/testing';
import type { Point } from '@fieldbridge/core';
import { modbusBridge } from '../src/bridge.js';
import type { ModbusConfig } from '../src/config.js';
import { decodeAnswer, type ModbusDecodeProblem } from '../src/decode.js';
import { planRequests } from '../src/plan.js';
import { resolveConfig } from '../src/resolve.js';

/** A fixture's registers.json: the device's tables from address 0, and the receipt time of every answer. */
interface Registers {
  timestamp: number;
  holding?: number[];
  input?: number[];
  coils?: boolean[];
  discrete?: boolean[];
}

/**
 * Decodes a fixture the way a poll does: plan the requests, cut each answer out of the bank,
 * decode it. Points and problems come back in mapping order (the fixture's), whatever order
 * the plan reads them in.
 */
function decodeFixture(section: ModbusConfig, input: Buffer): { points: Point[]; problems: ModbusDecodeProblem[] } {
  const bank = JSON.parse(input.toString('utf8')) as Registers;
  const [device] = resolveConfig(section);
  if (!device) throw new Error('fixture has no device');
  const points: Point[] = [];
  const problems: ModbusDecodeProblem[] = [];
  for (const request of planRequests(device.points, device)) {
    const table = { holding: bank.holding, input: bank.input, coil: bank.coils, discrete: bank.discrete }[request.table] ?? [];
    const fill = request.table === 'coil' || request.table === 'discrete' ? false : 0;
    const answer = Array.from({ length: request.count }, (_, i) => table[request.address + i] ?? fill) as number[] | boolean[];
    const result = decodeAnswer(request, answer, bank.timestamp);
    points.push(...result.points);
    problems.push(...result.problems);
  }
  const order = new Map(device.points.map((p) => [p.metric, p.index]));
  const at = (metric: string): number => order.get(metric) ?? -1;
  return { points: points.sort((a, b) => at(a.metric) - at(b.metric)), problems: problems.sort((a, b) => a.point - b.point) };
}

describeDecodeFixtures({
  dir: new URL('./fixtures/decode/', import.meta.url),
  definition: modbusBridge,
  input: 'registers.json',
  decode: (section, input) => decodeFixture(section as ModbusConfig, input),
  required: ['abcd-all-types', 'badc-all-types', 'cdab-all-types', 'dcba-all-types', 'coils-discrete', 'integer-edges', 'scale-offset', 'strings', 'non-finite', 'register-parts-abcd', 'register-parts-dcba'],
});
