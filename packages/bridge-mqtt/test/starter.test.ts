// The `mqtt:` section `fieldbridge init mqtt` writes, run against a real broker: its Sparkplug B
// entry names the births' and deaths' state points like its metrics, so a user finds them beside
// the data (the default state_metric carries the group, which the starter's metric leaves out),
// and each file written has a client id of its own, so two bridges started from starters on one
// broker do not kick each other off.
import { parseMapping, starterMapping } from '@fieldbridge/core';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { mqttBridge } from '../src/bridge.js';
import type { MqttConfig } from '../src/config.js';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher, startSource } from './helpers/mqtt.js';
import { tahuPayload } from './helpers/tahu.js';

const track = trackCleanups();
const T = 1_700_000_000_000;
const proto = (fields: Record<string, unknown>): Uint8Array => tahuPayload(fields);
/** A file as `fieldbridge init mqtt` writes it: each call writes another. */
const init = (): string => starterMapping([mqttBridge]);
/** The `mqtt:` section of a starter file, as the loader reads it with `env`. */
const read = (file: string, env: NodeJS.ProcessEnv): MqttConfig => parseMapping(file, 'mqtt.yaml', [mqttBridge], env).mqtt as MqttConfig;

describe('the starter mapping', () => {
  it('names Sparkplug births and deaths like the data of the same edge node and device', async () => {
    const broker = track.add(await startMosquitto(), (b) => b.close());
    // The starter as written, on this broker, with the environment's defaults filled in.
    const { t, subscribed } = await startSource(read(init(), { MQTT_URL: broker.url }), {}, track);
    await subscribed();
    const node = track.add(await connectPublisher(broker.url), (p) => p.close());
    await node.publish('spBv1.0/plant-a/NBIRTH/edge1', proto({ timestamp: T, seq: 0, metrics: [{ name: 'bdSeq', datatype: 8, longValue: 0 }] }));
    await node.publish('spBv1.0/plant-a/DBIRTH/edge1/press1', proto({ timestamp: T, seq: 1, metrics: [{ name: 'Temp', alias: 1, datatype: 10, doubleValue: 61.5 }] }));
    await node.publish('spBv1.0/plant-a/DDEATH/edge1/press1', proto({ timestamp: T + 1, seq: 2 }));
    await t.waitFor(() => t.valuesOf('edge1.press1.state').length === 2, 'the device birth and death on its state metric');

    expect(t.valuesOf('edge1.press1.Temp')).toEqual([61.5]);
    expect(t.valuesOf('edge1.press1.state')).toEqual(['online', 'offline']);
    expect(t.valuesOf('edge1.state')).toEqual(['online']);
    expect(t.points.filter((p) => p.metric.startsWith('plant-a.'))).toEqual([]);
  });

  it('gives each file written a client id of its own, so two bridges from starters share a broker without kicking each other off', async () => {
    const [a, b] = [init(), init()];
    // Nothing set in the environment (a systemd service, env -i): each file's own id, kept across its runs.
    expect(read(a, {}).client_id).toMatch(/^fieldbridge-[0-9a-f]{8}$/);
    expect(read(a, {}).client_id).not.toBe(read(b, {}).client_id);
    expect(read(a, { MQTT_CLIENT_ID: 'plant-a-gw' }).client_id).toBe('plant-a-gw');

    const broker = track.add(await startMosquitto(), (m) => m.close());
    const first = await startSource(read(a, { MQTT_URL: broker.url }), {}, track);
    await first.subscribed();
    const second = await startSource(read(b, { MQTT_URL: broker.url }), {}, track);
    await second.subscribed();
    const pub = track.add(await connectPublisher(broker.url), (p) => p.close());
    await pub.publish('plant/line1/press1/counter', '7', 1);
    await first.t.waitFor(() => first.t.valuesOf('line1.press1.parts').length === 1, 'the first bridge to read the counter');
    await second.t.waitFor(() => second.t.valuesOf('line1.press1.parts').length === 1, 'the second bridge to read it too');
    // With one client id the broker closes one connection when the other connects.
    for (const { t } of [first, second]) {
      expect(t.states.filter((s) => s.state !== 'connecting' && s.state !== 'connected')).toEqual([]);
      expect(await t.metric('fieldbridge_mqtt_sessions_taken_over_total', {})).toBe(0);
    }
  });
});
