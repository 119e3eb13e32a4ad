import { readdirSync, statSync } from 'node:fs';
import { compareNatural } from '@fieldbridge/core/bridge';
import { join, resolve } from 'node:path';

/** The file names a folder of logs is read for (case ignored): what candump, CANalyzer, CANoe, PCAN-View and MDF loggers write. */
export const LOG_EXTENSIONS = ['.log', '.asc', '.blf', '.trc', '.mf4'] as const;

/** What a `file:` interface names: one log, or a folder of them. */
export type LogSource =
  | { kind: 'file'; path: string }
  /** The logs of a folder in name order, numbers by their value (loggers number or date their files), and the files left out. */
  | { kind: 'folder'; path: string; files: string[]; skipped: string[] }
  | { kind: 'missing'; why: string };

const isLog = (name: string): boolean => LOG_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext));

/**
 * What `path` is: a log file, a folder (its logs, not its subfolders), or why neither. Reads the
 * file system synchronously (the check and the start of a replay).
 */
export function logSource(path: string): LogSource {
  let info;
  try {
    info = statSync(path);
  } catch (err) {
    return { kind: 'missing', why: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message };
  }
  if (info.isFile()) return { kind: 'file', path };
  if (!info.isDirectory()) return { kind: 'missing', why: 'is neither a file nor a folder' };
  const files: string[] = [];
  const skipped: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => compareNatural(a.name, b.name))) {
    if (!entry.isFile()) continue;
    (isLog(entry.name) ? files : skipped).push(join(path, entry.name));
  }
  return { kind: 'folder', path, files, skipped };
}

/**
 * What identifies the logs `path` names, as they are now: each file's absolute path, size, time of
 * last change and inode, so that a log written again (or a folder given another log) differs.
 */
export function logIdentity(path: string): string {
  const source = logSource(path);
  const files = source.kind === 'folder' ? source.files : source.kind === 'file' ? [path] : [];
  return JSON.stringify([resolve(path), ...files.map((file) => {
    try {
      const info = statSync(file);
      return [resolve(file), info.size, info.mtimeMs, info.ino];
    } catch {
      return [resolve(file)];
    }
  })]);
}
