import { describe, expect, it } from 'vitest';
import { describeRequest, halveRequest, planOnePerPoint, planRequests, type Plannable } from '../src/plan.js';
import { resolveConfig } from '../src/resolve.js';
import { oneDevice } from './helpers/mapping.js';

const reg = (address: number, width = 1): Plannable => ({ table: 'holding', address, width });

describe('planRequests', () => {
  it('merges adjacent and nearby registers, not far ones', () => {
    const plan = planRequests([reg(0), reg(1), reg(2, 2), reg(10), reg(40)], { maxGap: 10 });
    expect(plan.map((r) => [r.address, r.count, r.points.length])).toEqual([
      [0, 11, 4],
      [40, 1, 1],
    ]);
  });

  it('honours max_gap 0 (only touching addresses merge)', () => {
    const plan = planRequests([reg(0), reg(1), reg(3)], { maxGap: 0 });
    expect(plan.map(describeRequest)).toEqual(['holding 0-1', 'holding 3']);
  });

  it('never exceeds 125 registers and never splits a point across requests', () => {
    const points = Array.from({ length: 200 }, (_, i) => reg(i * 2, 2));
    const plan = planRequests(points);
    for (const request of plan) {
      expect(request.count).toBeLessThanOrEqual(125);
      for (const p of request.points) {
        expect(p.address).toBeGreaterThanOrEqual(request.address);
        expect(p.address + p.width).toBeLessThanOrEqual(request.address + request.count);
      }
    }
    expect(plan.flatMap((r) => r.points)).toHaveLength(200);
    // 400 registers in 2-register points: 62 points (124 registers) per request.
    expect(plan.map((r) => r.count)).toEqual([124, 124, 124, 28]);
  });

  it('starts a new request when a point would straddle the limit', () => {
    const plan = planRequests([reg(0, 4), reg(4, 4)], { maxRegisters: 6 });
    expect(plan.map(describeRequest)).toEqual(['holding 0-3', 'holding 4-7']);
  });

  it('uses the bit limits for coils and discrete inputs', () => {
    const coils = Array.from({ length: 3000 }, (_, i): Plannable => ({ table: 'coil', address: i, width: 1 }));
    const plan = planRequests(coils);
    expect(plan.map((r) => r.count)).toEqual([2000, 1000]);
    const sparse = planRequests([{ table: 'discrete', address: 0, width: 1 }, { table: 'discrete', address: 100, width: 1 }], { maxGapBits: 64 });
    expect(sparse).toHaveLength(2);
  });

  it('keeps tables apart and orders requests coil, discrete, input, holding', () => {
    const plan = planRequests([reg(0), { table: 'input', address: 0, width: 1 }, { table: 'coil', address: 0, width: 1 }, { table: 'discrete', address: 0, width: 1 }]);
    expect(plan.map((r) => r.table)).toEqual(['coil', 'discrete', 'input', 'holding']);
  });

  it('puts bit points of one register in one request', () => {
    const plan = planRequests([reg(5), reg(5), reg(5)], { maxGap: 0 });
    expect(plan).toHaveLength(1);
    expect(plan[0]?.count).toBe(1);
  });

  it('reads the two bytes of a register and the bitfields of another in one request, even with max_gap 0', () => {
    const [device] = resolveConfig(oneDevice('tcp://127.0.0.1:502', [
      { metric: 'gear', table: 'holding', address: 41, type: 'bitfield', bit: 4, bits: 4 },
      { metric: 'mode', table: 'holding', address: 40, type: 'uint8', byte: 'high' },
      { metric: 'state', table: 'holding', address: 41, type: 'bitfield', bit: 0, bits: 4 },
      { metric: 'trim', table: 'holding', address: 40, type: 'int8', byte: 'low' },
      { metric: 'setpoint', table: 'holding', address: 43, type: 'float16' },
    ], { max_gap: 0 }));
    const plan = planRequests(device!.points, device!);
    expect(plan.map((r) => [describeRequest(r), r.points.map((p) => p.metric)])).toEqual([
      ['holding 40-41', ['mode', 'trim', 'gear', 'state']],
      ['holding 43', ['setpoint']],
    ]);
    // Cut in two (a device refusing the read), the parts of each register stay together.
    expect(halveRequest(plan[0]!)?.map((r) => [describeRequest(r), r.points.map((p) => p.metric)])).toEqual([
      ['holding 40', ['mode', 'trim']],
      ['holding 41', ['gear', 'state']],
    ]);
  });

  it('is compared against one request per point', () => {
    const points = Array.from({ length: 50 }, (_, i) => reg(i));
    expect(planOnePerPoint(points)).toHaveLength(50);
    expect(planRequests(points)).toHaveLength(1);
  });
});

describe('halveRequest', () => {
  const halves = (points: Plannable[]): string[] | undefined => {
    const [request] = planRequests(points, { maxGap: 124 });
    return halveRequest(request!)?.map(describeRequest);
  };

  it('cuts at the point nearest the middle, each half covering only its own points', () => {
    // holding 0-99 with a float32 every 10 registers: the middle is 50.
    expect(halves(Array.from({ length: 10 }, (_, i) => reg(i * 10, 2)))).toEqual(['holding 0-41', 'holding 50-91']);
    expect(halves([reg(0), reg(1), reg(5), reg(6), reg(9)])).toEqual(['holding 0-1', 'holding 5-9']);
  });

  it('keeps a value whole and the bits of one register together', () => {
    // A uint64 at 0-3 reaches past the bits at 2: the only cut is before 4.
    expect(halves([reg(0, 4), reg(2), reg(2), reg(4)])).toEqual(['holding 0-3', 'holding 4']);
  });

  it('cannot cut one point, nor points that share all their registers', () => {
    expect(halves([reg(7, 2)])).toBeUndefined();
    expect(halves([reg(7), reg(7), reg(7)])).toBeUndefined();
  });
});
