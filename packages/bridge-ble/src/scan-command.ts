import { durationOption, listenWindow, SCAN_DURATION, formatDuration, type BridgeCliIo, type BridgeCliOption, type ListenWindow } from '@fieldbridge/core/bridge';
import { explainAdapterError } from './adapter/adapter-errors.js';
import { loadNoble, type LoadedNoble } from './adapter/load-noble.js';
import { releaseBindings } from './adapter/noble-quirks.js';
import { createScanner } from './adapter/scanner.js';
import type { BleConfig } from './config.js';
import { createMatcher } from './match.js';
import { replayRecords } from './record/replay.js';
import { resolveBle, type ResolvedSource } from './resolve.js';
import { formatScan } from './scan-format.js';
import type { BleSourceOptions } from './source.js';
import { createSurvey, type Survey } from './survey.js';

/** The option `bridge-ble` adds to look at the air before writing `devices:`. */
export const SCAN_OPTION: BridgeCliOption = {
  flags: '--scan [duration]',
  inspects: true,
  description:
    'listen for DURATION (default 10s; Ctrl-C ends it early, with the list; a replay file is read to its end) and list every device heard: address, name, adverts, signal strength, the formats its adverts look like and the entry that maps it, then devices: entries for the ones not mapped yet; then exit',
};

/**
 * `--scan [duration]`: a survey of the air through the mapping's source (the adapter, or the
 * replay file read to its end, fast), printed by `formatScan`. Needs no `devices:` (it is how a
 * user finds them); those the mapping has are shown as what they map. Resolves with the exit
 * code (0; 1 when the adapter cannot be opened or the file read; 2 for a wrong duration), or
 * undefined without `--scan`.
 */
export async function handleScan(options: Record<string, unknown>, section: BleConfig, io: BridgeCliIo, sourceOptions: BleSourceOptions = {}): Promise<number | undefined> {
  if (options.scan === undefined) return undefined;
  const duration = durationOption(options.scan, SCAN_DURATION);
  if (!duration.ok) {
    io.stderr.write(`${duration.message}\n`);
    return 2;
  }
  const ms = duration.ms;
  const { config } = resolveBle(section);
  const survey = createSurvey(createMatcher(config.devices));
  try {
    const heardFrom = config.source.kind === 'replay' ? await surveyFile(config.source, survey, sourceOptions) : await surveyAir(config.source, survey, ms, io, sourceOptions);
    io.stdout.write(formatScan(survey.result(), { heardFrom }));
    return 0;
  } catch (err) {
    io.stderr.write(`bridge-ble --scan: ${(err as Error).message}\n`);
    return 1;
  }
}

/** Reads a record file to its end, as fast as it goes. */
async function surveyFile(source: Extract<ResolvedSource, { kind: 'replay' }>, survey: Survey, sourceOptions: BleSourceOptions): Promise<string> {
  const stdin = sourceOptions.stdin ?? process.stdin;
  const result = await replayRecords({
    source: source.file === '-' ? () => stdin : source.file,
    pace: 'fast',
    timestamps: 'recorded',
    onAdvert: (advert) => survey.advert(advert),
  });
  const bad = result.malformed > 0 ? `; ${result.malformed} lines that are not records skipped` : '';
  return `${source.file === '-' ? 'the record lines on standard input' : `the record file ${source.file}`}${bad}`;
}

/** Scans the adapter for `ms` (noble is loaded only here), then lets it go. */
async function surveyAir(source: Extract<ResolvedSource, { kind: 'adapter' }>, survey: Survey, ms: number, io: BridgeCliIo, sourceOptions: BleSourceOptions): Promise<string> {
  let loaded: LoadedNoble | undefined;
  let heard: ListenWindow | undefined;
  try {
    loaded = await loadNoble({ ...(sourceOptions.bindings ? { bindings: sourceOptions.bindings() } : {}), ...(source.hci !== undefined ? { deviceId: source.hci } : {}) });
    const scanner = createScanner(loaded, {
      mode: source.mode,
      maxDevices: source.maxDevices,
      onAdvert: (advert) => survey.advert(advert),
      onProblem: (kind, message) => io.logger.warn({ kind }, message),
      onStatus: (status, detail) => {
        if (status === 'powered_off') io.logger.warn(`the adapter is powered off${detail ? ` (${detail})` : ''}: nothing is heard until it is on`);
      },
    });
    await scanner.start();
    heard = await listenWindow(ms, { started: () => io.logger.info(`scanning for ${formatDuration(ms)}`) });
    await scanner.stop();
  } catch (err) {
    throw explainAdapterError(err);
  } finally {
    if (loaded) releaseBindings(loaded.bindings);
  }
  const adapter = source.hci === undefined ? 'the default adapter' : `hci${source.hci}`;
  return `${heard!.text} on ${adapter} (${source.mode} scan)`;
}
