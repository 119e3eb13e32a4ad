import { PassThrough } from 'node:stream';
import { runBridgeCli } from '../cli/run-bridge-cli.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';

/** Streams a command writes to in a test, and what it wrote so far. */
export interface CapturedIo {
  stdout: PassThrough;
  stderr: PassThrough;
  out(): string;
  err(): string;
}

/** Two streams that keep what is written to them, for running a command in the test's process. */
export function captureIo(): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { stdout, stderr, out: () => out, err: () => err };
}

/** What a command run in the test's process did: its exit code and what it printed. */
export interface CommandResult {
  code: number;
  out: string;
  err: string;
}

/** Runs a bridge's command (`bridge-<name> ARGS`, what its `cli.ts` does) in this process with `env` as its environment. */
export async function runBridgeCommand(definition: BridgeDefinition, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  const io = captureIo();
  const code = await runBridgeCli(definition, args, { stdout: io.stdout, stderr: io.stderr, env });
  return { code, out: io.out(), err: io.err() };
}
