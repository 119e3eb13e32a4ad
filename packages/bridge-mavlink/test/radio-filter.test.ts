import { common } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { describeMavlink } from '../src/bridge.js';
import { mavlinkConfigSchema } from '../src/config.js';
import { loadDialect } from '../src/dialect.js';
import { createLinkSurvey } from '../src/link-survey.js';
import { compileMessagePlan } from '../src/message-plan.js';
import { createMavlinkParser } from '../src/parser.js';
import { formatScan } from '../src/scan-format.js';
import { sourceRunner } from './helpers/bridge.js';
import { nmFrame, nmHeartbeat } from './helpers/node-mavlink.js';
import { udpPeer } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const LINK = 'udpin://127.0.0.1:0';

function radioStatus(rssi: number): object {
  return Object.assign(new common.RadioStatus(), { rssi, remrssi: 170, txbuf: 95, noise: 40, remnoise: 38, rxerrors: 3, fixed: 1 });
}

/** The team's link: their vehicle (system 1), a SiK radio (system 51, component 68), a second vehicle's autopilot reporting a radio too. */
const frames = (): Buffer[] => [
  nmFrame(nmHeartbeat({ customMode: 5 }), { sysid: 1, seq: 0 }),
  nmFrame(radioStatus(182), { sysid: 51, compid: 68, seq: 0, version: 1 }),
  // mLRS-style radios send a HEARTBEAT of their own: that stays filtered, as systems says.
  nmFrame(nmHeartbeat({ type: 0, autopilot: 8 }), { sysid: 51, compid: 68, seq: 1 }),
  // Another vehicle's autopilot (component 1), not the radio: filtered.
  nmFrame(radioStatus(99), { sysid: 2, compid: 1, seq: 0 }),
];

const section = { connection: LINK, systems: [1], messages: { HEARTBEAT: ['flight_mode'], RADIO_STATUS: ['rssi'] } };

describe('systems/components and a telemetry radio', () => {
  it('reads the radio\'s RADIO_STATUS with systems: [1], as Mission Planner shows its RSSI; the radio\'s other frames and other systems stay filtered (real UDP)', async () => {
    const { t, source, values } = await run(section);
    const radio = track.add(await udpPeer(), (p) => p.close());
    // A last HEARTBEAT of system 1 after them, from the same socket: once it is read, so are they.
    for (const frame of [...frames(), nmFrame(nmHeartbeat({ customMode: 6 }), { sysid: 1, seq: 1 })]) await radio.send(frame, source.localAddress()!.port);
    await t.waitFor(() => values('field-a-1', 'heartbeat.flight_mode').length === 2, 'the last HEARTBEAT');
    expect(source.counts()?.filtered).toBe(2);
    expect(values('field-a-51', 'radio_status.rssi')).toEqual([182]);
    expect(values('field-a-1', 'heartbeat.flight_mode')).toEqual(['LOITER', 'RTL']);
    expect(t.points.filter((p) => p.source_id !== 'field-a-1' && p.source_id !== 'field-a-51')).toEqual([]);
    expect(values('field-a-51', 'heartbeat.flight_mode')).toEqual([]);
  });

  it('--check says so, and --scan marks the radio\'s RADIO_STATUS read and its other messages filtered', async () => {
    const parsed = mavlinkConfigSchema.parse(section);
    expect(describeMavlink(parsed)[0]).toContain('systems 1, every component (and the RADIO_STATUS of a telemetry radio, component 68, whatever its system)');
    expect(describeMavlink({ ...parsed, messages: { HEARTBEAT: 'default' } })[0]).not.toContain('RADIO_STATUS');

    const dialect = await loadDialect('ardupilotmega');
    const parser = createMavlinkParser({ dialect });
    const survey = createLinkSurvey();
    for (const frame of parser.push(Buffer.concat(frames())).frames) survey.frame(frame, 0);
    const text = formatScan(survey.result(), dialect, compileMessagePlan(dialect, { HEARTBEAT: 'default', RADIO_STATUS: 'default' }), 'test', { filter: { systems: [1] } });
    const lines = text.split('\n');
    const radio = lines.findIndex((line) => line.startsWith('system 51, component 68:'));
    expect(lines.slice(radio + 1, radio + 5)).toEqual([
      '  message       frames  rate  mapping',
      '  HEARTBEAT     1       -     filtered',
      '  RADIO_STATUS  1       -     read',
      "  filtered: the mapping reads only the radio's RADIO_STATUS from this sender (system 51 is not in systems: [1]; a telemetry radio's report is read whatever they say)",
    ]);
    expect(text).toContain('  RADIO_STATUS  1       -     filtered\n  filtered: the mapping reads nothing from this sender (system 2 is not in systems: [1])');
  });
});
