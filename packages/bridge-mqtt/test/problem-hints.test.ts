// What a problem says is how a user fixes the mapping: "$.value: not in this payload" or
// "{"v":3} is not a number" left them to guess what the device sends.
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { section, startSource } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

const track = trackCleanups();
const broker = sharedMosquitto();

describe('a payload the mapping does not fit, from mosquitto', () => {
  it('is logged with what to write instead', async () => {
    const { t, subscribed } = await startSource(
      section({
        url: broker.url,
        subscriptions: [
          { topic: 'hints/json/+', metric: 'j.{topic.2}', value: '$.value' },
          { topic: 'hints/number/+', format: 'number', metric: 'n.{topic.2}' },
          { topic: 'hints/state/+', metric: 's.{topic.2}', value: '$.state' },
        ],
      }),
      {},
      track,
    );
    await subscribed();
    const pub = await broker.publisher(track);
    await pub.publish('hints/json/a', '{"Value": 21.5}');
    await pub.publish('hints/json/b', '21.5');
    await pub.publish('hints/number/a', '{"temperature": 21.5}');
    await pub.publish('hints/number/b', 'ON');
    await pub.publish('hints/state/a', '{"state": "ON"}');
    // Zigbee2MQTT deletes a removed device's retained message with an empty one: "Unexpected end of JSON input" said nothing of that.
    await pub.publish('hints/json/c', '');
    // European gateways write a decimal comma; others append the unit.
    await pub.publish('hints/number/c', '21,5');
    await pub.publish('hints/number/d', '21.5 °C');
    // Home Assistant's statestream publishes unavailable while an entity has no value.
    await pub.publish('hints/number/e', 'unavailable');
    await t.waitFor(() => t.problems.filter((p) => p.kind === 'report').length === 9, 'nine problems');
    expect(t.problems.filter((p) => p.kind === 'report').map((p) => p.message)).toEqual([
      'subscription hints/json/+: hints/json/a: $.value: not in this payload (did you mean $.Value?)',
      'subscription hints/json/+: hints/json/b: $.value: not in this payload (the payload is a number, not an object: read it with format: number)',
      'subscription hints/number/+: hints/number/a: "{\\"temperature\\": 21.5}" is not a number (JSON: read it with format: json and the path of the value, e.g. value: $.temperature)',
      'subscription hints/number/+: hints/number/b: "ON" is not a number (a switch state: read it with format: boolean)',
      'subscription hints/state/+: hints/state/a: $.state: "ON" is not a number (a switch state: read it with type: boolean)',
      "subscription hints/json/+: hints/json/c: the payload is empty, so it holds no value (an empty message is how a publisher deletes a topic's retained message, as Zigbee2MQTT does for a removed or renamed device)",
      'subscription hints/number/+: hints/number/c: "21,5" is not a number (a decimal comma: numbers are read with a decimal point, 21.5; have the publisher write one, or read it with format: text)',
      'subscription hints/number/+: hints/number/d: "21.5 °C" is not a number (a number with its unit: only a bare number is read, 21.5; have the publisher leave the unit out, or read it as text)',
      'subscription hints/number/+: hints/number/e: "unavailable" is not a number (a word for no value, as Home Assistant publishes unavailable and unknown: no point is sent for it, and the next number ends this episode)',
    ]);
  });
});
