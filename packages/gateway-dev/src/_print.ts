import type { StoredPoint } from './types.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `HH:MM:SS.mmm` in local time. */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}

/**
 * One readable line per point, e.g.
 * `12:00:01.123 plant-a  line1.motor.rpm = 1480  {site=plant-a}`.
 * The time is the point's timestamp, or its receipt time when it had none.
 */
export function formatPointLine(point: StoredPoint): string {
  const time = clockTime(point.timestamp ?? point.received_at_ms);
  let line = `${time} ${point.source_id}  ${point.metric} = ${formatValue(point.value)}`;
  const tags = Object.entries(point.tags ?? {});
  if (tags.length > 0) line += `  {${tags.map(([k, v]) => `${k}=${v}`).join(',')}}`;
  if (point.session_id !== undefined) line += `  [session ${point.session_id}]`;
  if (point.duplicate === true) line += '  (duplicate batch)';
  return line;
}
