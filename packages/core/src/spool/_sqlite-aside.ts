import { existsSync, renameSync } from 'node:fs';
import type { Logger } from 'pino';
import { FieldbridgeError } from '../errors.js';

/**
 * Renames an unusable spool file to `<file>.unusable-<UTC timestamp>`, with its `-wal`, `-shm`
 * and `-journal` companions renamed alongside (a stale WAL must never be replayed into a fresh
 * file), and logs it as an error. Nothing is deleted: the batches in it are kept for inspection
 * but will not be sent. Returns the new path.
 *
 * @throws FieldbridgeError `SPOOL_UNUSABLE` when the file cannot be renamed.
 */
export function moveAside(file: string, reason: string, cause: unknown, logger: Logger): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let aside = `${file}.unusable-${stamp}`;
  for (let n = 1; existsSync(aside); n++) aside = `${file}.unusable-${stamp}-${n}`;
  try {
    renameSync(file, aside);
    for (const suffix of ['-wal', '-shm', '-journal']) {
      if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, `${aside}${suffix}`);
    }
  } catch (err) {
    throw new FieldbridgeError(
      'SPOOL_UNUSABLE',
      `spool ${file} is unusable (${reason}) and cannot be moved aside: ${(err as Error).message}; move or delete it by hand`,
      { cause: err },
    );
  }
  // An expected failure its message explains: the cause's code and words, not its stack.
  const why = { message: cause instanceof Error ? cause.message : String(cause), ...((cause as { code?: unknown })?.code === undefined ? {} : { code: String((cause as { code?: unknown }).code) }) };
  logger.error(
    { cause: why, path: file, movedTo: aside, reason },
    `spool ${file} is unusable (${reason}); moved it to ${aside} and started an empty spool. The batches in it will not be sent: inspect it, then delete it`,
  );
  return aside;
}
