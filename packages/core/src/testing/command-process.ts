import { spawn, type ChildProcess } from 'node:child_process';
import type { CleanupTracker } from './cleanup.js';

/** A command started as a process of its own, its output gathered. */
export interface CommandProcess {
  readonly child: ChildProcess;
  /** What it wrote to stdout so far. */
  stdout(): string;
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** Its exit code (null when a signal ended it), once its output is all read. */
  readonly exited: Promise<number | null>;
  /** Resolves once stderr has said `text` (a log line: "listening on"); rejects if it exits first. */
  said(text: string): Promise<void>;
}

/**
 * Starts `node <bin> ...args` (a bridge's `bin.js`) as its own process, for what only a real
 * process shows: signals, exit codes, standard streams. Killed at cleanup when `track` is given.
 */
export function startCommand(bin: string, args: string[], options: { env?: NodeJS.ProcessEnv; track?: CleanupTracker } = {}): CommandProcess {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? { ...process.env, NO_COLOR: '1' } });
  options.track?.defer(() => void child.kill('SIGKILL'));
  let out = '';
  let err = '';
  const waiting = new Set<() => void>();
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    for (const check of waiting) check();
  });
  // 'close', not 'exit': by then every byte it wrote has been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    said: (text) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!err.includes(text)) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
        void exited.then((code) => {
          if (!waiting.has(check)) return;
          waiting.delete(check);
          reject(new Error(`${bin} exited (${code}) before saying "${text}":\n${err}`));
        });
      }),
  };
}
