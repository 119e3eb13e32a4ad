import type { BridgeCliIo, BridgeCliOption } from '@fieldbridge/core/bridge';
import { browseAddressSpace, DEFAULT_BROWSE_NODES, MAX_BROWSE_NODES } from './browse.js';
import { formatBrowseMapping, formatBrowseText } from './browse-format.js';
import { connectOpcua } from './client.js';
import type { OpcuaConfig } from './config.js';
import { connectOptionsOf } from './connect-options.js';
import { isOpcuaBridgeError, messageOf } from './errors.js';

/** The options `bridge-opcua` adds to the common ones. */
export const BROWSE_OPTIONS: BridgeCliOption[] = [
  {
    flags: '--browse [node]',
    inspects: true,
    description:
      'connect with the mapping\'s endpoint, security, login and PKI, print the address space below a node (a node id or a browse path; default Objects): node ids with namespace URIs, browse names, data types, access levels, current values; then exit',
  },
  { flags: '--emit-mapping', description: 'with --browse: print the readable variables as nodes: entries to paste into the mapping instead' },
  { flags: '--depth <levels>', description: 'with --browse: levels below the node to list (1-10, default 3)' },
  { flags: '--limit <nodes>', description: `with --browse: most nodes to list (1-${MAX_BROWSE_NODES}, default ${DEFAULT_BROWSE_NODES})` },
];

/**
 * `--browse [node] [--emit-mapping] [--depth N] [--limit N]`: one connect (no retries: the answer is for a
 * person waiting), a bounded walk of the address space, the listing or the `nodes:` entries on
 * stdout. Resolves with the exit code (0, 1 when the server cannot be reached or browsed, 2 for
 * a wrong option or start node), or undefined without `--browse`.
 */
export async function handleBrowse(options: Record<string, unknown>, config: OpcuaConfig, io: BridgeCliIo): Promise<number | undefined> {
  if (options.browse === undefined) {
    if (options.emitMapping || options.depth !== undefined || options.limit !== undefined) {
      io.stderr.write('--emit-mapping, --depth and --limit go with --browse\n');
      return 2;
    }
    return undefined;
  }
  const depth = options.depth === undefined ? 3 : Number(options.depth);
  if (!Number.isInteger(depth) || depth < 1 || depth > 10) {
    io.stderr.write(`--depth ${String(options.depth)}: give a whole number from 1 to 10\n`);
    return 2;
  }
  const limit = options.limit === undefined ? DEFAULT_BROWSE_NODES : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BROWSE_NODES) {
    io.stderr.write(`--limit ${String(options.limit)}: give a whole number from 1 to ${MAX_BROWSE_NODES}\n`);
    return 2;
  }
  const start = typeof options.browse === 'string' ? options.browse : undefined;
  let connection;
  try {
    connection = await connectOpcua(connectOptionsOf(config, io.logger, io.stateDir, Date.now));
  } catch (err) {
    io.stderr.write(`bridge-opcua --browse: ${messageOf(err)}\n`);
    return 1;
  }
  try {
    const result = await browseAddressSpace(connection, { maxDepth: depth, maxNodes: limit, ...(start === undefined ? {} : { start }) });
    io.stdout.write(options.emitMapping ? formatBrowseMapping(result) : formatBrowseText(result));
    return 0;
  } catch (err) {
    io.stderr.write(`bridge-opcua --browse: ${messageOf(err)}\n`);
    return isOpcuaBridgeError(err, 'NODE_INVALID') ? 2 : 1;
  } finally {
    await connection.close();
  }
}
