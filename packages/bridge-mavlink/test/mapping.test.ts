import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMapping } from '@fieldbridge/core';
import { describeRefusals } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { describeMavlink, mavlinkBridge } from '../src/bridge.js';
import type { MavlinkConfig } from '../src/config.js';

const example = fileURLToPath(new URL('../../../examples/mavlink/map.yaml', import.meta.url));

describeRefusals(mavlinkBridge, new URL('./fixtures/bad/', import.meta.url), [
  ['unknown-key.yaml', 4, 3, 'mavlink.link_timeout', /unknown key/],
  ['bad-connection.yaml', 3, 15, 'mavlink.connection', /unsupported connection "udp:\/\/192\.168\.4\.1:14550": use udpin:\/\//],
  ['unknown-message.yaml', 6, 5, 'mavlink.messages.GPS_RAW_IN', /unknown message "GPS_RAW_IN" in the ardupilotmega dialect \(did you mean GPS_RAW_INT\?\)/],
  ['unknown-field.yaml', 5, 22, 'mavlink.messages.ATTITUDE[1]', /ATTITUDE\.ptch: no such field \(did you mean pitch\?\) \(ATTITUDE has time_boot_ms, roll, pitch/],
  ['impossible-unit.yaml', 8, 30, 'mavlink.messages.ATTITUDE.fields[0].to', /cannot convert rad \(angle\) to m \(length\)/],
  ['bad-selection.yaml', 5, 15, 'mavlink.messages.ATTITUDE', /give default, all, a list of fields, or \{ fields, metric/],
  ['unknown-placeholder.yaml', 4, 11, 'mavlink.metric', /unknown placeholder \{name\}; use \{message\}, \{field\}, \{instance\}/],
  ['bad-source-id.yaml', 4, 14, 'mavlink.source_id', /"Drone \{sysid\}" does not make a valid source id/],
  ['link-timeout-range.yaml', 4, 19, 'mavlink.link_timeout_s', /must be at least 100ms \(range 100ms\.\.1h\)/],
  ['signing-both.yaml', 5, 5, 'mavlink.signing', /give the key as passphrase or as key \(one of them\)/],
  ['bad-key.yaml', 4, 19, 'mavlink.signing.key', /a signing key is 32 bytes written as 64 hex digits or 44 base64 characters \(this one has 9 characters\)/],
  ['tlog-heartbeat.yaml', 4, 28, 'mavlink.heartbeat.interval_s', /a \.tlog replay cannot send heartbeats/],
  ['interval-without-on-change.yaml', 5, 47, 'mavlink.messages.ATTITUDE.max_interval', /max_interval applies with on_change: true/],
  ['file-tags-crowd.yaml', 2, 7, 'tags', /^the mavlink bridge's points would carry 17 tags, .*: the file's 14 \(tags:\), unit, instance and compid \(added by the mavlink bridge\)/],
]);

describe('examples/mavlink/map.yaml', () => {
  it('loads, with the environment choosing the connection', () => {
    const config = parseMapping(readFileSync(example, 'utf8'), example, mavlinkBridge, { MAVLINK_CONNECTION: 'tcp://127.0.0.1:5760' });
    expect(config.source_id).toBe('field-a');
    expect((config.mavlink as MavlinkConfig).connection).toBe('tcp://127.0.0.1:5760');
  });

  it('describes the link, the vehicles and every metric name for --check, and no secret', () => {
    const config = parseMapping(readFileSync(example, 'utf8'), example, mavlinkBridge, {});
    const lines = describeMavlink(config.mavlink as MavlinkConfig);
    expect(lines[0]).toBe('udpin://127.0.0.1:14550: ardupilotmega dialect, every system, every component; a vehicle is lost after 5s without HEARTBEAT');
    expect(lines).toContain('ATTITUDE (at most 2/s per series): attitude.roll [deg], attitude.pitch [deg], attitude.yaw [deg]');
    expect(lines).toContain('HEARTBEAT (on change (at least every 1m)): heartbeat.flight_mode, heartbeat.armed, heartbeat.system_status, heartbeat.system_status_text');
    expect(lines).toContain('BATTERY_STATUS: battery{instance}.voltage [V], battery{instance}.cell1 [V], battery{instance}.current_battery [A], battery{instance}.battery_remaining [%]');
    const signed = describeMavlink({ ...(config.mavlink as MavlinkConfig), signing: { passphrase: 'hunter2 fleet', allow_unsigned: true }, systems: [1, 2] });
    expect(signed[0]).toContain('systems 1, 2, every component');
    expect(signed).toContain('signatures checked with a key derived from a passphrase; unsigned frames accepted');
    expect(signed.join('\n')).not.toContain('hunter2');
  });
});
