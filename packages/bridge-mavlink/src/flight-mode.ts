/** The HEARTBEAT fields that say what a vehicle is and what it is doing. */
export interface Heartbeat {
  /** MAV_TYPE: 2 quadrotor, 1 fixed wing, 10 ground rover, 6 ground station... */
  type: number;
  /** MAV_AUTOPILOT: 3 ArduPilot, 12 PX4, 8 "not an autopilot" (gimbals, cameras, ground stations). */
  autopilot: number;
  /** MAV_MODE_FLAG bits; 128 is "armed". */
  baseMode: number;
  /** The autopilot's own mode number (see {@link flightModeName}). */
  customMode: number;
  /** MAV_STATE: 3 standby, 4 active... */
  systemStatus: number;
}

/** MAV_AUTOPILOT_ARDUPILOTMEGA. */
export const AUTOPILOT_ARDUPILOT = 3;
/** MAV_AUTOPILOT_PX4. */
export const AUTOPILOT_PX4 = 12;
/** MAV_AUTOPILOT_INVALID: the sender is not a flight controller. */
export const AUTOPILOT_INVALID = 8;

const MODE_FLAG_CUSTOM = 1;
const MODE_FLAG_AUTO = 4;
const MODE_FLAG_GUIDED = 8;
const MODE_FLAG_STABILIZE = 16;
const MODE_FLAG_MANUAL = 64;
const MODE_FLAG_ARMED = 128;

/** HEARTBEAT's payload: custom_mode (uint32) first, then type, autopilot, base_mode, system_status (wire order). */
export function readHeartbeat(payload: Uint8Array): Heartbeat {
  const at = (i: number): number => payload[i] ?? 0;
  return {
    customMode: (at(0) | (at(1) << 8) | (at(2) << 16) | (at(3) << 24)) >>> 0,
    type: at(4),
    autopilot: at(5),
    baseMode: at(6),
    systemStatus: at(7),
  };
}

/** True when base_mode has MAV_MODE_FLAG_SAFETY_ARMED. */
export function isArmed(baseMode: number): boolean {
  return (baseMode & MODE_FLAG_ARMED) !== 0;
}

/** True when the heartbeat comes from a flight controller (not a gimbal, camera or ground station). */
export function isAutopilot(hb: Heartbeat): boolean {
  return hb.autopilot !== AUTOPILOT_INVALID;
}

// ArduPilot's mode numbers per firmware (the *_MODE enums of ardupilotmega.xml).
const COPTER: Record<number, string> = {
  0: 'STABILIZE', 1: 'ACRO', 2: 'ALT_HOLD', 3: 'AUTO', 4: 'GUIDED', 5: 'LOITER', 6: 'RTL', 7: 'CIRCLE', 9: 'LAND',
  11: 'DRIFT', 13: 'SPORT', 14: 'FLIP', 15: 'AUTOTUNE', 16: 'POSHOLD', 17: 'BRAKE', 18: 'THROW', 19: 'AVOID_ADSB',
  20: 'GUIDED_NOGPS', 21: 'SMART_RTL', 22: 'FLOWHOLD', 23: 'FOLLOW', 24: 'ZIGZAG', 25: 'SYSTEMID', 26: 'AUTOROTATE',
  27: 'AUTO_RTL', 28: 'TURTLE',
};
const PLANE: Record<number, string> = {
  0: 'MANUAL', 1: 'CIRCLE', 2: 'STABILIZE', 3: 'TRAINING', 4: 'ACRO', 5: 'FLY_BY_WIRE_A', 6: 'FLY_BY_WIRE_B', 7: 'CRUISE',
  8: 'AUTOTUNE', 10: 'AUTO', 11: 'RTL', 12: 'LOITER', 13: 'TAKEOFF', 14: 'AVOID_ADSB', 15: 'GUIDED', 16: 'INITIALIZING',
  17: 'QSTABILIZE', 18: 'QHOVER', 19: 'QLOITER', 20: 'QLAND', 21: 'QRTL', 22: 'QAUTOTUNE', 23: 'QACRO', 24: 'THERMAL',
  25: 'LOITER_ALT_QLAND', 26: 'AUTOLAND',
};
const ROVER: Record<number, string> = {
  0: 'MANUAL', 1: 'ACRO', 3: 'STEERING', 4: 'HOLD', 5: 'LOITER', 6: 'FOLLOW', 7: 'SIMPLE', 8: 'DOCK', 9: 'CIRCLE',
  10: 'AUTO', 11: 'RTL', 12: 'SMART_RTL', 15: 'GUIDED', 16: 'INITIALIZING',
};
const SUB: Record<number, string> = {
  0: 'STABILIZE', 1: 'ACRO', 2: 'ALT_HOLD', 3: 'AUTO', 4: 'GUIDED', 7: 'CIRCLE', 9: 'SURFACE', 16: 'POSHOLD', 19: 'MANUAL',
  20: 'MOTORDETECT', 21: 'SURFTRAK',
};
const TRACKER: Record<number, string> = { 0: 'MANUAL', 1: 'STOP', 2: 'SCAN', 3: 'SERVO_TEST', 4: 'GUIDED', 10: 'AUTO', 16: 'INITIALIZING' };
const BLIMP: Record<number, string> = { 0: 'LAND', 1: 'MANUAL', 2: 'VELOCITY', 3: 'LOITER', 4: 'RTL' };

