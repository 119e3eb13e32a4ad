/**
 * What Telegraf's opcua input and ThingsBoard's OPC-UA connector call keys of an opcua entry, by
 * ours: Telegraf's `name` and ThingsBoard's `key` are our `metric`; Telegraf's `namespace`,
 * `identifier_type` and `identifier` are written together as one `node_id`
 * (`ns=2;s=Boiler.Temperature`); ThingsBoard's `path` is a `browse_path` (or a `node_id`).
 */
export const OPCUA_OTHER_NAMES: Readonly<Record<string, string>> = {
  name: 'metric',
  key: 'metric',
  namespace: 'node_id',
  identifier_type: 'node_id',
  identifier: 'node_id',
  path: 'browse_path',
};
