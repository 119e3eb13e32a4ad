/**
 * One record to make from a message. A bare string is `{ field: <string> }`.
 */
export interface FieldSpec {
  /**
   * The field as the MAVLink XML names it (`lat`, `voltages`, `time_boot_ms`), or one of the
   * message's derived fields (see {@link DERIVED_FIELDS}).
   */
  field: string;
  /** Name of the record. Default: the field name, with `_<index>` for an array element. */
  as?: string;
  /** For an array field, the element to take (0-based). Default: the whole array as one value. */
  index?: number;
  /**
   * Unit to convert to (`deg`, `m`, `V`...), or `raw` to keep the wire value. Default: the field's
   * standard conversion (see `DEFAULT_CONVERSIONS`: degE7 to deg, mm to m, cm/s to m/s, mV to V,
   * cA to A...); radians stay radians unless `to: deg`.
   */
  to?: string;
  /** Multiplies the (converted) value, for unitless scaled fields such as GPS eph (HDOP x 100): `scale: 0.01`. */
  scale?: number;
  /** The wire value that means "not known" (UINT16_MAX, -1...): no record when the field holds it. */
  unknown?: number;
  /** Enum naming the value (XML spelling, e.g. `MAV_STATE`): adds a `<as>_text` record with the entry's name. */
  enum?: string;
}

/** The records of one message: `default` (the fields below, or every field when the message has no defaults), `all`, or a list. */
export type FieldSelection = 'default' | 'all' | readonly (string | FieldSpec)[];

/** Message name (upper case, as in the XML) to the records made from it. */
export type MessageSelection = Readonly<Record<string, FieldSelection>>;

const UINT8_MAX = 255;
const UINT16_MAX = 65535;
const INT16_MAX = 32767;

/** A GPS report's fields (GPS_RAW_INT, GPS2_RAW): eph/epv in cm as m, and what each sends for "not known". */
const GPS_RAW_FIELDS: readonly FieldSpec[] = [
    { field: 'fix_type', enum: 'GPS_FIX_TYPE' },
    { field: 'lat' },
    { field: 'lon' },
    { field: 'alt' },
    { field: 'eph', scale: 0.01, unknown: UINT16_MAX },
    { field: 'epv', scale: 0.01, unknown: UINT16_MAX },
    { field: 'vel', unknown: UINT16_MAX },
    { field: 'cog', unknown: UINT16_MAX },
    { field: 'satellites_visible', unknown: UINT8_MAX },
];

/**
 * Records made by default, per message. Units follow the standard conversions (positions in
 * degrees, altitudes in metres, speeds in m/s, voltages in volts, currents in amperes); values
 * MAVLink marks as "not known" give no record.
 */
export const DEFAULT_FIELDS: Readonly<Record<string, readonly FieldSpec[]>> = {
  HEARTBEAT: [
    { field: 'type', enum: 'MAV_TYPE' },
    { field: 'autopilot', enum: 'MAV_AUTOPILOT' },
    { field: 'base_mode' },
    { field: 'custom_mode' },
    { field: 'system_status', enum: 'MAV_STATE' },
    { field: 'flight_mode' },
    { field: 'armed' },
  ],
  SYS_STATUS: [
    { field: 'voltage_battery', unknown: UINT16_MAX },
    { field: 'current_battery', unknown: -1 },
    { field: 'battery_remaining', unknown: -1 },
    { field: 'load' },
    { field: 'drop_rate_comm' },
    { field: 'errors_comm' },
    { field: 'onboard_control_sensors_present' },
    { field: 'onboard_control_sensors_enabled' },
    { field: 'onboard_control_sensors_health' },
  ],
  ATTITUDE: [
    { field: 'roll' },
    { field: 'pitch' },
    { field: 'yaw' },
    { field: 'rollspeed' },
    { field: 'pitchspeed' },
    { field: 'yawspeed' },
  ],
  GLOBAL_POSITION_INT: [
    { field: 'lat' },
    { field: 'lon' },
    { field: 'alt' },
    { field: 'relative_alt' },
    { field: 'vx' },
    { field: 'vy' },
    { field: 'vz' },
    { field: 'hdg', unknown: UINT16_MAX },
  ],
  GPS_RAW_INT: GPS_RAW_FIELDS,
  // The second GPS of a dual-GPS vehicle: the same fields, scales and "not known" values as the first.
  GPS2_RAW: GPS_RAW_FIELDS,
  // An RC receiver's pulses: UINT16_MAX marks a channel it does not have, 255 an RSSI it does not know.
  RC_CHANNELS: [
    { field: 'chancount' },
    ...Array.from({ length: 18 }, (_, i): FieldSpec => ({ field: `chan${i + 1}_raw`, unknown: UINT16_MAX })),
    { field: 'rssi', unknown: UINT8_MAX },
  ],
  // A telemetry radio's report: 255 marks a signal or noise level it does not know (the remote end not heard yet).
  RADIO_STATUS: [
    { field: 'rssi', unknown: UINT8_MAX },
    { field: 'remrssi', unknown: UINT8_MAX },
    { field: 'txbuf' },
    { field: 'noise', unknown: UINT8_MAX },
    { field: 'remnoise', unknown: UINT8_MAX },
    { field: 'rxerrors' },
    { field: 'fixed' },
  ],
  VFR_HUD: [
    { field: 'airspeed' },
    { field: 'groundspeed' },
    { field: 'heading' },
    { field: 'throttle' },
    { field: 'alt' },
    { field: 'climb' },
  ],
  BATTERY_STATUS: [
    { field: 'voltage' },
    { field: 'current_battery', unknown: -1 },
    { field: 'current_consumed', unknown: -1 },
    { field: 'energy_consumed', unknown: -1 },
    { field: 'battery_remaining', unknown: -1 },
    { field: 'temperature', unknown: INT16_MAX },
    { field: 'time_remaining', unknown: 0 },
    { field: 'charge_state', enum: 'MAV_BATTERY_CHARGE_STATE' },
  ],
  STATUSTEXT: [
    { field: 'severity', enum: 'MAV_SEVERITY' },
    { field: 'text' },
  ],
};

