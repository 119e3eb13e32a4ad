import { isAbsolute, resolve } from 'node:path';
import { presentSections, type MultiFileConfig } from '../config/file-schema.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';
import { describeRules } from '../runtime/rules-from-config.js';
import { describeSink } from '../runtime/sink-from-config.js';
import { describeProxy } from '../transport/proxy-env.js';

/**
 * The `--check` report: the file is valid, and what would be read and where it would go (through
 * which proxy `env` names for the sink, redacted); one block per bridge section the file holds.
 * `env` defaults to `process.env`.
 */
export function formatCheck(definitions: BridgeDefinition | readonly BridgeDefinition[], file: string, config: MultiFileConfig, env: NodeJS.ProcessEnv = process.env): string {
  const lines = [
    `${file}: ok`,
    `source_id: ${config.source_id}`,
    `sink: ${JSON.stringify(describeSink(config))}`,
  ];
  const spool = config.sink.buffer?.path;
  // A run started from another folder opens another spool, and the backlog of this one waits unsent.
  if (spool !== undefined && !isAbsolute(spool)) {
    lines.push(`  spool: ${resolve(spool)} (buffer.path ${spool} is read from the working directory: start every run from this folder, or write the path whole, so that a run sends what an earlier one kept)`);
  }
  if (config.sink.url !== 'stdout') lines.push(`  proxy: ${describeProxy(config.sink.url, env)}`);
  // Not an error (a receiver may take none), but the usual first 401: say it before the run does.
  // The sink reads no variable by itself, so a file without the key is not fixed by setting one.
  if (config.sink.url !== 'stdout' && config.sink.api_key === undefined) {
    lines.push('  note: the file sets no sink.api_key; a receiver that requires one answers 401 (add api_key: ${PLEXUS_API_KEY} under sink: and set that variable)');
  } else if (config.sink.url !== 'stdout' && !config.sink.api_key) {
    lines.push('  note: sink.api_key is empty (is the variable it reads set, PLEXUS_API_KEY in a starter?); a receiver that requires one answers 401');
  }
  if (config.tags) lines.push(`tags: ${JSON.stringify(config.tags)}`);
  if (config.observe) lines.push(`observe: http://${config.observe.listen} (/healthz /readyz /metrics)`);
  if (config.rules?.length) lines.push('rules:', ...describeRules(config.rules).map((line) => `  ${line}`));
  const where = config.sink.buffer?.path === undefined ? {} : { stateDir: config.sink.buffer.path };
  for (const definition of presentSections(Array.isArray(definitions) ? definitions : [definitions as BridgeDefinition], config)) {
    lines.push(`${definition.name}:`);
    for (const line of definition.describe(config[definition.name], where)) lines.push(`  ${line}`);
  }
  return `${lines.join('\n')}\n`;
}
