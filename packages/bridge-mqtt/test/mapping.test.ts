import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMapping } from '@fieldbridge/core';
import { describeRefusals } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { describeMqtt, mqttBridge } from '../src/bridge.js';
import type { MqttConfig } from '../src/config.js';

const example = fileURLToPath(new URL('../../../examples/mqtt/map.yaml', import.meta.url));

describeRefusals(mqttBridge, new URL('./fixtures/bad/', import.meta.url), [
  ['unknown-key.yaml', 7, 7, 'mqtt.subscriptions[0].qos_level', /unknown key/],
  ['bad-topic.yaml', 5, 14, 'mqtt.subscriptions[0].topic', /"#" must be a whole level and the last one/],
  ['amqp-wildcard.yaml', 5, 16, 'mqtt.subscriptions[0].topic', /"\*" is no MQTT wildcard .*e\.g\. plant\/\+\/temp$/],
  ['bad-path.yaml', 7, 14, 'mqtt.subscriptions[0].value', /JSON path "\$\.reading\.\.value": expected a key after "\." at character 11/],
  ['bad-placeholder.yaml', 6, 15, 'mqtt.subscriptions[0].metric', /\{topic\.3\}: topics matching "plant\/\+\/env" have 3 levels \(numbered from 0\)/],
  ['sparkplug-value.yaml', 7, 14, 'mqtt.subscriptions[0].value', /value applies to format json, not sparkplug/],
  ['number-optional.yaml', 7, 17, 'mqtt.subscriptions[0].optional', /optional applies to format json, not number/],
  ['persistent-no-id.yaml', 4, 10, 'mqtt.clean', /a persistent session \(clean: false\) needs a fixed client_id/],
  ['bad-url.yaml', 3, 8, 'mqtt.url', /url scheme "tcp:" is not one of mqtt:\/\/, mqtts:\/\/, ws:\/\/, wss:\/\/: write mqtt:\/\/127\.0\.0\.1:1883$/],
  // The README once said to read a bare on/off with format: text; type does not apply there, and the message says what does.
  ['text-type-boolean.yaml', 7, 13, 'mqtt.subscriptions[0].type', /type applies to format json; a payload that is the bare word \(on\/off, true\/false, 1\/0\) is format: boolean: write that instead of format: text and type/],
  // A word that means on and off at once: its list element is named.
  ['switch-word-both-sides.yaml', 9, 28, 'mqtt.subscriptions[0].payload_off[1]', /payload_off: "opened" is in payload_on too: a word means on or off, not both/],
  ['missing-metric.yaml', 5, 7, 'mqtt.subscriptions[0].metric', /metric is required for format number/],
  // The object form of a path-or-object key: its wrong member is named, not a bare "Invalid input".
  ['bad-unit.yaml', 8, 38, 'mqtt.subscriptions[0].timestamp.unit', /unit must be one of ms, s, us, ns, iso8601/],
  ['bad-time-zone.yaml', 8, 45, 'mqtt.subscriptions[0].timestamp.time_zone', /not a time zone: use local, UTC, an IANA name \(Europe\/Berlin\) or an offset \(\+02:00\)/],
  ['time-zone-epoch.yaml', 8, 59, 'mqtt.subscriptions[0].timestamp.time_zone', /time_zone applies to unit iso8601 \(dates written without a zone\); a number of s since the epoch is UTC already: remove time_zone/],
  ['field-tags-crowd.yaml', 11, 39, 'mqtt.subscriptions[0].fields.humidity.tags', /^its points would carry 17 tags, more than the 16 a point may have: the file's 14 \(tags:\), 3 given here/],
  // A later filter the earlier one covers: its messages went to the earlier rule, and it read nothing, unsaid.
  ['shadowed-filter.yaml', 6, 16, 'mqtt.subscriptions[1].topic', /^every topic "plc\/line1\/counter" matches is taken by subscriptions\[0\] \("plc\/line1\/#"\) first, .*Move it above subscriptions\[0\]/],
  ['sparkplug-file-tags.yaml', 2, 7, 'tags', /^the points of mqtt\.subscriptions\[0\] would carry 17 tags, .*: the file's 14 \(tags:\), group, edge_node and device \(added by the mqtt bridge\)/],
]);

// Other tools' key names are answered with ours: ThingsBoard's topicFilter got "keys are snake_case: topic_filter?", no key either.
describe('a mapping written with another tool\'s key names', () => {
  it.each([
    ['thingsboard-keys.yaml', /thingsboard-keys\.yaml:5:7 mqtt\.subscriptions\[0\]\.topicFilter: unknown key \(did you mean topic\?\)/],
    ['telegraf-keys.yaml', /telegraf-keys\.yaml:3:3 mqtt\.servers: unknown key \(did you mean url\?\)/],
  ])('%s names our key', (file, message) => {
    const path = fileURLToPath(new URL(`./fixtures/bad/${file}`, import.meta.url));
    expect(() => parseMapping(readFileSync(path, 'utf8'), path, mqttBridge, {})).toThrow(message);
  });
});

describe('examples/mqtt/map.yaml', () => {
  it('loads, with the environment filling the broker URL', () => {
    const config = parseMapping(readFileSync(example, 'utf8'), example, mqttBridge, { MQTT_URL: 'mqtt://broker.local:1884' });
    expect(config.source_id).toBe('plant-a-mqtt');
    expect((config.mqtt as MqttConfig).url).toBe('mqtt://broker.local:1884');
  });

  it('describes the connection and every subscription for --check, without secrets', () => {
    const config = parseMapping(readFileSync(example, 'utf8'), example, mqttBridge, { MQTT_PASSWORD: 's3cret', MQTT_USERNAME: 'bridge' });
    const lines = describeMqtt(config.mqtt as MqttConfig);
    expect(lines[0]).toBe('broker mqtt://127.0.0.1:1883 (MQTT 3.1.1, client id fieldbridge-plant-a, persistent session, keepalive 30 s, user bridge with a password, reconnect 500-30000 ms, packets up to 1MiB)');
    expect(lines.join('\n')).not.toContain('s3cret');
    expect(lines.slice(1).map((l) => l.trim().split(' (')[0])).toEqual(['plant/+/+/temperature', 'plant/+/env', 'plant/+/+/counter', 'spBv1.0/plant-a/#']);
  });
});
