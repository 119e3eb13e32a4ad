import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { until as waitFor } from '../../src/testing/until.js';

/** The counter bridge's command, a TypeScript file node runs with `--import tsx`. */
export const counterCliFixture = fileURLToPath(new URL('../fixtures/counter-cli.ts', import.meta.url));

/** The counter bridge's command line, run as a real child process (through tsx). */
export function spawnCounterCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', counterCliFixture, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    /** Parsed JSON log lines from stderr. */
    logs: () => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    waitForLog: (pattern: RegExp) => waitFor(() => stderr.split('\n').find((l) => pattern.test(l)), `log line ${pattern}`),
  };
}
