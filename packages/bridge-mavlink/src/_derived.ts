import type { Dialect, MessageDef } from './dialect.js';
import { flightModeName, isArmed, isAutopilot, type Heartbeat } from './flight-mode.js';

/** A derived field compiled for one message: reads its value from the zero-extended payload, undefined for none. */
export interface DerivedReader {
  unit: string;
  read(view: DataView): number | string | boolean | undefined;
}

function heartbeatReader(def: MessageDef): (view: DataView) => Heartbeat {
  const at = (name: string): number => def.field(name)?.offset ?? 0;
  const customMode = at('custom_mode');
  const type = at('type');
  const autopilot = at('autopilot');
  const baseMode = at('base_mode');
  const systemStatus = at('system_status');
  return (view) => ({
    customMode: view.getUint32(customMode, true),
    type: view.getUint8(type),
    autopilot: view.getUint8(autopilot),
    baseMode: view.getUint8(baseMode),
    systemStatus: view.getUint8(systemStatus),
  });
}

/** Sum of the present cells in volts; undefined when no cell is reported. */
function batteryVoltage(def: MessageDef): (view: DataView) => number | undefined {
  const cells = def.field('voltages');
  const ext = def.field('voltages_ext');
  return (view) => {
    let mV = 0;
    let any = false;
    for (let i = 0; i < (cells?.arrayLength ?? 0); i++) {
      const v = view.getUint16(cells!.offset + i * 2, true);
      if (v !== 0xffff) {
        mV += v;
        any = true;
      }
    }
    for (let i = 0; i < (ext?.arrayLength ?? 0); i++) {
      const v = view.getUint16(ext!.offset + i * 2, true);
      if (v !== 0) {
        mV += v;
        any = true;
      }
    }
    return any ? mV / 1000 : undefined;
  };
}

/**
 * The sensors a SYS_STATUS says are present and enabled but not healthy, by their
 * MAV_SYS_STATUS_SENSOR names joined with `|` (`3D_MAG|GPS`: what ground stations show as
 * "Bad compass health"), `none` when every one is healthy.
 */
function unhealthySensors(def: MessageDef, dialect: Dialect): (view: DataView) => string {
  const at = (name: string): number => def.field(name)?.offset ?? 0;
  const present = at('onboard_control_sensors_present');
  const enabled = at('onboard_control_sensors_enabled');
  const health = at('onboard_control_sensors_health');
  const names = dialect.enumEntries('MAV_SYS_STATUS_SENSOR') ?? new Map<number, string>();
  return (view) => {
    const bad = view.getUint32(present, true) & view.getUint32(enabled, true) & ~view.getUint32(health, true);
    const out: string[] = [];
    for (let bit = 0; bit < 32; bit++) {
      const value = 2 ** bit;
      // The enum's entries share MAV_SYS_STATUS_ only (PREARM_CHECK, EXTENSION_USED): its SENSOR_ says nothing here.
      if ((bad >>> bit) & 1) out.push((names.get(value) ?? `BIT${bit}`).replace(/^SENSOR_/, ''));
    }
    return out.length > 0 ? out.join('|') : 'none';
  };
}

/** The derived field `name` of message `def`, or undefined when it has none by that name. */
export function derivedReader(def: MessageDef, name: string, dialect: Dialect): DerivedReader | undefined {
  if (def.name === 'HEARTBEAT' && (name === 'flight_mode' || name === 'armed')) {
    const heartbeat = heartbeatReader(def);
    if (name === 'flight_mode') return { unit: '', read: (view) => flightModeName(heartbeat(view)) };
    return {
      unit: '',
      read: (view) => {
        const hb = heartbeat(view);
        return isAutopilot(hb) ? isArmed(hb.baseMode) : undefined;
      },
    };
  }
  if (def.name === 'BATTERY_STATUS' && name === 'voltage') return { unit: 'V', read: batteryVoltage(def) };
  if (def.name === 'SYS_STATUS' && name === 'sensors_unhealthy') return { unit: '', read: unhealthySensors(def, dialect) };
  return undefined;
}