/**
 * Array fields whose elements past the ones the sender has are marked with a value of their own:
 * `BATTERY_STATUS.voltages` has UINT16_MAX for the cells above the battery's cell count, and
 * `voltages_ext` 0 (the XML's definitions). Wherever such a field is read, a marked element gives
 * no point (unless the entry sets `unknown` itself), and the whole array ends before its marked
 * elements (no point when every element is marked): an absent cell is not a cell of 65.535 V.
 */
export const ABSENT_ELEMENTS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  BATTERY_STATUS: { voltages: UINT16_MAX, voltages_ext: 0 },
};

/**
 * GPS reports whose position and motion mean nothing without a fix (`fix_type` below 2D: no GPS,
 * or no fix yet): the receiver sends zeros (a position at 0 N 0 E) or the last fix's values. Such
 * a report gives its fix type, satellites and accuracy, not these fields.
 */
export const FIX_FIELDS: Readonly<Record<string, readonly string[]>> = {
  GPS_RAW_INT: ['lat', 'lon', 'alt', 'alt_ellipsoid', 'vel', 'cog'],
  GPS2_RAW: ['lat', 'lon', 'alt', 'alt_ellipsoid', 'vel', 'cog'],
};

/** GPS_FIX_TYPE_2D_FIX: the lowest fix type with a position. */
export const FIX_2D = 2;

/**
 * Messages each of which is an event of its own (a line the vehicle logs: `PreArm: ...`, a
 * failsafe), not a sample of a value: the section's `max_rate_hz`, `on_change` and `max_interval`
 * do not apply to them (a burst of PreArm messages would lose all but the first, and a repeated
 * warning its repeats), only the keys the message's own entry sets.
 */
export const EVENT_MESSAGES: ReadonlySet<string> = new Set(['STATUSTEXT']);

/** Messages of {@link DEFAULT_FIELDS} read only when named: a second GPS, an RC receiver and a telemetry radio are there on some vehicles only. */
const NAMED_ONLY: ReadonlySet<string> = new Set(['GPS2_RAW', 'RC_CHANNELS', 'RADIO_STATUS']);

/** What the bridge reads when no messages are named: the messages of {@link DEFAULT_FIELDS} but the `NAMED_ONLY` ones, with their defaults. */
export const DEFAULT_SELECTION: MessageSelection = Object.fromEntries(Object.keys(DEFAULT_FIELDS).filter((name) => !NAMED_ONLY.has(name)).map((name) => [name, 'default']));

/**
 * Fields telling several instances of one message apart (two batteries, several rangefinders):
 * the value becomes the message's `instance`, for metric names such as `battery{instance}.voltage`.
 */
export const INSTANCE_FIELDS: Readonly<Record<string, string>> = {
  BATTERY_STATUS: 'id',
  BATTERY_INFO: 'id',
  DISTANCE_SENSOR: 'id',
  SERVO_OUTPUT_RAW: 'port',
  NAMED_VALUE_FLOAT: 'name',
  NAMED_VALUE_INT: 'name',
};

/**
 * Fields computed from a message rather than read from one place of it:
 * - `HEARTBEAT.flight_mode`: the mode's name for ArduPilot (by vehicle type) and PX4 (see `flightModeName`);
 * - `HEARTBEAT.armed`: true when base_mode has the armed flag;
 * - `BATTERY_STATUS.voltage`: the battery's voltage in volts, the sum of the cells reported in
 *   `voltages` (UINT16_MAX marks an absent cell) and `voltages_ext` (0 marks an absent cell);
 * - `SYS_STATUS.sensors_unhealthy`: the sensors present and enabled but not healthy, by their
 *   MAV_SYS_STATUS_SENSOR names (`3D_MAG|GPS`), `none` when all are healthy.
 * `flight_mode` and `armed` give no record for heartbeats of components that are not autopilots.
 */
export const DERIVED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  HEARTBEAT: ['flight_mode', 'armed'],
  BATTERY_STATUS: ['voltage'],
  SYS_STATUS: ['sensors_unhealthy'],
};
