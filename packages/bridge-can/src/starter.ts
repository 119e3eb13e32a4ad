import { fileURLToPath } from 'node:url';

/** The example vehicle's DBC as installed with this package: the starter reads it until the user names their own. */
const EXAMPLE_DBC = fileURLToPath(new URL('../dbc/vehicle.dbc', import.meta.url));

/** The `can:` section `fieldbridge init can` writes: a bus, its DBC files, a rate limit and a per-signal rule. */
export function canStarter(): string {
  return `can:
  # socketcan:can0 reads a live bus (Linux: ip link set can0 up type can bitrate 500000);
  # file:drive.log replays a log: candump -L, Vector ASC or BLF, PEAK TRC, MDF4 (replay: { time_zone: Europe/Berlin }
  # for the zone a Vector or PEAK log was written in; npx bridge-can-sim --out drive.log writes a candump log).
  interface: \${CAN_INTERFACE:-socketcan:can0}
  # Your bus's DBC files (a list for several). As written: the example vehicle shipped with
  # bridge-can, the one bridge-can-sim drives.
  dbc: \${CAN_DBC:-${EXAMPLE_DBC}}
  bus: vehicle                                      # {bus} in metric names and the channel in /readyz
  max_rate_hz: 10                                   # per signal: a bus repeats values many times a second
  per_signal:
    - { match: 'BatteryStatus.*', max_rate_hz: 1, on_change: true, max_interval: 30s }
`;
}
