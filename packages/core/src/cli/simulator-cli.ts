import { once } from 'node:events';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A running simulator, as {@link runSimulatorCli} drives it. */
export interface RunningSimulator {
  /** Where it can be reached (`tcp://127.0.0.1:5020`), printed on stdout for scripts; omit when it only publishes. */
  url?: string;
  /** One line for stderr once started, e.g. what it serves. */
  describe?: string;
  /** Stops it; the line it resolves with (e.g. `published 120 messages`) goes to stderr. */
  close(): Promise<string | void>;
  /**
   * For a simulator that finishes by itself (a log written to its end, `--rounds N` played):
   * resolves once it has, optionally with a line for stderr; the command then stops it with
   * `close()` and exits 0 without waiting for a signal (a signal before that still stops it).
   * Rejecting ends the command with exit 1.
   */
  done?: Promise<string | void>;
}

/** What a simulator command declares. */
export interface SimulatorCli {
  /** The command, e.g. `bridge-modbus-sim`. */
  name: string;
  /** The usage text (`--help`). */
  usage: string;
  /**
   * What `--version` prints. Default: the version in the `package.json` beside the running
   * script (a simulator's `sim.js` sits at its package's root, also when run through
   * `node_modules/.bin`).
   */
  version?: string;
  /** Its options, as `node:util`'s parseArgs takes them (`--help` is added). */
  options: NonNullable<ParseArgsConfig['options']>;
  /**
   * Checks the parsed options and starts the simulator; returns a usage message (exit 2) when
   * an option is wrong.
   */
  start(values: Record<string, string | boolean | undefined>): Promise<RunningSimulator | string>;
}

/**
 * The command line every bridge simulator shares: parses the options (exit 2 with the usage on
 * a mistake, 0 after `--help`), starts it (exit 1 with the reason when it cannot), prints its URL
 * on stdout, runs until SIGINT or SIGTERM and stops it cleanly (exit 0), or until it is `done`.
 */
export async function runSimulatorCli(cli: SimulatorCli, argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...cli.options, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } } }) as {
      values: Record<string, string | boolean | undefined>;
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${cli.usage}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(cli.usage);
    return 0;
  }
  if (values.version) {
    io.stdout.write(`${cli.version ?? versionBesideScript() ?? '0.0.0'}\n`);
    return 0;
  }
  let sim: RunningSimulator | string;
  try {
    sim = await cli.start(values);
  } catch (err) {
    io.stderr.write(`${cli.name}: ${(err as Error).message}\n`);
    return 1;
  }
  if (typeof sim === 'string') {
    io.stderr.write(`${cli.name}: ${sim}\n\n${cli.usage}`);
    return 2;
  }
  if (sim.url) io.stdout.write(`${sim.url}\n`);
  io.stderr.write(`${cli.name}: ${sim.describe ?? `running${sim.url ? ` on ${sim.url}` : ''}`} (Ctrl-C stops)\n`);
  const signals = new AbortController();
  const signalled = Promise.race([once(process, 'SIGINT', { signal: signals.signal }), once(process, 'SIGTERM', { signal: signals.signal })]).then(
    () => 'signal' as const,
    () => 'signal' as const,
  );
  const finished = sim.done?.then(
    (line) => ({ line }),
    (err: unknown) => ({ err: err as Error }),
  );
  const outcome = await (finished ? Promise.race([signalled, finished]) : signalled);
  signals.abort();
  if (outcome !== 'signal') {
    if ('err' in outcome) {
      io.stderr.write(`${cli.name}: ${outcome.err.message}\n`);
      await sim.close();
      return 1;
    }
    const summary = await sim.close();
    const line = outcome.line || summary;
    if (line) io.stderr.write(`${cli.name}: ${line}\n`);
    return 0;
  }
  const summary = await sim.close();
  if (summary) io.stderr.write(`${cli.name}: ${summary}\n`);
  return 0;
}

/** The version in the `package.json` beside the script node runs (through any `.bin` link). */
function versionBesideScript(): string | undefined {
  const script = process.argv[1];
  if (!script) return undefined;
  try {
    const json = JSON.parse(readFileSync(join(dirname(realpathSync(script)), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof json.version === 'string' ? json.version : undefined;
  } catch {
    // Run from somewhere without a package.json beside it (a test runner): no version to show.
    return undefined;
  }
}

/** Reads an integer option: the number, or a message naming the option and the range. */
export function integerOption(values: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number | string {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : `--${name} ${String(raw)}: give a whole number from ${min} to ${max}`;
}
