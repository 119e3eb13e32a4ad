import { closeSync, constants, createReadStream, fstatSync, openSync, statSync, unlinkSync } from 'node:fs';

/** The dead-letter file of a resend: where points the receiver refuses again go. */
export interface RefusedFile {
  readonly path: string;
  /** Records written to it since {@link openRefusedFile}. */
  recordsSince(): Promise<number>;
  /** Removes it when this run created it and wrote nothing to it (an empty file says nothing). */
  removeIfUnused(): void;
}

/**
 * Checks that `path` can take records before anything is sent (so every refusal is counted and
 * kept, never only logged), the way the sink's dead-letter writer opens it: appending, created
 * owner-only, never through a symbolic link. Notes its size, so the records of this run can be
 * counted. Throws the file system's error.
 */
export function openRefusedFile(path: string): RefusedFile {
  let existed = true;
  try {
    statSync(path);
  } catch {
    existed = false;
  }
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  let sizeBefore: number;
  try {
    sizeBefore = fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
  return {
    path,
    recordsSince: () => countLines(path, sizeBefore),
    removeIfUnused() {
      if (!existed && statSync(path).size === 0) unlinkSync(path);
    },
  };
}

/** Line ends in `path` from byte `start` on: one per record. */
async function countLines(path: string, start: number): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path, { start }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
  }
  return lines;
}
