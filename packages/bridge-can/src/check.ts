import type { SectionIssue } from '@fieldbridge/core/bridge';
import type { CanConfig } from './config.js';
import { loadDbcFilesSync } from './dbc/load-dbc.js';
import { planCan } from './decode-plan.js';
import { LOG_EXTENSIONS, logSource } from './log-files.js';
import { undatedLogProblem } from './log-start.js';
import { resolveCanConfig } from './resolve.js';

/**
 * The checks of a `can:` section the schema cannot express (`definition.check`), everything a
 * run would refuse: the interface, a log file that is not there, keys of the other kind of
 * interface, placeholders, filter ids, tag counts, a replay speed without the recorded pace,
 * a Vector ASC or PEAK TRC log without a start read with its own times, DBC files that cannot
 * be read or define no message, include and exclude patterns and
 * `per_signal` entries that match nothing, metric names that collide. Problems inside the DBC text are not refused (the run reports them and goes on).
 * Reads the files, synchronously; paths are relative to the working directory.
 */
export function checkCan(section: CanConfig): SectionIssue[] {
  const resolved = resolveCanConfig(section);
  if (!resolved.ok) return resolved.issues;
  const config = resolved.config;
  const issues: SectionIssue[] = [];
  if (section.replay?.speed !== undefined && section.replay.pace !== 'recorded') {
    issues.push({ path: ['replay', 'speed'], message: 'speed applies to pace: recorded; the default pace, fast, reads frames as fast as they are taken' });
  }
  if (config.spec.kind === 'file') {
    const path = config.spec.path;
    const source = logSource(path);
    if (source.kind === 'missing') {
      issues.push({ path: ['interface'], message: `the log ${path} ${source.why} (relative paths are read from the working directory, ${process.cwd()}); bridge-can-sim --out FILE writes one`, runOnly: true });
    } else if (source.kind === 'file' && config.replay.timestamps === 'log') {
      // Every line would be skipped and the run would end at once, sending nothing. --scan still reads it (runOnly).
      const undated = undatedLogProblem(path, config.replay.timeZone);
      if (undated) issues.push({ path: ['interface'], message: undated, runOnly: true });
    } else if (source.kind === 'folder') {
      if (source.files.length === 0) issues.push({ path: ['interface'], message: `the folder ${path} holds no log (${LOG_EXTENSIONS.join(', ')})`, runOnly: true });
      if (config.replay.loop) issues.push({ path: ['replay', 'loop'], message: 'loop replays one log again and again; a folder of logs is replayed once' });
    }
  }
  let loaded;
  try {
    loaded = loadDbcFilesSync(config.dbc);
  } catch (err) {
    const index = config.dbc.findIndex((f) => (err as Error).message.includes(f));
    issues.push({ path: typeof section.dbc === 'string' || index < 0 ? ['dbc'] : ['dbc', index], message: (err as Error).message });
    return issues;
  }
  issues.push(...planCan(loaded.database, config, loaded.problems).issues);
  return issues;
}
