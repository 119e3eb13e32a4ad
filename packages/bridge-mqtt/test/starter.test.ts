// The `mqtt:` section `fieldbridge init mqtt` writes, run against a real broker: its Sparkplug B
// entry names the births' and deaths' state points like its metrics, so a user finds them beside
// the data (the default state_metric carries the group, which the starter's metric leaves out).
import { createRequire } from 'node:module';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MQTT_STARTER } from '../src/starter.js';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';

interface ProtoPayload {
  fromObject(object: Record<string, unknown>): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}
const { Payload } = (createRequire(import.meta.url)('sparkplug-payload/lib/sparkplugPayloadProto.js') as { org: { eclipse: { tahu: { protobuf: { Payload: ProtoPayload } } } } }).org.eclipse.tahu.protobuf;
const track = trackCleanups();
const T = 1_700_000_000_000;
const proto = (fields: Record<string, unknown>): Uint8Array => Payload.encode(Payload.fromObject(fields)).finish();

describe('the starter mapping', () => {
  it('names Sparkplug births and deaths like the data of the same edge node and device', async () => {
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const starter = (parse(MQTT_STARTER) as { mqtt: Record<string, unknown> }).mqtt;
    // The starter as written, on this broker, with the environment's defaults filled in.
    const { t, subscribed } = await startSource(section({ ...starter, url: broker.url, username: '', password: '' }), {}, track);
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
});
