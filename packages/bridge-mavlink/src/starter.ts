/** The `mavlink:` section `fieldbridge init mavlink` writes: a link, one source per vehicle, the default messages. */
export const MAVLINK_STARTER = `mavlink:
  # udpin://0.0.0.0:14550 listens for UDP (ArduPilot --out udp:, mavlink-router, a radio's UDP
  # bridge); tcp://127.0.0.1:5760 connects to ArduPilot SITL; tcpin://0.0.0.0:5760 listens for TCP
  # clients (mavlink-router [TcpEndpoint], SITL --serial1 tcpclient:, MAVProxy --out tcp:);
  # serial:///dev/ttyACM0?baud=115200 for a USB autopilot; tlog://./flight.tlog replays a
  # recording. As written it hears bridge-mavlink-sim (npx bridge-mavlink-sim --port 14550).
  connection: \${MAVLINK_CONNECTION:-udpin://127.0.0.1:14550}
  source_id: '{source_id}-{sysid}'                  # one source per vehicle (system id)
  link_timeout_s: 5                                 # no HEARTBEAT for 5 s: the vehicle's link is lost
  messages:
    HEARTBEAT: { fields: [flight_mode, armed, system_status], on_change: true, max_interval: 1m }
    SYS_STATUS: [voltage_battery, current_battery, battery_remaining]
    GLOBAL_POSITION_INT: default                    # lat, lon (degrees), alt, relative_alt (m), speeds, heading
    ATTITUDE: { fields: [{ field: roll, to: deg }, { field: pitch, to: deg }, { field: yaw, to: deg }], max_rate_hz: 2 }
    VFR_HUD: [airspeed, groundspeed, climb, throttle]
  # signing: { passphrase: '\${MAVLINK_SIGNING_PASSPHRASE}' }   # when the vehicles sign their frames
`;