/** Which ArduPilot firmware a MAV_TYPE comes from: each has its own mode numbers. */
export const ARDUPILOT_MODES_BY_TYPE: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  // ArduCopter (multirotors and helicopters)
  2: COPTER, 3: COPTER, 4: COPTER, 13: COPTER, 14: COPTER, 15: COPTER, 29: COPTER, 35: COPTER, 43: COPTER,
  // ArduPlane, QuadPlanes report a VTOL type
  1: PLANE, 16: PLANE, 19: PLANE, 20: PLANE, 21: PLANE, 22: PLANE, 23: PLANE, 24: PLANE, 25: PLANE,
  // Rover and boats
  10: ROVER, 11: ROVER,
  12: SUB,
  5: TRACKER,
  7: BLIMP,
};

// PX4 packs its mode into custom_mode: main mode in bits 16-23, sub mode in bits 24-31.
const PX4_MAIN: Record<number, string> = {
  1: 'MANUAL', 2: 'ALTCTL', 3: 'POSCTL', 4: 'AUTO', 5: 'ACRO', 6: 'OFFBOARD', 7: 'STABILIZED', 8: 'RATTITUDE', 9: 'SIMPLE',
  10: 'TERMINATION',
};
const PX4_AUTO: Record<number, string> = {
  1: 'AUTO_READY', 2: 'AUTO_TAKEOFF', 3: 'AUTO_LOITER', 4: 'AUTO_MISSION', 5: 'AUTO_RTL', 6: 'AUTO_LAND',
  8: 'AUTO_FOLLOW_TARGET', 9: 'AUTO_PRECLAND', 10: 'AUTO_VTOL_TAKEOFF',
  11: 'AUTO_EXTERNAL1', 12: 'AUTO_EXTERNAL2', 13: 'AUTO_EXTERNAL3', 14: 'AUTO_EXTERNAL4', 15: 'AUTO_EXTERNAL5',
  16: 'AUTO_EXTERNAL6', 17: 'AUTO_EXTERNAL7', 18: 'AUTO_EXTERNAL8',
};
const PX4_POSCTL: Record<number, string> = { 0: 'POSCTL', 1: 'POSCTL_ORBIT', 2: 'POSCTL_SLOW' };

function px4Mode(customMode: number): string {
  const main = (customMode >>> 16) & 0xff;
  const sub = (customMode >>> 24) & 0xff;
  if (main === 4) return PX4_AUTO[sub] ?? `AUTO(${sub})`;
  if (main === 3) return PX4_POSCTL[sub] ?? `POSCTL(${sub})`;
  return PX4_MAIN[main] ?? `UNKNOWN(${customMode})`;
}

/** The MAV_MODE a generic autopilot announces through base_mode's flags alone. */
function standardMode(baseMode: number): string {
  if (baseMode & MODE_FLAG_AUTO) return 'AUTO';
  if (baseMode & MODE_FLAG_GUIDED) return 'GUIDED';
  if (baseMode & MODE_FLAG_STABILIZE) return 'STABILIZE';
  if (baseMode & MODE_FLAG_MANUAL) return 'MANUAL';
  return 'PREFLIGHT';
}

/**
 * The flight mode a HEARTBEAT announces, as the firmware names it: ArduPilot by vehicle type
 * (`GUIDED`, `QLOITER`, `HOLD`), PX4 from its main and sub mode (`AUTO_MISSION`, `POSCTL`), other
 * autopilots from base_mode's flags when they use no custom mode. `UNKNOWN(n)` for a number the
 * tables do not have; undefined when the sender is not an autopilot.
 */
export function flightModeName(hb: Heartbeat): string | undefined {
  if (!isAutopilot(hb)) return undefined;
  if (hb.autopilot === AUTOPILOT_PX4) return px4Mode(hb.customMode);
  if (hb.autopilot === AUTOPILOT_ARDUPILOT) {
    const table = ARDUPILOT_MODES_BY_TYPE[hb.type];
    return table?.[hb.customMode] ?? `UNKNOWN(${hb.customMode})`;
  }
  return hb.baseMode & MODE_FLAG_CUSTOM ? `UNKNOWN(${hb.customMode})` : standardMode(hb.baseMode);
}
