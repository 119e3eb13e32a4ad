import { excerpt, formatDuration } from '@fieldbridge/core/bridge';
import type { ItemStatus } from './subscription-types.js';

/** Items a `--once` warning names, at most; the rest are counted. */
const NAMED = 3;
/** Characters of each item's reason (a browse path's reason lists the children the server has). */
const REASON_CHARS = 200;

/**
 * Why a connected session gave no point during a `--once` wait, when its items say it: the items
 * the server refused or that name nothing, each with why (`BadNodeIdUnknown`, the browse path's
 * missing step). Undefined when every item is monitored: the runtime's own words say it then.
 */
export function silentItemsWhy(items: readonly ItemStatus[], retryRefusedMs: number): string | undefined {
  const out = items.filter((i) => i.state === 'refused' || i.state === 'unresolved');
  if (out.length === 0) return undefined;
  const named = out.slice(0, NAMED).map((i) => `${i.key}: ${excerpt(reasonOf(i), REASON_CHARS)}`);
  const more = out.length > NAMED ? `; and ${out.length - NAMED} more` : '';
  const active = items.filter((i) => i.state === 'active').length;
  const what =
    active === 0
      ? `the server monitors none of its ${count(items.length, 'item')}`
      : `${out.length} of its ${count(items.length, 'item')} ${out.length === 1 ? 'is' : 'are'} not monitored, and the ${active} monitored gave no point`;
  return `${what}: ${named.join('; ')}${more}. The problems logged above say what to change; they are tried again every ${formatDuration(retryRefusedMs)}`;
}

function reasonOf(item: ItemStatus): string {
  const why = item.message ?? 'no reason given';
  return item.state === 'refused' ? `the server refused ${item.label} (${why})` : why;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
