import type { OpcuaConnection } from './connection.js';
import { statusNamesFrom } from './quality.js';
import type { RecordOptions } from './records.js';

// Built once per loaded node-opcua module: every subscription of a process shares them.
const statusNameTables = new WeakMap<object, ReadonlyMap<number, string>>();
const eventTypeTables = new WeakMap<object, ReadonlyMap<string, string>>();

/**
 * What the records of `connection`'s notifications are decoded with: the names of the status
 * codes and of the standard event types (from node-opcua's tables, built once) and the server's
 * namespace table as it is when the returned function is called.
 */
export function recordOptionsFor(connection: OpcuaConnection): () => RecordOptions {
  const { opcua } = connection;
  let statusNames = statusNameTables.get(opcua);
  if (!statusNames) statusNameTables.set(opcua, (statusNames = statusNamesFrom(opcua.StatusCodes)));
  let eventTypeNames = eventTypeTables.get(opcua);
  if (!eventTypeNames) {
    eventTypeNames = new Map(Object.entries(opcua.ObjectTypeIds).flatMap(([name, id]) => (typeof id === 'number' ? [[`i=${id}`, name] as const] : [])));
    eventTypeTables.set(opcua, eventTypeNames);
  }
  const fixed = { statusNames, eventTypeNames };
  return () => ({ ...fixed, namespaces: connection.namespaces() });
}
