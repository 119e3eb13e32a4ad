import { resolve } from 'node:path';
import { createLogger, createSink, DEFAULT_SHUTDOWN_TIMEOUT_MS, isFieldbridgeError, sinkOptionsFromConfig, type MultiFileConfig, type Point, type Sink } from '@fieldbridge/core';
import { pointToResend, readRecordLine } from './dead-letter-record.js';
import type { Io } from './io.js';
import { numberedLines } from './ndjson-lines.js';
import { readFiles } from './read-files.js';
import { deadLetterFilesOf } from './resend-default-files.js';
import { openRefusedFile, type RefusedFile } from './refused-file.js';
import { checkResendOptions, type ResendFlags, type ResendOptions } from './resend-options.js';
import { createResendTally, plural, printable, type ResendTally } from './resend-tally.js';

/** Longest line read as a record: a record holds at most a 16 KiB point and a 1,000-character reason. */
const MAX_LINE_CHARS = 1024 * 1024;

/**
 * `fieldbridge resend FILE... --config MAP`: sends the points of dead-letter files again through
 * a sink made from the mapping's `sink:` section, each under the source it was sent for and at
 * its own time, into a memory spool (a running bridge may hold the mapping's). Points refused
 * again go to a dead-letter file of their own, never to a file being read; the files read are
 * never changed. `--reason` selects records, `--dry-run` only counts them. Resolves with the exit
 * code: 0 when every selected record was sent, 1 otherwise, 2 for a usage or configuration error.
 */
export async function resendCommand(given: readonly string[], flags: ResendFlags, io: Io): Promise<number> {
  if (given.length === 0) {
    const found = await filesOfMapping(flags, io);
    if (typeof found === 'number') return found;
    given = found;
  }
  const options = checkResendOptions(given, flags, io);
  if (typeof options === 'string') {
    io.stderr.write(`fieldbridge resend: ${options}\n`);
    return 2;
  }
  let config: MultiFileConfig | undefined;
  if (options.config !== undefined) {
    const read = await readFiles([options.config], io);
    if (typeof read === 'number') return read;
    config = read[0]!.config;
  }
  const tally = createResendTally(io.stderr);
  if (options.dryRun || config === undefined) {
    await readAll(options, io, tally, () => undefined);
    io.stdout.write(`would send ${plural(tally.selectedCount, 'point')}${options.config ? ` through the sink of ${options.config}` : ''}:\n${tally.breakdown()}nothing was sent (--dry-run)\n`);
    return tally.skippedCount > 0 ? 1 : 0;
  }
  return send(options, config, io, tally);
}

/**
 * No files named: the dead-letter files the sink of the mapping (`--config`, or
 * `$FIELDBRIDGE_CONFIG`) writes, said on stderr; an exit code when there is no mapping (2) or no
 * such file (0: nothing was refused).
 */
async function filesOfMapping(flags: ResendFlags, io: Io): Promise<string[] | number> {
  const mapping = flags.config ?? io.env.FIELDBRIDGE_CONFIG;
  if (mapping === undefined) {
    io.stderr.write('fieldbridge resend: name the dead-letter files to send again (fieldbridge resend ./spool/dead-letter.ndjson --config map.yaml), or give --config map.yaml alone to send those its sink wrote\n');
    return 2;
  }
  const read = await readFiles([mapping], io);
  if (typeof read === 'number') return read;
  const { path, files } = deadLetterFilesOf(read[0]!.config, io.cwd ?? process.cwd());
  if (files.length === 0) {
    io.stderr.write(`fieldbridge resend: ${path}, the dead-letter file of the sink of ${mapping}, does not exist: it has refused nothing\n`);
    return 0;
  }
  io.stderr.write(`fieldbridge resend: ${files.join(' and ')}, the dead-letter file${files.length === 1 ? '' : 's'} of the sink of ${mapping}\n`);
  return files;
}

