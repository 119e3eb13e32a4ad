import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMapping } from '@fieldbridge/core';
import { runBridgeCommand } from '@fieldbridge/core/testing';
import { common } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { mavlinkBridge } from '../src/bridge.js';
import type { SurveyedSender } from '../src/link-survey.js';
import { suggestMessages } from '../src/scan-messages.js';
import { sourceRunner } from './helpers/bridge.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';
import { nmAttitude, nmFrame, nmHeartbeat } from './helpers/node-mavlink.js';
import { udpPeer, type UdpPeer } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();

/** A SiK radio's report: system 51, component 68. */
function radioStatus(seq: number): Buffer {
  const radio = Object.assign(new common.RadioStatus(), { rssi: 182, remrssi: 170, txbuf: 95, noise: 40, remnoise: 38, rxerrors: 3, fixed: 1 });
  return nmFrame(radio, { sysid: 51, compid: 68, seq });
}

/** What the vehicles and the radio send: node-mavlink's frames and the test encoder's. */
function fleetFrames(): Buffer[] {
  const servos = Object.assign(new common.ServoOutputRaw(), { timeUsec: 5_000, port: 0, servo1Raw: 1500, servo2Raw: 1100 });
  return [
    nmFrame(nmHeartbeat({ customMode: 4 }), { sysid: 1, seq: 0 }),
    nmFrame(nmAttitude(100), { sysid: 1, seq: 1 }),
    nmFrame(servos, { sysid: 1, seq: 2 }),
    encodeV2('HEARTBEAT', { type: 1, autopilot: 3, base_mode: 209, custom_mode: 10, system_status: 4, mavlink_version: 3 }, { sysid: 2, seq: 0 }),
    encodeV2('ATTITUDE', { time_boot_ms: 110, roll: -0.5 }, { sysid: 2, seq: 1 }),
    encodeV2('VFR_HUD', { airspeed: 17.5, groundspeed: 16, heading: 90, throttle: 40, alt: 120, climb: 0.5 }, { sysid: 2, seq: 2 }),
    radioStatus(0),
  ];
}

/** Plays the vehicles on `udpout`: once the bridge's `n`th heartbeat arrives, sends the fleet's frames to where it came from. */
async function answerHeartbeat(vehicle: UdpPeer, n: number): Promise<void> {
  await vehicle.receivedAtLeast(n);
  const bridgePort = vehicle.received[n - 1]!.from.port;
  for (const frame of fleetFrames()) await vehicle.send(frame, bridgePort);
}

