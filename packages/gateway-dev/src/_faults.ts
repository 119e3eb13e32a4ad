import { GatewayError } from './errors.js';
import type { FaultPlan } from './types.js';

/** What happens to one affected request. */
export interface FaultAction {
  delayMs: number;
  drop: boolean;
  status: number | undefined;
  retryAfter: string | undefined;
}

export interface FaultInjector {
  set(plan: FaultPlan | undefined): void;
  /** The plan and how many requests it will still affect (`null` when unbounded). */
  current(): { faults: FaultPlan | null; remaining: number | null };
  /** Decides for one ingest request; undefined when it is not affected. */
  next(): FaultAction | undefined;
}

const KEYS = new Set(['status', 'ratio', 'count', 'retryAfter', 'delayMs', 'drop']);

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Checks a fault plan from JSON or code; throws `GatewayError` (`FAULTS_INVALID`) naming the field. */
export function parseFaultPlan(input: unknown): FaultPlan {
  const fail = (message: string): never => {
    throw new GatewayError('FAULTS_INVALID', `fault plan: ${message}`);
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('must be an object');
  const plan = input as Record<string, unknown>;
  for (const key of Object.keys(plan)) {
    if (!KEYS.has(key)) fail(`unknown key "${key}" (known: ${[...KEYS].join(', ')})`);
  }
  const { status, ratio, count, retryAfter, delayMs, drop } = plan;
  if (status !== undefined && !(isNonNegativeInteger(status) && status >= 400 && status <= 599)) {
    fail('status must be an integer 400..599');
  }
  if (ratio !== undefined && !(typeof ratio === 'number' && ratio >= 0 && ratio <= 1)) fail('ratio must be a number 0..1');
  if (count !== undefined && !isNonNegativeInteger(count)) fail('count must be a non-negative integer');
  if (retryAfter !== undefined && typeof retryAfter !== 'string') fail('retryAfter must be a string ("2" or an HTTP date)');
  if (delayMs !== undefined && !(typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0)) {
    fail('delayMs must be a non-negative number');
  }
  if (drop !== undefined && typeof drop !== 'boolean') fail('drop must be a boolean');
  return { ...plan } as FaultPlan;
}

/** Holds the current fault plan. `random` decides ratio faults; `count` plans never use it. */
export function createFaultInjector(random: () => number): FaultInjector {
  let plan: FaultPlan | undefined;
  let remaining: number | undefined;

  return {
    set(next) {
      plan = next === undefined ? undefined : parseFaultPlan(next);
      remaining = plan?.count;
    },
    current() {
      return { faults: plan === undefined ? null : { ...plan }, remaining: remaining ?? null };
    },
    next() {
      if (plan === undefined) return undefined;
      if (remaining !== undefined) {
        if (remaining === 0) return undefined;
        remaining -= 1;
      } else if (!(random() < (plan.ratio ?? 1))) {
        return undefined;
      }
      return {
        delayMs: plan.delayMs ?? 0,
        drop: plan.drop === true,
        status: plan.status,
        retryAfter: plan.retryAfter,
      };
    },
  };
}
