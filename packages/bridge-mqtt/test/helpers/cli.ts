import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package's command (`bin.js`, which runs `dist/`). */
export const BIN = fileURLToPath(new URL('../../bin.js', import.meta.url));

/** What a command run left. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Throws, saying what to run, when the package is not built (the command runs `dist/`). For a file's `beforeAll`. */
export function requireBuiltCli(): void {
  if (!existsSync(fileURLToPath(new URL('../../dist/cli.js', import.meta.url)))) {
    throw new Error('bridge-mqtt is not built: run `pnpm --filter @fieldbridge/bridge-mqtt build` (turbo runs it before test)');
  }
}

/** Runs `bridge-mqtt ...args` to its exit, with `env` over this process's (and NO_COLOR). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A mapping with only the broker's url and a stdout sink: what `--scan` needs. */
export const scanMapping = (sourceId: string, url: string): string => `source_id: ${sourceId}\nsink: { url: stdout }\nmqtt:\n  url: ${url}\n`;

/** The `subscriptions:` block of a scan's output, as the YAML a user pastes. */
export const pasteBlock = (out: string): string => out.slice(out.indexOf('\nsubscriptions:\n') + 1);
