import { closeSync, openSync, readSync } from 'node:fs';
import { POINT_LIMITS } from '@fieldbridge/core/bridge';
import { createLogLineParser, LOG_FORMAT_NAMES, MAX_LOG_LINE } from './frames/log-format.js';

/** Bytes of a log's head looked at for its start: a header and the first events fit many times over. */
const HEAD_BYTES = 64 * 1024;

/** What to add to a text log that names no start, per format. */
const ADD = {
  asc: 'add the line the logging tool writes after the header, with the moment the log begins (date Tue Nov 14 10:13:20.000 pm 2023)',
  trc: 'add the line PEAK\'s tools write in the header, with the moment the log begins in days since 30 December 1899 (;$STARTTIME=45244.9258101852)',
} as const;

/**
 * Why a text log read with the times written in it would send nothing: a Vector ASC or PEAK TRC
 * log whose first event comes before any date line (`$STARTTIME`), so no event has a time of day
 * and each one is skipped (`unsupported`) rather than sent as 1970; or a candump log whose first
 * frame is stamped before 2001 (seconds since its logger started, not since the epoch), whose
 * every point the sink would refuse as a time in seconds. Undefined when its head shows a frame
 * with a time (or no event), or the file is not such a log. Reads the file's first 64 KiB
 * synchronously (the check and the start of a run).
 */
export function undatedLogProblem(path: string, timeZone: string): string | undefined {
  let head: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(HEAD_BYTES);
    head = buffer.subarray(0, readSync(fd, buffer, 0, HEAD_BYTES, 0));
  } catch {
    return undefined; // A log that cannot be read is said elsewhere.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const lines = head.toString('latin1').split('\n');
  if (head.length === HEAD_BYTES) lines.pop(); // cut in the middle
  // The same lines read twice: a line refused only when a date is required is an event before any date.
  const dated = createLogLineParser({ timeZone, requireDate: true });
  const undated = createLogLineParser({ timeZone, requireDate: false });
  for (const [i, raw] of lines.entries()) {
    const line = (raw.endsWith('\r') ? raw.slice(0, -1) : raw).slice(0, MAX_LOG_LINE + 1);
    const withDate = dated.parse(line);
    const without = undated.parse(line);
    if (withDate?.ok) {
      const { timestampMs } = withDate.frame;
      if (dated.format() !== 'candump' || timestampMs >= POINT_LIMITS.minTimestampMs) return undefined;
      return `the candump log ${path} stamps its first frame (line ${i + 1}) ${(timestampMs / 1000).toFixed(6)} s, before 2001: a time since its logger started, not a date, so every point would be refused as a time in seconds and nothing of it would be sent; set replay.timestamps: replay to place the frames on the clock as they are played`;
    }
    if (withDate && !withDate.ok && withDate.kind === 'unsupported' && without?.ok) {
      const format = dated.format();
      if (format !== 'asc' && format !== 'trc') return undefined;
      const what = format === 'asc' ? 'no date line' : 'no start ($STARTTIME)';
      return `the ${LOG_FORMAT_NAMES[format]} log ${path} has ${what} before its first event (line ${i + 1}): its frames have no time of day, so every one would be skipped and nothing of it would be sent; ${ADD[format]}, or set replay.timestamps: replay to place the frames on the clock as they are played`;
    }
  }
  return undefined;
}