async function send(options: ResendOptions, config: MultiFileConfig, io: Io, tally: ResendTally): Promise<number> {
  let refused: RefusedFile;
  try {
    refused = openRefusedFile(resolve(io.cwd ?? process.cwd(), options.refusedTo));
  } catch (err) {
    io.stderr.write(`fieldbridge resend: cannot write the file for points refused again, ${options.refusedTo} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); name another with --refused-to\n`);
    return 2;
  }
  let sink: Sink;
  try {
    sink = createResendSink(config, refused.path, options.logLevel, io);
  } catch (err) {
    if (!isFieldbridgeError(err)) throw err;
    refused.removeIfUnused();
    io.stderr.write(`fieldbridge resend: ${options.config}: ${(err as Error).message}\n`);
    return 2;
  }
  let authFailure: string | undefined;
  // The message names the status already where the receiver's answer did (`HTTP 401: ...`).
  sink.on('auth_failed', ({ status, message }) => (authFailure = status === undefined || message.startsWith(`HTTP ${status}`) ? message : `HTTP ${status}: ${message}`));
  let written = 0;
  try {
    await readAll(options, io, tally, async (point) => {
      if (sink.status().backpressured) await sink.whenWritable?.();
      sink.write(point);
      written += 1;
    });
  } catch (err) {
    // A file that fails mid-way (an I/O error): what was taken is still in the files; stop at once.
    await sink.close({ timeoutMs: 0 });
    refused.removeIfUnused();
    throw err;
  }
  const timeoutMs = options.timeoutMs ?? config.sink.shutdown_timeout_ms ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const { lost: left } = await sink.close({ timeoutMs, undeliveredHeldBy: options.files.length === 1 ? options.files[0] : 'the files read' });
  const receiver = sink.status();
  const refusedAgain = await refused.recordsSince();
  refused.removeIfUnused();
  const sent = Math.max(0, written - refusedAgain - left);
  const out = [`sent ${plural(sent, 'point')} through the sink of ${options.config}`];
  out.push(refusedAgain > 0 ? `refused again: ${refusedAgain}, written with the receiver's reason to ${options.refusedTo}` : 'refused again: 0');
  if (left > 0) {
    // A longer wait cannot help a refused key or a receiver that is not there: what helps is said.
    const why = authFailure
      ? `the receiver refused the API key (${printable(authFailure, 200)}); they are still in the files read: fix sink.api_key (or its write scope) in ${options.config} and run this again`
      : receiver.receiver === 'down'
        ? `not delivered within ${timeoutMs} ms, the receiver ${printable(config.sink.url, 200)} not taking them (${printable(receiver.receiverReason ?? 'no answer', 200)}); they are still in the files read: once it takes data (is it running, and is that sink.url in ${options.config} right?), run this again`
        : `not delivered within ${timeoutMs} ms; they are still in the files read: a run with a longer --timeout sends them`;
    out.push(`left: ${left}, ${why} (a run sends again what was sent too; narrow it with --reason)`);
  } else out.push('left: 0');
  out.push(`${options.files.join(', ')} ${options.files.length === 1 ? 'was' : 'were'} not changed: remove ${options.files.length === 1 ? 'it' : 'them'} once you are satisfied with what the receiver holds`);
  io.stdout.write(`${out.join('\n')}\n`);
  return refusedAgain + left + tally.skippedCount > 0 ? 1 : 0;
}

/**
 * A sink like the mapping's, with a memory spool (a running bridge may hold the mapping's, and
 * what a resend leaves is still in its files) that takes everything read, and its dead-letter
 * file unrotated (so every refusal of this run stays in it to be counted). Over WebSocket it
 * speaks for the mapping's install (its `device.json`, read only): a new install would be
 * given another source id (`line-1-2`) by a server that saw the bridge's.
 */
function createResendSink(config: MultiFileConfig, refusedPath: string, logLevel: string | undefined, io: Io): Sink {
  const base = sinkOptionsFromConfig(config);
  const logger = createLogger({ name: 'fieldbridge resend', level: (logLevel ?? 'warn') as 'warn', stderr: io.stderr });
  return createSink({
    ...base,
    buffer: { whenFull: 'block' },
    // The running bridge's install and assigned source id, its file left to it: a new install would be given another source id.
    websocket: { ...base.websocket, statePath: base.websocket?.statePath ?? base.buffer?.path, stateReadOnly: true },
    deadLetterPath: refusedPath,
    // The largest the mapping schema allows: the file is not rotated within a run, so every record of it is counted.
    deadLetterMaxBytes: 64 * 1024 ** 3,
    logger,
  });
}

/** Reads every file, counting and reporting its lines, and hands each point selected to `take`. */
async function readAll(options: ResendOptions, io: Io, tally: ResendTally, take: (point: Point) => void | Promise<void>): Promise<void> {
  for (const file of options.files) {
    for await (const line of numberedLines(resolve(io.cwd ?? process.cwd(), file), MAX_LINE_CHARS)) {
      if (line.tooLong) {
        tally.skipped(file, line.line, `not a dead-letter record: longer than ${MAX_LINE_CHARS} characters`);
        continue;
      }
      if (line.text.trim() === '') continue;
      const read = readRecordLine(line.text);
      if (read.problem !== undefined) {
        tally.skipped(file, line.line, `not a dead-letter record: ${read.problem}`);
        continue;
      }
      if (options.reason && !options.reason.test(read.record.reason)) {
        tally.leftOut();
        continue;
      }
      const point = pointToResend(read.record);
      if (typeof point === 'string') {
        tally.skipped(file, line.line, point);
        continue;
      }
      tally.selected(read.record.reason, typeof point.source_id === 'string' ? point.source_id : read.record.sourceId);
      await take(point);
    }
    io.stdout.write(`${tally.fileLine(file)}\n`);
  }
}
