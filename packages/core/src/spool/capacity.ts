import { FieldbridgeError } from '../errors.js';
import type { SpoolLimits, WhenFull } from './spool.js';

/** Default `maxBytes` of a spool: 256 MiB. */
export const DEFAULT_SPOOL_MAX_BYTES = 256 * 1024 * 1024;

/** Default `whenFull` policy of a spool. */
export const DEFAULT_WHEN_FULL: WhenFull = 'drop_oldest';

const WHEN_FULL_VALUES: readonly WhenFull[] = ['drop_oldest', 'drop_newest', 'block'];

/** A held batch as the capacity policy sees it. */
export interface CapacityCandidate {
  id: string;
  /** The batch's `bytes`. */
  bytes: number;
}

/** What a spool tells the capacity policy about its content. */
export interface CapacityView {
  /** Bytes held now, leased or not. */
  bytes: number;
  /** Batches held now, leased or not. */
  batches: number;
  /**
   * The unleased batches, oldest first. Read lazily, and only as far as eviction needs, so an
   * implementation may stream them from storage.
   */
  unleasedOldestFirst(): Iterable<CapacityCandidate>;
}

/**
 * The capacity policy's answer for one incoming batch:
 * - `store`: store it, after dropping the batches in `evict` (reason `buffer_full`);
 * - `drop_incoming`: do not store it; the spool reports it as dropped (`buffer_full`);
 * - `refuse`: do not store it and drop nothing (`block`): the caller keeps it and retries.
 */
export type CapacityDecision =
  | { action: 'store'; evict: CapacityCandidate[] }
  | { action: 'drop_incoming' }
  | { action: 'refuse' };

/**
 * The one capacity policy every spool implementation applies in `append`.
 *
 * - The batch fits (`bytes + incoming <= maxBytes`): store it.
 * - It does not fit:
 *   - `drop_newest`: the incoming batch is dropped (nothing held is touched);
 *   - `block`: the incoming batch is refused, nothing is dropped;
 *   - `drop_oldest`: the oldest *unleased* batches are evicted, one at a time, until it fits.
 *     Leased batches are in flight and are never evicted: when only they remain and it still
 *     does not fit, the batch is stored anyway, so the spool may exceed `maxBytes` by at most
 *     the bytes in flight plus this one batch.
 * - A batch larger than `maxBytes` on its own never fits: under `drop_newest` and
 *   `drop_oldest` it is dropped (evicting everything else would still not make room); under
 *   `block` it is stored only when the spool is empty, since otherwise the caller would wait
 *   for room forever.
 *
 * `replace()` does not apply the policy: its parts stand for bytes already admitted.
 */
export function decideCapacity(view: CapacityView, limits: SpoolLimits, incomingBytes: number): CapacityDecision {
  if (incomingBytes > limits.maxBytes) {
    if (limits.whenFull === 'block' && view.batches === 0) return { action: 'store', evict: [] };
    return limits.whenFull === 'block' ? { action: 'refuse' } : { action: 'drop_incoming' };
  }
  if (view.bytes + incomingBytes <= limits.maxBytes) return { action: 'store', evict: [] };
  if (limits.whenFull === 'drop_newest') return { action: 'drop_incoming' };
  if (limits.whenFull === 'block') return { action: 'refuse' };
  const evict: CapacityCandidate[] = [];
  let bytes = view.bytes;
  for (const candidate of view.unleasedOldestFirst()) {
    evict.push({ id: candidate.id, bytes: candidate.bytes });
    bytes -= candidate.bytes;
    if (bytes + incomingBytes <= limits.maxBytes) break;
  }
  return { action: 'store', evict };
}

/**
 * Checks spool limits, throwing `FieldbridgeError('OPTIONS_INVALID')` with a message naming the
 * bad field. `maxBytes` must be a positive finite number, `maxAgeMs` (when set) too.
 */
export function assertSpoolLimits(limits: SpoolLimits): void {
  const { maxBytes, whenFull, maxAgeMs } = limits;
  if (typeof maxBytes !== 'number' || !Number.isFinite(maxBytes) || maxBytes <= 0) {
    throw new FieldbridgeError('OPTIONS_INVALID', `spool maxBytes must be a positive number of bytes, got ${String(maxBytes)}`);
  }
  if (!WHEN_FULL_VALUES.includes(whenFull)) {
    throw new FieldbridgeError(
      'OPTIONS_INVALID',
      `spool whenFull must be one of ${WHEN_FULL_VALUES.join(', ')}, got ${JSON.stringify(whenFull)}`,
    );
  }
  if (maxAgeMs !== undefined && (typeof maxAgeMs !== 'number' || !Number.isFinite(maxAgeMs) || maxAgeMs <= 0)) {
    throw new FieldbridgeError('OPTIONS_INVALID', `spool maxAgeMs must be a positive number of milliseconds, got ${String(maxAgeMs)}`);
  }
}
