import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { CanBridgeError } from '../errors.js';
import { DBC_LIMITS, type DbcLimits } from './limits.js';
import { parseDbcSources, type DbcSource } from './merge.js';
import type { DbcParseResult } from './types.js';

/** Options of {@link loadDbcFiles}. */
export interface LoadDbcOptions {
  /** Bounds; `maxFileBytes` is checked before a file is read. Default {@link DBC_LIMITS}. */
  limits?: Partial<DbcLimits>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// DBC editors on Windows write Windows-1252 (degree signs, umlauts in comments and units).
const windows1252 = new TextDecoder('windows-1252');

// Windows editors save "Unicode" text as UTF-16, always with a byte-order mark.
const utf16le = new TextDecoder('utf-16le');
const utf16be = new TextDecoder('utf-16be');

/**
 * DBC bytes as text: UTF-16 when they start with its byte-order mark, UTF-8 when they are valid
 * UTF-8, Windows-1252 otherwise.
 */
export function decodeDbcBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16le.decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16be.decode(bytes);
  try {
    return utf8.decode(bytes);
  } catch {
    return windows1252.decode(bytes);
  }
}

function openFailed(path: string, err: unknown): CanBridgeError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
  return new CanBridgeError('DBC_READ_FAILED', `cannot read DBC file ${path}: ${why}; check the path in the mapping (relative paths are read from the working directory)`, { cause: err });
}

const tooLarge = (path: string, size: number, maxBytes: number): CanBridgeError =>
  new CanBridgeError('DBC_READ_FAILED', `DBC file ${path} is ${size} bytes, over the limit of ${maxBytes}; is it really a DBC file?`);

async function readBounded(path: string, maxBytes: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw openFailed(path, err);
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw tooLarge(path, size, maxBytes);
    // Read at most maxBytes + 1 even if the file grew since stat, so the bound holds.
    const buffer = new Uint8Array(Math.min(size, maxBytes) + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > maxBytes) throw new CanBridgeError('DBC_READ_FAILED', `DBC file ${path} is over the limit of ${maxBytes} bytes`);
    }
    return buffer.subarray(0, filled);
  } catch (err) {
    if (err instanceof CanBridgeError) throw err;
    throw openFailed(path, err);
  } finally {
    await handle.close();
  }
}

/** {@link readBounded} without waiting on the event loop, for checks that must be synchronous. */
function readBoundedSync(path: string, maxBytes: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw openFailed(path, err);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) throw tooLarge(path, size, maxBytes);
    const buffer = new Uint8Array(Math.min(size, maxBytes) + 1);
    let filled = 0;
    for (let n = 1; n > 0 && filled < buffer.length; filled += n) n = readSync(fd, buffer, filled, buffer.length - filled, null);
    if (filled > maxBytes) throw tooLarge(path, filled, maxBytes);
    return buffer.subarray(0, filled);
  } catch (err) {
    if (err instanceof CanBridgeError) throw err;
    throw openFailed(path, err);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and parses DBC files into one database (see {@link parseDbcSources}). Problems in the
 * text are returned, never thrown; a file that cannot be read, or is larger than
 * `limits.maxFileBytes`, throws a {@link CanBridgeError} (`DBC_READ_FAILED`).
 */
export async function loadDbcFiles(paths: readonly string[], options: LoadDbcOptions = {}): Promise<DbcParseResult> {
  const limits = { ...DBC_LIMITS, ...options.limits };
  const sources: DbcSource[] = [];
  for (const file of paths) sources.push({ file, text: decodeDbcBytes(await readBounded(file, limits.maxFileBytes)) });
  return parseDbcSources(sources, { limits });
}

/**
 * {@link loadDbcFiles}, synchronously: for the mapping's checks (`--check`, SIGHUP), which run
 * before anything starts. Throws a {@link CanBridgeError} (`DBC_READ_FAILED`) the same way.
 */
export function loadDbcFilesSync(paths: readonly string[], options: LoadDbcOptions = {}): DbcParseResult {
  const limits = { ...DBC_LIMITS, ...options.limits };
  const sources: DbcSource[] = paths.map((file) => ({ file, text: decodeDbcBytes(readBoundedSync(file, limits.maxFileBytes)) }));
  return parseDbcSources(sources, { limits });
}