describe('bridge-mavlink --scan: the messages: block', () => {
  it('prints the messages heard per sender, and that block pasted into the mapping passes --check and reads every message (real UDP)', async () => {
    const vehicle = track.add(await udpPeer(), (p) => p.close());
    const dir = await track.tempDir('bridge-mavlink-scan-block-');
    const file = join(dir, 'map.yaml');
    // The drone team's mapping: the vehicle they fly, and the link (udpout: the vehicle answers the bridge's heartbeats).
    const mapping = `source_id: team\nsink: { url: stdout }\nmavlink:\n  connection: 'udpout://127.0.0.1:${vehicle.port}'\n  systems: [1, 2]\n`;
    await writeFile(file, mapping);

    const scanning = runBridgeCommand(mavlinkBridge, ['--config', file, '--scan', '1s']);
    await answerHeartbeat(vehicle, 1);
    const scan = await scanning;
    expect(scan.code, scan.err).toBe(0);
    const lines = scan.out.split('\n');
    const block = lines.slice(lines.indexOf('messages:'), -1);
    expect(block).toEqual([
      'messages:',
      '  # system 1, component 1',
      '  ATTITUDE: default',
      '  HEARTBEAT: default',
      '  SERVO_OUTPUT_RAW: default',
      '  # system 2, component 1 (also sends ATTITUDE, HEARTBEAT, listed above)',
      '  VFR_HUD: default',
      '  # system 51, component 68',
      '  RADIO_STATUS: default',
    ]);
    expect(lines[lines.indexOf('messages:') - 2]).toMatch(/^# the 5 messages heard; paste under mavlink:/);

    // Pasted under mavlink: as printed.
    const pasted = `${mapping}${block.map((line) => `  ${line}`).join('\n')}\n`;
    await writeFile(file, pasted);
    const check = await runBridgeCommand(mavlinkBridge, ['--config', file, '--check']);
    expect(check.code, check.err).toBe(0);

    const section = parseMapping(await readFile(file, 'utf8'), file, mavlinkBridge, {}).mavlink;
    const { t } = await run(section);
    await answerHeartbeat(vehicle, vehicle.received.length + 1);
    const read = ['attitude.roll', 'heartbeat.flight_mode', 'servo_output_raw.servo1_raw', 'vfr_hud.airspeed', 'radio_status.rssi'];
    await t.waitFor(() => read.every((metric) => t.points.some((p) => p.metric === metric)), 'a point of every message');
    expect(t.points.find((p) => p.metric === 'radio_status.rssi')).toMatchObject({ source_id: 'field-a-51', value: 182 });
  });
});

/** A sender as a survey gives it, with the messages it sent (ids as the dialect has them). */
function sender(sysid: number, compid: number, messages: Record<string, number>): SurveyedSender {
  const list = Object.entries(messages).map(([name, msgid]) => ({ msgid, name, frames: 1, firstMs: 0, lastMs: 0 }));
  return { sysid, compid, frames: list.length, versions: [2], signed: 0, messages: list };
}

describe('suggestMessages', () => {
  it('keeps the mapping\'s own entries, heard or not, written so that they read back the same', () => {
    const text = [
      'source_id: team',
      'sink: { url: stdout }',
      'mavlink:',
      "  connection: 'udpin://0.0.0.0:14550'",
      '  messages:',
      "    attitude: [{ field: roll, to: deg, as: 'true' }, { field: pitch, scale: 0.5, unknown: -1 }]",
      "    HEARTBEAT: { fields: [flight_mode, armed], on_change: true, max_interval: 1m30s, metric: 'hb.{field}', max_rate_hz: 2.5 }",
      '    BATTERY_STATUS: { fields: [{ field: voltages, index: 0, as: cell1 }], metric: "battery{instance}.{field}" }',
      '    SERVO_OUTPUT_RAW: all',
      '',
    ].join('\n');
    const before = parseMapping(text, 'map.yaml', mavlinkBridge, {}).mavlink;
    const block = suggestMessages([sender(1, 1, { ATTITUDE: 30, HEARTBEAT: 0, VFR_HUD: 74 })], before.messages);
    expect(block.slice(2)).toEqual([
      'messages:',
      '  # system 1, component 1',
      // In the schema's order of keys.
      '  attitude: [ { field: roll, as: "true", to: deg }, { field: pitch, scale: 0.5, unknown: -1 } ]',
      '  HEARTBEAT: { fields: [ flight_mode, armed ], metric: "hb.{field}", max_rate_hz: 2.5, on_change: true, max_interval: 1m30s }',
      '  VFR_HUD: default',
      '  # not heard, kept from the mapping',
      '  BATTERY_STATUS: { fields: [ { field: voltages, as: cell1, index: 0 } ], metric: "battery{instance}.{field}" }',
      '  SERVO_OUTPUT_RAW: all',
    ]);
    const pasted = `${text.slice(0, text.indexOf('  messages:'))}${block.map((line) => `  ${line}`).join('\n')}\n`;
    const after = parseMapping(pasted, 'map.yaml', mavlinkBridge, {}).mavlink;
    expect(after.messages).toEqual({ ...before.messages, VFR_HUD: 'default' });
  });

  it('writes the messages only senders that systems/components leave out sent commented out, and no block when they sent everything', () => {
    const filter = { systems: [1] };
    const block = suggestMessages([sender(1, 1, { HEARTBEAT: 0 }), sender(3, 1, { HEARTBEAT: 0, STATUSTEXT: 253 })], undefined, filter);
    expect(block.slice(2)).toEqual([
      'messages:',
      '  # system 1, component 1',
      '  HEARTBEAT: default',
      '  # sent only by senders systems/components leave out: uncomment after adding them',
      '  # STATUSTEXT: default  (system 3, component 1)',
    ]);
    // Only comments under messages: would be `messages: null`, which the loader refuses.
    expect(suggestMessages([sender(3, 1, { HEARTBEAT: 0 })], undefined, filter)).toEqual(['# no messages: block to suggest: systems/components leave out every sender heard']);
    expect(suggestMessages([], undefined, filter)).toEqual([]);
  });
});
