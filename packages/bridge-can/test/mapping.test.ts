import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMapping } from '@fieldbridge/core';
import { describeRefusals, expectSchemaInSync, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canBridge, describeCan } from '../src/bridge.js';
import type { CanConfig } from '../src/config.js';
import { writeDriveLog } from './helpers/drive-log.js';

const track = trackCleanups();
const example = fileURLToPath(new URL('../../../examples/can/map.yaml', import.meta.url));
const exampleDbc = fileURLToPath(new URL('../dbc/vehicle.dbc', import.meta.url));

// Paths in these files are relative to the package folder, where the tests run.
describeRefusals(canBridge, new URL('./fixtures/bad/', import.meta.url), [
  ['unknown-key.yaml', 6, 3, 'can.max_rate', /unknown key/],
  ['bad-interface.yaml', 4, 14, 'can.interface', /^expected socketcan:<interface> \(e\.g\. socketcan:can0\) or file:<log> \(candump -L, Vector ASC or BLF.*, found "can0" \(did you mean socketcan:can0\?\)$/],
  ['interface-log-without-scheme.yaml', 4, 14, 'can.interface', /, found "test\/fixtures\/decode\/selection\/frames\.log" \(did you mean file:test\/fixtures\/decode\/selection\/frames\.log\?\)$/],
  ['python-can-filters.yaml', 6, 3, 'can.can_filters', /^unknown key \(did you mean filters\?\)$/],
  ['cantools-decode-choices.yaml', 6, 3, 'can.decode_choices', /^unknown key \(did you mean value_text\?\)$/],
  ['missing-log.yaml', 4, 14, 'can.interface', /the log test\/fixtures\/no-such-capture\.log does not exist .*bridge-can-sim --out FILE writes one/],
  ['missing-dbc.yaml', 5, 8, 'can.dbc', /cannot read DBC file test\/fixtures\/no-such-file\.dbc: no such file/],
  ['missing-dbc-in-list.yaml', 7, 7, 'can.dbc[1]', /cannot read DBC file test\/fixtures\/no-such-file\.dbc: no such file/],
  ['not-a-dbc.yaml', 5, 8, 'can.dbc', /nothing to read: .*frames\.log defines no message \(1 problem, the first .*frames\.log:1:1: expected a DBC keyword/],
  ['unknown-placeholder.yaml', 6, 11, 'can.metric', /unknown placeholder \{sig\}; use \{message\}, \{signal\}, \{id\}, \{pgn\}, \{source_address\}, \{bus\}, \{sender\}/],
  ['include-matches-nothing.yaml', 6, 23, 'can.messages[1]', /"Brakes" matches no message of .*case\.dbc \(did you mean BrakeA\?\); bridge-can --list-signals shows what they define/],
  ['exclude-matches-nothing.yaml', 6, 24, 'can.signals.exclude[0]', /"EngineData\.Rmp" matches no signal of .*case\.dbc, so it excludes nothing \(did you mean EngineData\.Rpm\?\); bridge-can --list-signals shows what they define/],
  ['signal-case.yaml', 6, 13, 'can.signals[0]', /"rpm" matches no signal of .*case\.dbc \(did you mean Rpm\?\); bridge-can --list-signals shows what they define/],
  ['speed-without-pace.yaml', 6, 20, 'can.replay.speed', /speed applies to pace: recorded; the default pace, fast, reads frames as fast as they are taken/],
  ['per-signal-matches-nothing.yaml', 8, 16, 'can.per_signal[1].match', /"EngineData\.Rpm" matches no signal the section reads \(an earlier entry may take them all\)/],
  ['metric-collision.yaml', 6, 11, 'can.metric', /BrakeAB\.Pressure and BrakeA\.Pressure both get the metric name Pressure/],
  ['nothing-selected.yaml', 6, 12, 'can.signals', /nothing to read: the messages and signals keys leave out every signal/],
  ['replay-on-socketcan.yaml', 6, 11, 'can.replay', /replay applies to a file: interface/],
  ['bad-time-zone.yaml', 7, 16, 'can.replay.time_zone', /not a time zone: use local, UTC, an IANA name \(Europe\/Berlin\) or an offset \(\+02:00\)/],
  ['filter-id-too-wide.yaml', 8, 13, 'can.filters[1].id', /filter id 419361024 is not a 11-bit id \(add extended: true for 29-bit ids\)/],
  ['rate-too-high.yaml', 6, 16, 'can.max_rate_hz', /must be at most 10000 \(found 20000\)/],
  ['too-many-tags.yaml', 6, 9, 'can.tags', /14 tags plus the 3 the bridge adds \(signal_tags\) pass the limit of 16 per point/],
  ['max-interval-alone.yaml', 7, 17, 'can.max_interval', /max_interval applies with on_change or deadband/],
  ['messages-not-a-list.yaml', 6, 13, 'can.messages', /^expected a list of names, e\.g\. messages: \['Engine\*'\] \(a single one too: \[Name\]\), or messages: \{ include: \[\.\.\.\], exclude: \[\.\.\.\] \}$/],
  ['include-not-a-list.yaml', 6, 23, 'can.signals.include', /^expected a list of names: \[A, B\*\] \(a single one too: \[A\]\)$/],
  ['dbc-not-a-path.yaml', 5, 8, 'can.dbc', /^expected the path of a DBC file, or a list of them \(dbc: \[powertrain\.dbc, body\.dbc\]\)$/],
  ['j1939-yes.yaml', 6, 10, 'can.j1939', /^expected auto, true or false$/],
  ['replay-two-channels.yaml', 6, 22, 'can.replay.channel', /^expected one channel: the interface name in a candump log \(can1\), or the channel number in a Vector, PEAK or MDF4 log \(2\)$/],
  ['file-tags-crowd.yaml', 3, 7, 'tags', /^the can bridge's points would carry 17 tags, .*: the file's 14 \(tags:\), unit, source_address and spn \(added by the can bridge\)/],
]);

describe('keys other tools use', () => {
  it("answers python-can's channel and cantools' database with the keys they are here", () => {
    const refused = (section: string) => {
      try {
        parseMapping(`source_id: t\nsink: { url: stdout }\ncan:\n${section}`, 'map.yaml', canBridge, {});
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(refused('  channel: can0\n  dbc: test/fixtures/decode/selection/case.dbc\n')).toContain('map.yaml:4:3 can.channel: unknown key (did you mean interface?)');
    expect(refused('  interface: socketcan:can0\n  database: test/fixtures/decode/selection/case.dbc\n')).toContain('map.yaml:5:3 can.database: unknown key (did you mean dbc?)');
  });
});

describe('schema.json', () => {
  it('matches the config schema; run `pnpm schema` after changing it', () => {
    expectSchemaInSync(canBridge, new URL('../schema.json', import.meta.url));
  });
});

describe('examples/can/map.yaml', () => {
  const load = (env: NodeJS.ProcessEnv) => parseMapping(readFileSync(example, 'utf8'), example, canBridge, env);

  it('loads with the environment naming the log and the DBC, and --check describes what it reads', async () => {
    const log = track.add(await writeDriveLog({ durationMs: 1000 }), (l) => l.close());
    const config = load({ CAN_INTERFACE: `file:${log.path}`, CAN_DBC: exampleDbc });
    const section = config.can as CanConfig;
    expect(section.interface).toBe(`file:${log.path}`);
    const lines = describeCan(section);
    expect(lines[0]).toBe(`vehicle: log ${log.path}, replayed at the recorded pace, looping, moved onto the clock`);
    expect(lines[1]).toBe(`DBC ${exampleDbc}: 7 messages, 30 signals; reading 30 signals of 7 messages as {message}.{signal}`);
    expect(lines.some((l) => /^ {2}BatteryStatus 0x3E8 every 100 ms: BatteryMux, PackVoltage/.test(l))).toBe(true);
    expect(lines).toContain('change filter: at most 10 per second; BatteryStatus.*: at most 1 per second, on change, at least every 30s; *.SteeringCounter: at most 10 per second, on change');
    expect(lines.some((l) => l.startsWith('J1939 DM1') || l.startsWith('channel '))).toBe(false);
    const more = describeCan({ ...section, j1939_dm1: true, replay: { ...section.replay, channel: 'can1' } });
    expect(more.slice(-2)).toEqual(['J1939 DM1 of every ECU: dm1.*_lamp and dm1.active_faults with each DM1, an event dm1.fault when a fault becomes active or clears', 'channel can1 of the log only']);
  });

  it('is refused, saying how to write the log, when the simulator has not written it yet', () => {
    expect(() => load({ CAN_INTERFACE: 'file:/nonexistent/drive.log', CAN_DBC: exampleDbc })).toThrow(/can\.interface: the log \/nonexistent\/drive\.log does not exist .*bridge-can-sim --out FILE writes one/);
  });
});
