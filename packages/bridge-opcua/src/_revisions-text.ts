import { formatDuration } from '@fieldbridge/core/bridge';
import type { ItemStatus } from './subscription-types.js';

/** Items named in each part of the line; the rest are counted. */
const NAMED = 3;

function listed<T>(items: readonly T[], text: (item: T) => string): string {
  const more = items.length - NAMED;
  return `${items.slice(0, NAMED).map(text).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * What the server granted less of than the mapping asked, in one line, or undefined when it
 * granted all: a slower publishing interval, variables sampled slower than their
 * `sampling_interval_ms` (a change undone between two samples is never seen), queues shorter than
 * `queue_size` (values sampled between two publishes, or held in a gap, are dropped past it), and
 * event notifiers' queues shorter than their `queue_size` (events past it are dropped alike). A
 * sampling interval of 0 asks for the server's fastest, so no grant revises it down.
 */
export function revisionsText(items: readonly ItemStatus[], publishing: { askedMs: number; grantedMs: number }): string | undefined {
  const parts: string[] = [];
  if (publishing.grantedMs > publishing.askedMs) {
    parts.push(`it publishes every ${formatDuration(publishing.grantedMs)} (publishing_interval_ms asks ${formatDuration(publishing.askedMs)})`);
  }
  const slower = items.filter((i) => i.sampling && i.sampling.askedIntervalMs > 0 && i.sampling.grantedIntervalMs > i.sampling.askedIntervalMs);
  if (slower.length > 0) {
    const each = listed(slower, (i) => `${i.key} every ${formatDuration(i.sampling!.grantedIntervalMs)} (asked ${formatDuration(i.sampling!.askedIntervalMs)})`);
    parts.push(`it samples ${slower.length} ${slower.length === 1 ? 'variable' : 'variables'} slower than sampling_interval_ms asks, so a change undone between two samples is not seen: ${each}`);
  }
  const shorter = items.filter((i) => i.sampling && i.sampling.grantedQueueSize < i.sampling.askedQueueSize);
  if (shorter.length > 0) {
    const each = listed(shorter, (i) => `${i.key} ${i.sampling!.grantedQueueSize} (asked ${i.sampling!.askedQueueSize})`);
    parts.push(`it queues fewer values than queue_size asks for ${shorter.length} ${shorter.length === 1 ? 'variable' : 'variables'}, so past that many values between two publishes (or in a gap) the oldest are dropped: ${each}`);
  }
  const fewerEvents = items.filter((i) => i.eventQueue && i.eventQueue.grantedSize < i.eventQueue.askedSize);
  if (fewerEvents.length > 0) {
    const each = listed(fewerEvents, (i) => `${i.key} ${i.eventQueue!.grantedSize} (asked ${i.eventQueue!.askedSize})`);
    parts.push(`it queues fewer events than queue_size asks for ${fewerEvents.length} event ${fewerEvents.length === 1 ? 'notifier' : 'notifiers'}, so past that many events between two publishes (or in a gap) the oldest are dropped: ${each}`);
  }
  return parts.length === 0 ? undefined : `the server granted less than the mapping asks: ${parts.join('; ')}`;
}
