import { describe, expect, it } from 'vitest';
import { checkMqttSection } from '../src/check.js';
import { mqttConfigSchema } from '../src/config.js';
import { resolveSubscriptions } from '../src/resolve.js';

/** The issues the schema and then the definition's check report, as `path: message` lines (as the mapping loader runs them). */
function issues(section: unknown): string[] {
  const result = mqttConfigSchema.safeParse(section);
  if (!result.success) return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  return checkMqttSection(result.data).map((i) => `${i.path.join('.')}: ${i.message}`);
}

const url = 'mqtt://127.0.0.1:1883';
const sub = (extra: Record<string, unknown>) => ({ url, subscriptions: [{ topic: 'a/+', metric: 'm', ...extra }] });

describe('the mqtt: section', () => {
  it('warns of a shared Sparkplug subscription, whose births and DATA would reach different members of the group', () => {
    const shared = checkMqttSection(mqttConfigSchema.parse({ url, subscriptions: [{ topic: '$share/ingest/spBv1.0/plant-a/#', format: 'sparkplug' }] }));
    expect(shared).toEqual([
      expect.objectContaining({ path: ['subscriptions', 0, 'topic'], warning: true, message: expect.stringMatching(/^a shared Sparkplug subscription \(\$share\/ingest\/\) hands each edge node's messages .* subscribe to spBv1\.0\/plant-a\/# without the \$share prefix/) }),
    ]);
    expect(checkMqttSection(mqttConfigSchema.parse({ url, subscriptions: [{ topic: 'spBv1.0/plant-a/#', format: 'sparkplug' }, { topic: '$share/ingest/plant/+/temp', metric: 'm' }] }))).toEqual([]);
  });

  it('applies defaults when resolving', () => {
    const [resolved] = resolveSubscriptions(mqttConfigSchema.parse({ url, subscriptions: [{ topic: 'a/+', metric: '{topic.1}' }] }));
    expect(resolved).toMatchObject({ name: 'a/+', qos: 1, format: 'json', timestamp: undefined, rebirth: false });
    expect(resolved?.values.map((v) => [v.path.source, v.type])).toEqual([['$', 'number']]);
    const [sparkplug] = resolveSubscriptions(mqttConfigSchema.parse({ url, subscriptions: [{ topic: 'spBv1.0/#', format: 'sparkplug' }] }));
    expect([sparkplug?.metric?.source, sparkplug?.stateMetric?.source]).toEqual(['{group}.{edge_node}.{device}.{name}', '{group}.{edge_node}.{device}.state']);
  });

  it.each([
    [sub({ fields: { t: '$.t' }, value: '$.v' }), 'subscriptions.0.value: use value (one point per message) or fields (several), not both'],
    [sub({ format: 'text', timestamp: '$.ts' }), 'subscriptions.0.timestamp: timestamp applies to format json, not text'],
    [sub({ state_metric: 's' }), 'subscriptions.0.state_metric: state_metric applies to format sparkplug, not json'],
    [sub({ rebirth: true }), 'subscriptions.0.rebirth: rebirth applies to format sparkplug, not json'],
    [sub({ metric: '{field}' }), 'subscriptions.0.metric: {field} is only available with fields'],
    [sub({ metric: '{edge_node}' }), 'subscriptions.0.metric: {edge_node} is only available with format sparkplug'],
    [sub({ format: 'number', metric: '{json.x}' }), 'subscriptions.0.metric: {json.x} needs format json'],
    [sub({ tags: { line: '{topic.2}' } }), 'subscriptions.0.tags.line: {topic.2}: topics matching "a/+" have 2 levels (numbered from 0)'],
    [sub({ timestamp: { path: '$.ts', unit: 'min' } }), 'subscriptions.0.timestamp: Invalid input'],
    [sub({ qos: 3 }), 'subscriptions.0.qos: qos must be 0, 1 or 2'],
    [sub({ fields: { 'bad name': '$.x' } }), 'subscriptions.0.fields.bad name: field name "bad name": use letters, digits, ".", "_" and "-" (it becomes part of metric names)'],
    [sub({ fields: { t: { value: '$.t', metric: '{topic.1}.{nope}' } } }), expect.stringContaining('subscriptions.0.fields.t.metric: unknown placeholder {nope}')],
    [{ url, subscriptions: [{ topic: 'a/+', fields: { t: '$.t' } }] }, 'subscriptions.0.metric: metric is required (a template using {field}), unless every field names its own metric'],
    [{ url, subscriptions: [{ topic: 'a', metric: 'x' }, { topic: 'a', metric: 'y' }] }, expect.stringMatching(/^subscriptions\.1\.topic: subscriptions\[0\] already subscribes to this topic/)],
    [{ url: 'mqtt://h', tls: { ca: 'x.pem' }, subscriptions: [{ topic: 'a', metric: 'x' }] }, 'tls: tls applies to mqtts:// and wss:// only, and the url is mqtt://'],
    [{ url: 'mqtts://h', tls: { ca: '/nonexistent/ca.pem' }, subscriptions: [{ topic: 'a', metric: 'x' }] }, expect.stringMatching(/^tls\.ca: file \/nonexistent\/ca\.pem not found/)],
    [{ url: 'mqtts://h', tls: { cert: '-----BEGIN CERTIFICATE-----' }, subscriptions: [{ topic: 'a', metric: 'x' }] }, 'tls.cert: a client certificate needs both cert and key'],
    [{ url, session_expiry_s: 60, subscriptions: [{ topic: 'a', metric: 'x' }] }, expect.stringContaining('session_expiry_s: session_expiry_s is an MQTT 5 setting')],
    [{ url: 'mqtt://user:pw@h', subscriptions: [{ topic: 'a', metric: 'x' }] }, 'url: put credentials in username and password (from ${VAR}), not in the url'],
    [{ url, reconnect: { initial_ms: 5000, max_ms: 100 }, subscriptions: [{ topic: 'a', metric: 'x' }] }, 'reconnect.initial_ms: initial_ms must not exceed max_ms'],
    [sub({ format: 'boolean', payload_on: 'OFF ' }), 'subscriptions.0.payload_on: payload_on: "off" is read as off already (on/off, true/false and 1/0 are built in): it cannot also mean on'],
    [sub({ format: 'boolean', payload_on: ['open'], payload_off: ['shut', '1'] }), 'subscriptions.0.payload_off.1: payload_off: "1" is read as on already (on/off, true/false and 1/0 are built in): it cannot also mean off'],
    [sub({ format: 'boolean', payload_on: ['open', 'ajar'], payload_off: ['Ajar'] }), 'subscriptions.0.payload_off.0: payload_off: "ajar" is in payload_on too: a word means on or off, not both'],
    [sub({ format: 'boolean', payload_on: ' ' }), 'subscriptions.0.payload_on: payload_on: an empty word matches no payload: remove it, or write the word the device sends'],
    [sub({ format: 'boolean', payload_on: true }), 'subscriptions.0.payload_on: payload_on must be a word or a list of words (at most 16), e.g. open'],
    [sub({ format: 'text', payload_on: 'open' }), 'subscriptions.0.payload_on: payload_on applies to format boolean (or json with type: boolean), not text'],
    [sub({ value: '$.contact', payload_off: 'closed' }), 'subscriptions.0.payload_off: payload_off names the words of a boolean, and this subscription reads none: add type: boolean (or type: boolean to the fields it is for)'],
    [sub({ fields: { battery: { value: '$.battery', payload_on: 'low' } }, metric: '{field}' }), 'subscriptions.0.fields.battery.payload_on: payload_on names the words of a boolean, and this field is read as number: add type: boolean'],
    [{ url, subscriptions: [] }, expect.stringContaining('subscriptions: no subscriptions: say what to read (bridge-mqtt --scan lists the topics on the broker')],
  ])('refuses %j', (section, expected) => {
    expect(issues(section)).toEqual([expected]);
  });

  it.each([
    [{ keepalive_s: -1 }, 'keepalive_s: Too small: expected number to be >=0'],
    [{ keepalive_s: '20h' }, 'keepalive_s: must be at most 65535s (range 0..65535s)'],
    [{ connect_timeout_ms: '1d' }, 'connect_timeout_ms: must be at most 10m (range 100ms..10m)'],
    [{ max_packet_size: '512MiB' }, 'max_packet_size: must be at most 256MiB (range 1KiB..256MiB)'],
    [{ once_timeout_ms: 50 }, 'once_timeout_ms: must be at least 100ms (range 100ms..1h)'],
    [{ reconnect: { initial_ms: '2h' } }, 'reconnect.initial_ms: must be at most 1h (range 10ms..1h)'],
  ])('bounds every duration and size: %j', (extra, expected) => {
    expect(issues({ url, subscriptions: [{ topic: 'a', metric: 'x' }], ...extra })).toEqual([expected]);
  });

  it('reads durations and sizes with their units, and today\'s bare numbers in the unit of the key', () => {
    const parse = (extra: Record<string, unknown>) => mqttConfigSchema.parse({ url, subscriptions: [{ topic: 'a', metric: 'x' }], ...extra });
    expect(parse({ keepalive_s: 30, session_expiry_s: '2h', connect_timeout_ms: 2500, once_timeout_ms: '30s', max_packet_size: '64KiB', reconnect: { initial_ms: '250ms', max_ms: 60_000 } })).toMatchObject({
      keepalive_s: 30_000,
      session_expiry_s: 7_200_000,
      connect_timeout_ms: 2500,
      once_timeout_ms: 30_000,
      max_packet_size: 65_536,
      reconnect: { initial_ms: 250, max_ms: 60_000 },
    });
    expect(issues({ url, subscriptions: [{ topic: 'a', metric: 'x', tags: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }] })).toEqual([
      'subscriptions.0.tags: at most 16 tags (the ingest service refuses more)',
    ]);
  });

  it('takes a subscription\'s switch words for its boolean fields when the subscription itself has no type', () => {
    const [resolved] = resolveSubscriptions(mqttConfigSchema.parse({ url, subscriptions: [{ topic: 'a/+', metric: 'door.{field}', payload_on: 'open', payload_off: 'close', fields: { door: { value: '$.state', type: 'boolean' }, battery: '$.battery' } }] }));
    expect(resolved?.values.map((v) => [v.field, v.type, v.words])).toEqual([
      ['door', 'boolean', { on: ['open'], off: ['close'] }],
      ['battery', 'number', undefined],
    ]);
  });

  it('accepts fields whose entries all name their metric, without a subscription metric', () => {
    expect(issues({ url, subscriptions: [{ topic: 'a', fields: { t: { value: '$.t', metric: 'temp' } } }] })).toEqual([]);
  });
});
