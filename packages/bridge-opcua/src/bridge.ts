import { defineBridge, formatDuration, packageVersion } from '@fieldbridge/core/bridge';
import { BROWSE_OPTIONS, handleBrowse } from './browse-command.js';
import { checkOpcua } from './check.js';
import { opcuaConfigSchema } from './config.js';
import { CONNECTION_DEFAULTS } from './connect-options.js';
import { describeOpcua } from './describe.js';
import { OPCUA_DEFAULTS } from './plan.js';
import { opcuaPointTags } from './point-tags.js';
import { createOpcuaSource } from './source.js';
import { OPCUA_STARTER } from './starter.js';
import { OPCUA_OTHER_NAMES } from './other-names.js';

/**
 * The default `--once` wait, in ms: loading node-opcua (1-4 s), a first certificate (up to 4 s),
 * the connect steps, then the first publish.
 */
function onceWaitMs(connectTimeoutMs: number, publishingIntervalMs: number): number {
  return 10_000 + 2 * connectTimeoutMs + 2 * publishingIntervalMs;
}

/**
 * The OPC UA bridge: the `opcua:` section's schema, its checks and how to run it. Run it with the
 * core's `startBridge(opcuaBridge, config)` or from the command line (`bridge-opcua --config FILE`,
 * `--browse [node] [--emit-mapping]`).
 */
export const opcuaBridge = defineBridge({
  name: 'opcua',
  version: packageVersion(import.meta.url),
  reads: "an OPC UA server's variables and events",
  otherNames: OPCUA_OTHER_NAMES,
  configSchema: opcuaConfigSchema,
  check: checkOpcua,
  pointTags: opcuaPointTags,
  describe: describeOpcua,
  starter: () => OPCUA_STARTER,
  create: (config, ctx) => createOpcuaSource(config, ctx),
  onceTimeoutMs: (config) => onceWaitMs(config.connect_timeout_ms ?? CONNECTION_DEFAULTS.connectTimeoutMs, config.publishing_interval_ms ?? OPCUA_DEFAULTS.publishingIntervalMs),
  onceTimeoutText: `${formatDuration(onceWaitMs(CONNECTION_DEFAULTS.connectTimeoutMs, OPCUA_DEFAULTS.publishingIntervalMs))} with the default timeouts: 10s plus twice connect_timeout_ms and publishing_interval_ms`,
  cli: { options: BROWSE_OPTIONS, handle: handleBrowse },
});
