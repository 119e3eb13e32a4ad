import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

/** `fieldbridge ARGS | head -c 16` in bash, with the exit code of fieldbridge (pipefail) and its stderr. */
function pipedToHead(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const line = `set -o pipefail; "$0" "$1" ${args.map((a) => `'${a}'`).join(' ')} | head -c 16`;
  return new Promise((resolve) => {
    execFile('bash', ['-c', line, process.execPath, BIN], (error, out, err) => resolve({ code: error ? Number(error.code) : 0, out, err }));
  });
}

describe('a reader of stdout that leaves early (| head)', () => {
  it('cuts the output of `fieldbridge schema` without a crash: exit 0, nothing on stderr', async () => {
    // The schema of every bridge is about 130 kB, more than a pipe holds: writes go on after head left.
    const { code, out, err } = await pipedToHead(['schema']);
    expect(out).toBe('{\n  "$schema": "');
    expect({ code, err }).toEqual({ code: 0, err: '' });
  });
});
