import type { CanFrame } from './can-frame.js';
import { kernelFilter, type CanIdFilter } from './socketcan-reader.js';

/** The extended-frame flag the kernel keeps in an id (`CAN_EFF_FLAG`). */
const EFF_FLAG = 0x80000000;

/**
 * The kernel's receive filter rule (`struct can_filter`, `af_can.c`) for frames that did not
 * come through it, a log's: a frame passes when one filter matches (`id & mask` equal to the
 * filter's, the extended-frame flag compared too; an inverted filter matches the others).
 * Without filters, undefined: every frame passes. Error frames always pass: the kernel's id
 * filters never see them (they have an error mask of their own). Throws a RangeError for a
 * filter that does not fit its id width, as {@link kernelFilter} does.
 */
export function createIdFilter(filters: readonly CanIdFilter[]): ((frame: Pick<CanFrame, 'id' | 'extended' | 'error'>) => boolean) | undefined {
  if (filters.length === 0) return undefined;
  const kernel = filters.map(kernelFilter);
  return (frame) => {
    if (frame.error) return true;
    const id = (frame.extended ? frame.id | EFF_FLAG : frame.id) >>> 0;
    return kernel.some((f) => (((id & f.mask) >>> 0) === ((f.id & f.mask) >>> 0)) !== f.invert);
  };
}
