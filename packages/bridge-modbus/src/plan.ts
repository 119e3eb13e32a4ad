import { TABLES, type ModbusTable } from './config.js';
import { isBitTable } from './decode.js';

/** Largest register read the protocol allows (function codes 3 and 4). */
export const MAX_REGISTERS_PER_REQUEST = 125;
/** Largest bit read the protocol allows (function codes 1 and 2). */
export const MAX_BITS_PER_REQUEST = 2000;

/** Anything the planner can place: a table, a first address and a width in addresses. */
export interface Plannable {
  table: ModbusTable;
  address: number;
  width: number;
  /** Read at most this often, in ms; undefined: every poll. Points of other intervals never share a request. */
  pollMs?: number;
}

/** One read the poller sends: `count` addresses of `table` from `address`, and the points inside. */
export interface ReadRequest<P extends Plannable = Plannable> {
  table: ModbusTable;
  address: number;
  count: number;
  points: P[];
  /** Sent at most this often, in ms (its points' `pollMs`); undefined: every poll. */
  everyMs?: number;
}

/** How far the planner may merge. */
export interface PlanOptions {
  /** Most registers per request. Default 125 (the protocol's limit). */
  maxRegisters?: number;
  /** Most bits per request. Default 2000 (the protocol's limit). */
  maxBits?: number;
  /** Largest run of unmapped registers read to join two points into one request. Default 10. */
  maxGap?: number;
  /** Largest run of unmapped bits read to join two points into one request. Default 64. */
  maxGapBits?: number;
}

/**
 * Coalesces points into as few reads as the limits allow. Per table, points sorted by address
 * join the current request while the gap before them is at most `maxGap` (`maxGapBits` for
 * bit tables) and the request stays within `maxRegisters` (`maxBits`); otherwise they open a
 * new one. A point never straddles two requests, and points sharing addresses (bits of one
 * register) share a request. Requests come out in table order (coil, discrete, input,
 * holding), then by address. A point wider than the limit gets a request of its own. Points
 * read less often (`pollMs`) are planned apart, after those read every poll, their requests
 * marked `everyMs`.
 */
export function planRequests<P extends Plannable>(points: readonly P[], options: PlanOptions = {}): ReadRequest<P>[] {
  // Points read every poll first, then each slower interval, shortest first: none shares a request.
  const intervals = [...new Set(points.map((p) => p.pollMs ?? 0))].sort((a, b) => a - b);
  if (intervals.length > 1) return intervals.flatMap((every) => planRequests(points.filter((p) => (p.pollMs ?? 0) === every), options));
  const everyMs = intervals[0] || undefined;
  const requests: ReadRequest<P>[] = [];
  for (const table of TABLES) {
    const bits = isBitTable(table);
    const limit = bits ? (options.maxBits ?? MAX_BITS_PER_REQUEST) : (options.maxRegisters ?? MAX_REGISTERS_PER_REQUEST);
    const maxGap = bits ? (options.maxGapBits ?? 64) : (options.maxGap ?? 10);
    const sorted = points.filter((p) => p.table === table).sort((a, b) => a.address - b.address || b.width - a.width);
    let current: ReadRequest<P> | undefined;
    for (const point of sorted) {
      const pointEnd = point.address + point.width;
      if (current) {
        const end = current.address + current.count;
        const newEnd = Math.max(end, pointEnd);
        if (point.address - end <= maxGap && newEnd - current.address <= limit) {
          current.count = newEnd - current.address;
          current.points.push(point);
          continue;
        }
      }
      current = { table, address: point.address, count: point.width, points: [point], ...(everyMs === undefined ? {} : { everyMs }) };
      requests.push(current);
    }
  }
  return requests;
}

/**
 * Cuts a request a device refused into two that read its points between them: at the point
 * nearest the middle of its registers (or bits) that no earlier point reaches past, so no point
 * straddles the cut and points sharing a register stay together. Each part covers only its own
 * points. Halving again where a part is refused too finds an unmapped register in a few reads,
 * or the longest read a device takes (a device that reads fewer registers per request than
 * asked). Undefined when the request cannot be cut (one point, or points sharing all their
 * addresses).
 */
export function halveRequest<P extends Plannable>(request: ReadRequest<P>): [ReadRequest<P>, ReadRequest<P>] | undefined {
  const points = [...request.points].sort((a, b) => a.address - b.address || b.width - a.width);
  const middle = request.address + request.count / 2;
  let cut: number | undefined;
  let reach = -1;
  for (let i = 1; i < points.length; i++) {
    const before = points[i - 1] as P;
    reach = Math.max(reach, before.address + before.width);
    const here = (points[i] as P).address;
    if (here < reach) continue;
    if (cut === undefined || Math.abs(here - middle) < Math.abs((points[cut] as P).address - middle)) cut = i;
  }
  if (cut === undefined) return undefined;
  return [covering(request, points.slice(0, cut)), covering(request, points.slice(cut))];
}

/** The request of `request`'s table and interval that reads exactly `points` (sorted by address, at least one). */
function covering<P extends Plannable>(request: ReadRequest<P>, points: P[]): ReadRequest<P> {
  const address = (points[0] as P).address;
  const end = Math.max(...points.map((p) => p.address + p.width));
  return { table: request.table, address, count: end - address, points, ...(request.everyMs === undefined ? {} : { everyMs: request.everyMs }) };
}

/** One request per point, what a naive poller (a Node-RED flow per value) sends; for comparison. */
export function planOnePerPoint<P extends Plannable>(points: readonly P[]): ReadRequest<P>[] {
  return points.map((point) => ({ table: point.table, address: point.address, count: point.width, points: [point], ...(point.pollMs === undefined ? {} : { everyMs: point.pollMs }) }));
}

/** `holding 100-124` style label of a request, for logs and problem messages. */
export function describeRequest(request: Pick<ReadRequest, 'table' | 'address' | 'count'>): string {
  const last = request.address + request.count - 1;
  return last === request.address ? `${request.table} ${request.address}` : `${request.table} ${request.address}-${last}`;
}
