import type { MessageDef } from './dialect.js';
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

/** The derived field `name` of message `def`, or undefined when it has none by that name. */
export function derivedReader(def: MessageDef, name: string): DerivedReader | undefined {
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
  return undefined;
}
