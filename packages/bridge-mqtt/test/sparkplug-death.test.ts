// Sparkplug B DATA after a death: the births it was sent under are void, so it is not read,
// counted as no_birth, and (with rebirth: true) the edge node is asked for its births again,
// within the rate limit unknown aliases already use.
import { trackCleanups, until } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { startRebirthRig } from './helpers/rebirth-rig.js';
import { tahuPayload } from './helpers/tahu.js';

const track = trackCleanups();
const T = 1_700_000_000_000;

/** A Sparkplug payload from raw protobuf fields (aliases without names, as edge nodes send DATA). */
function proto(fields: Record<string, unknown>): Uint8Array {
  return tahuPayload(fields);
}

describe('Sparkplug B DATA after an NDEATH', () => {
  it('is not decoded with the dead session\'s aliases: counted as no_birth, and a rebirth is requested once', async () => {
    const { t, node, commands } = await startRebirthRig(track);

    await node.publish('spBv1.0/g1/NBIRTH/n1', proto({ timestamp: T, seq: 0, metrics: [{ name: 'bdSeq', datatype: 8, longValue: 0 }] }), 0);
    await node.publish('spBv1.0/g1/DBIRTH/n1/d1', proto({ timestamp: T, seq: 1, metrics: [{ name: 'Temp', alias: 10, datatype: 3, intValue: 50 }] }), 0);
    await t.waitFor(() => t.valuesOf('g1.n1.d1.Temp').length === 1, 'the device birth');
    await node.publish('spBv1.0/g1/NDEATH/n1', proto({ metrics: [{ name: 'bdSeq', datatype: 8, longValue: 0 }] }), 1);
    await node.publish('spBv1.0/g1/DDATA/n1/d1', proto({ timestamp: T + 1, seq: 2, metrics: [{ alias: 10, intValue: 60 }] }), 0);
    await t.waitFor(() => t.problems.some((p) => p.message?.includes('after its NDEATH')), 'the DATA refused');
    await until(() => commands.length === 1, 'the rebirth request');
    await node.publish('spBv1.0/g1/DDATA/n1/d1', proto({ timestamp: T + 2, seq: 3, metrics: [{ alias: 10, intValue: 61 }] }), 0);
    const key = 'mqtt.spBv1.0/#.spBv1.0/g1/DDATA/n1/d1.no_birth';
    await t.waitFor(() => t.problems.filter((p) => p.key === key).length === 2, 'the second DATA refused');

    expect(t.valuesOf('g1.n1.d1.Temp')).toEqual([50]);
    expect(t.valuesOf('g1.n1.d1.state')).toEqual(['online', 'offline']);
    expect(commands).toEqual(['spBv1.0/g1/NCMD/n1']);
    expect(await t.metric('fieldbridge_mqtt_sparkplug_rebirths_total', {})).toBe(1);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'spBv1.0/#', kind: 'no_birth' })).toBe(2);
    const refused = t.problems.filter((p) => p.key === key);
    expect(refused[0]?.message).toBe('subscription spBv1.0/#: spBv1.0/g1/DDATA/n1/d1: DDATA from g1/n1/d1 after its NDEATH, before a new NBIRTH: not read (the births it was sent under are void); a rebirth is requested (Node Control/Rebirth)');
    expect(refused.filter((p) => p.logged)).toHaveLength(1);
  });

  it('a DBIRTH before the next NBIRTH does not bring the device online: no_birth, a rebirth is asked for, and the NBIRTH that answers brings both back', async () => {
    const { t, node, commands } = await startRebirthRig(track);

    await node.publish('spBv1.0/g1/NBIRTH/n1', proto({ timestamp: T, seq: 0, metrics: [{ name: 'bdSeq', datatype: 8, longValue: 0 }] }), 0);
    await node.publish('spBv1.0/g1/DBIRTH/n1/d1', proto({ timestamp: T, seq: 1, metrics: [{ name: 'Temp', alias: 10, datatype: 3, intValue: 50 }] }), 0);
    await node.publish('spBv1.0/g1/NDEATH/n1', proto({ metrics: [{ name: 'bdSeq', datatype: 8, longValue: 0 }] }), 1);
    // The next session's NBIRTH was lost (QoS 0): its DBIRTH, and the device's DEATH, come to a dead node.
    await node.publish('spBv1.0/g1/DBIRTH/n1/d1', proto({ timestamp: T + 1, seq: 1, metrics: [{ name: 'Temp', alias: 11, datatype: 3, intValue: 70 }] }), 0);
    await node.publish('spBv1.0/g1/DDEATH/n1/d1', proto({ timestamp: T + 2, seq: 2 }), 0);
    await node.publish('spBv1.0/g1/DDATA/n1/d1', proto({ timestamp: T + 3, seq: 3, metrics: [{ alias: 11, intValue: 71 }] }), 0);
    const key = 'mqtt.spBv1.0/#.spBv1.0/g1/DDATA/n1/d1.no_birth';
    await t.waitFor(() => t.problems.some((p) => p.key === key), 'the DATA refused');
    await until(() => commands.length === 1, 'the rebirth request');

    expect(t.valuesOf('g1.n1.d1.state')).toEqual(['online', 'offline']);
    expect(t.valuesOf('g1.n1.d1.Temp')).toEqual([50]);
    expect(commands).toEqual(['spBv1.0/g1/NCMD/n1']);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'spBv1.0/#', kind: 'no_birth' })).toBe(2);
    expect(t.problems.find((p) => p.key === 'mqtt.spBv1.0/#.spBv1.0/g1/DBIRTH/n1/d1.no_birth')?.message).toBe(
      "subscription spBv1.0/#: spBv1.0/g1/DBIRTH/n1/d1: DBIRTH from g1/n1/d1 after the edge node's NDEATH, before its new NBIRTH: the device is not taken as online nor its metrics read (the NBIRTH was lost, or comes later); a rebirth is requested (Node Control/Rebirth)",
    );

    // The births the request brings.
    await node.publish('spBv1.0/g1/NBIRTH/n1', proto({ timestamp: T + 4, seq: 0, metrics: [{ name: 'bdSeq', datatype: 8, longValue: 1 }] }), 0);
    await node.publish('spBv1.0/g1/DBIRTH/n1/d1', proto({ timestamp: T + 4, seq: 1, metrics: [{ name: 'Temp', alias: 11, datatype: 3, intValue: 72 }] }), 0);
    await t.waitFor(() => t.valuesOf('g1.n1.d1.Temp').length === 2, 'the device born again');
    expect(t.valuesOf('g1.n1.d1.state')).toEqual(['online', 'offline', 'online']);
    expect(t.valuesOf('g1.n1.d1.Temp')).toEqual([50, 72]);
  });
});
