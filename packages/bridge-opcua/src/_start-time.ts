import { formatDuration } from '@fieldbridge/core/bridge';
import { withDeadline } from './_deadline.js';
import type { ReadsValue } from './namespaces.js';

/** Server.ServerStatus.StartTime (Part 5, 6.3.1). */
const START_TIME_NODE = 'i=2257';
/** The Value attribute. */
const VALUE_ATTRIBUTE = 13;

/**
 * Why a reconnect needed a new session, from the server's StartTime before and after:
 * `restarted` at `startedAt` (ISO 8601), or `dropped`: the server kept running and no longer
 * had the session, which it keeps `sessionTimeoutMs` without contact.
 */
export type SessionRenewal = { kind: 'restarted'; startedAt: string } | { kind: 'dropped'; sessionTimeoutMs: number };

/**
 * Reads the server's StartTime (ms since the epoch) within `timeoutMs`: undefined when it does
 * not answer in time, refuses the read, or gives a null or zero time, as some servers do. Never
 * rejects: the caller then cannot tell a restart from a dropped session, and does not say which.
 */
export async function readStartTime(session: ReadsValue, timeoutMs: number): Promise<number | undefined> {
  try {
    const read = await withDeadline(session.read({ nodeId: START_TIME_NODE, attributeId: VALUE_ATTRIBUTE }), timeoutMs, 'reading the StartTime');
    if (((read.statusCode?.value ?? 0) >>> 30) !== 0) return undefined;
    const value = read.value?.value;
    const ms = value instanceof Date ? value.getTime() : NaN;
    // OPC UA's null DateTime (1601-01-01, as node-opcua decodes it) and a zero 1970 time both fall here.
    return Number.isFinite(ms) && ms > 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** What a new session's StartTime `after` says against the last one read, `before`; undefined when either is unknown. */
export function renewalOf(before: number | undefined, after: number | undefined, sessionTimeoutMs: number): SessionRenewal | undefined {
  if (before === undefined || after === undefined) return undefined;
  return after !== before ? { kind: 'restarted', startedAt: new Date(after).toISOString() } : { kind: 'dropped', sessionTimeoutMs };
}

/** Says why a reconnect needed a new session, for a log line; the old wording when that is not known. */
export function renewalText(renewal: SessionRenewal | undefined): string {
  if (renewal === undefined) return 'server restarted (or it dropped the session)';
  if (renewal.kind === 'restarted') return `server restarted at ${renewal.startedAt}`;
  return `the server dropped the session without restarting (its StartTime is unchanged; likely the outage outlasted its session timeout of ${formatDuration(renewal.sessionTimeoutMs)}, which session_timeout_ms asks for)`;
}
