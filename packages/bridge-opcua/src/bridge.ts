import { defineBridge, packageVersion } from '@fieldbridge/core/bridge';
import { BROWSE_OPTIONS, handleBrowse } from './browse-command.js';
import { checkOpcua } from './check.js';
import { opcuaConfigSchema } from './config.js';
import { CONNECTION_DEFAULTS } from './connect-options.js';
import { describeOpcua } from './describe.js';
import { OPCUA_DEFAULTS } from './plan.js';
import { opcuaPointTags } from './point-tags.js';
import { createOpcuaSource } from './source.js';
import { OPCUA_STARTER } from './starter.js';

/**
 * The OPC UA bridge: the `opcua:` section's schema, its checks and how to run it. Run it with the
 * core's `startBridge(opcuaBridge, config)` or from the command line (`bridge-opcua --config FILE`,
 * `--browse [node] [--emit-mapping]`).
 */
export const opcuaBridge = defineBridge({
  name: 'opcua',
  version: packageVersion(import.meta.url),
  configSchema: opcuaConfigSchema,
  check: checkOpcua,
  pointTags: opcuaPointTags,
  describe: describeOpcua,
  starter: () => OPCUA_STARTER,
  create: (config, ctx) => createOpcuaSource(config, ctx),
  // Loading node-opcua (1-4 s), a first certificate (up to 4 s), the connect steps, then the
  // first publish: --once waits for all of it by default.
  onceTimeoutMs: (config) =>
    10_000 + 2 * (config.connect_timeout_ms ?? CONNECTION_DEFAULTS.connectTimeoutMs) + 2 * (config.publishing_interval_ms ?? OPCUA_DEFAULTS.publishingIntervalMs),
  cli: { options: BROWSE_OPTIONS, handle: handleBrowse },
});
