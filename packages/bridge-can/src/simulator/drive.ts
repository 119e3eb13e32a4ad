import { parseDbc } from '../dbc/parse-dbc.js';
import type { DbcDatabase, DbcMessage } from '../dbc/types.js';
import { encodeMessage } from '../encode/encode-message.js';
import type { CanFrame } from '../frames/can-frame.js';
import { formatCandumpLine } from '../frames/candump-line.js';
import { seededRandom } from '@fieldbridge/core/bridge';
import { createDriveModel, type DriveState } from './drive-model.js';
import { VEHICLE_DBC } from './vehicle-dbc.js';

let cached: DbcDatabase | undefined;

/** The example vehicle's database (parsed once). */
export function vehicleDatabase(): DbcDatabase {
  cached ??= parseDbc(VEHICLE_DBC, { file: 'vehicle.dbc' }).database;
  return cached;
}

/** Options of {@link simulateDrive}. */
export interface DriveOptions {
  /** Length of the drive (ms). Default 60,000 (one full cycle). */
  durationMs?: number;
  /** Time of the first tick (ms since the epoch). Default 1,700,000,000,000 (November 2023). */
  startMs?: number;
  /** Noise seed; the same seed gives the same frames. Default 1. */
  seed?: number;
  /** Interface name written into the frames (and log lines). Default `can0`. */
  interface?: string;
}

/** One frame of the drive, with the values it was encoded from (before rounding to the signals' steps). */
export interface SimulatedFrame {
  frame: CanFrame;
  message: DbcMessage;
  values: Readonly<Record<string, number>>;
}

/** Every message: its period and phase (ms), so that they do not all land on the same tick. */
const SCHEDULE: [name: string, periodMs: number, phaseMs: number][] = [
  ['EngineData', 10, 0],
  ['SteeringAngle', 10, 3],
  ['WheelSpeeds', 20, 5],
  ['ImuData', 20, 9],
  ['Transmission', 50, 7],
  ['BatteryStatus', 100, 11],
  ['VehicleDistance', 1000, 17],
];

/** The values of one message for a state; `tick` counts the message's frames (counters, mux pages). */
function valuesFor(name: string, s: DriveState, tick: number): Record<string, number> {
  switch (name) {
    case 'EngineData':
      return {
        EngineSpeed: s.rpm,
        ThrottlePosition: s.throttlePct,
        CoolantTemp: s.coolantC,
        EngineTorque: s.torqueNm,
        EngineState: s.engineState,
        OilPressure: s.oilPressureKpa,
      };
    case 'SteeringAngle':
      return { SteeringAngle: s.steeringDeg, SteeringRate: s.steeringRateDegS, SteeringCounter: tick % 16 };
    case 'WheelSpeeds':
      return { WheelSpeedFL: s.wheelKmh[0], WheelSpeedFR: s.wheelKmh[1], WheelSpeedRL: s.wheelKmh[2], WheelSpeedRR: s.wheelKmh[3] };
    case 'ImuData':
      return { YawRate: s.yawRateDegS, LateralAccel: s.lateralAccel };
    case 'Transmission':
      return { GearSelected: s.gearSelected, GearEngaged: s.gearEngaged, TransOilTemp: s.transOilC, OutputShaftSpeed: s.speedKmh * 30 };
    case 'BatteryStatus': {
      const page = tick % 3;
      if (page === 0) return { BatteryMux: 0, PackVoltage: s.packVoltage, PackCurrent: s.packCurrentA, StateOfCharge: s.socPct };
      const cell = s.packVoltage / 96;
      if (page === 1) return { BatteryMux: 1, CellVoltageMin: cell - 0.012, CellVoltageMax: cell + 0.009 };
      const state = s.packCurrentA > 1 ? 2 : s.packCurrentA < -1 ? 1 : 0;
      return { BatteryMux: 2, CellTempMin: s.cellTempMinC, CellTempMax: s.cellTempMaxC, BatteryState: state };
    }
    case 'VehicleDistance':
      return { TotalDistance: s.totalKm, TripDistance: s.tripKm };
    default:
      return {};
  }
}

/** Keeps a value inside the range its signal declares, so that it always encodes. */
function clampToSignals(message: DbcMessage, values: Record<string, number>): Record<string, number> {
  for (const signal of message.signals) {
    const v = values[signal.name];
    if (v !== undefined && signal.minimum < signal.maximum) values[signal.name] = Math.min(signal.maximum, Math.max(signal.minimum, v));
  }
  return values;
}

/**
 * The frames of a drive of the example vehicle (see `packages/bridge-can/dbc/vehicle.dbc`), in time
 * order, encoded with the package's own encoder: engine and steering every 10 ms, wheels and
 * IMU every 20 ms, gearbox every 50 ms, battery every 100 ms (three multiplexed pages in
 * turn), odometer every second; about 370 frames per simulated second.
 */
export function* simulateDrive(options: DriveOptions = {}): Generator<SimulatedFrame> {
  const database = vehicleDatabase();
  const durationMs = options.durationMs ?? 60_000;
  const startMs = options.startMs ?? 1_700_000_000_000;
  const iface = options.interface ?? 'can0';
  const model = createDriveModel(seededRandom(options.seed ?? 1));
  const schedule = SCHEDULE.map(([name, periodMs, phaseMs]) => {
    const message = database.messages.find((m) => m.name === name);
    if (!message) throw new Error(`the example DBC has no message ${name}`);
    return { message, periodMs, phaseMs, tick: 0 };
  });
  for (let t = 0; t < durationMs; t++) {
    const state = model.step(1);
    for (const entry of schedule) {
      if (t % entry.periodMs !== entry.phaseMs) continue;
      const values = clampToSignals(entry.message, valuesFor(entry.message.name, state, entry.tick++));
      const frame: CanFrame = {
        id: entry.message.id,
        extended: entry.message.extended,
        fd: false,
        data: encodeMessage(entry.message, values),
        timestampMs: startMs + t,
        timestampSource: 'log',
        interface: iface,
      };
      yield { frame, message: entry.message, values };
    }
  }
}

/** The drive as `candump -L` lines (no newlines), ready for `canplayer -I` or the log replay. */
export function* driveLogLines(options: DriveOptions = {}): Generator<string> {
  for (const { frame } of simulateDrive(options)) yield formatCandumpLine(frame);
}
