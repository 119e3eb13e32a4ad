/**
 * A plausible drive of the example vehicle, repeated every 60 s: a short stop, accelerating
 * to 70 km/h, cruising through gentle S-bends, braking to a stop, a little reversing, a stop.
 * `step()` advances it by `dtMs` and returns the state; everything is deterministic for a seed.
 */

/** The vehicle at one moment, in the units of the example DBC. */
export interface DriveState {
  timeS: number;
  speedKmh: number;
  reversing: boolean;
  rpm: number;
  throttlePct: number;
  torqueNm: number;
  /** 1 cranking, 2 running. */
  engineState: number;
  coolantC: number;
  transOilC: number;
  oilPressureKpa: number;
  /** 0 P, 1 R, 3 D (value table of GearSelected). */
  gearSelected: number;
  /** -1 reverse, 0 none, 1..5 forward. */
  gearEngaged: number;
  wheelKmh: [number, number, number, number];
  steeringDeg: number;
  steeringRateDegS: number;
  packVoltage: number;
  packCurrentA: number;
  socPct: number;
  cellTempMinC: number;
  cellTempMaxC: number;
  yawRateDegS: number;
  lateralAccel: number;
  totalKm: number;
  tripKm: number;
}


const smooth = (x: number): number => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));
const CYCLE_S = 60;

/** Speed (km/h), steering (deg) and phase at a time of the 60 s cycle. */
function profile(t: number): { speed: number; steering: number; phase: 'stop' | 'accelerate' | 'cruise' | 'brake' | 'reverse' } {
  if (t < 4) return { speed: 0, steering: 0, phase: 'stop' };
  if (t < 16) return { speed: 70 * smooth((t - 4) / 12), steering: 0, phase: 'accelerate' };
  if (t < 36) return { speed: 70, steering: 45 * Math.sin((2 * Math.PI * (t - 16)) / 10), phase: 'cruise' };
  if (t < 46) return { speed: 70 * (1 - smooth((t - 36) / 10)), steering: 0, phase: 'brake' };
  if (t < 50) return { speed: 0, steering: 0, phase: 'stop' };
  if (t < 54) return { speed: 5 * Math.sin((Math.PI * (t - 50)) / 4), steering: -120 * Math.sin((Math.PI * (t - 50)) / 4), phase: 'reverse' };
  return { speed: 0, steering: 0, phase: 'stop' };
}

const THROTTLE = { stop: 0, accelerate: 35, cruise: 18, brake: 0, reverse: 8 };
const TORQUE = { stop: 5, accelerate: 180, cruise: 60, brake: -40, reverse: 30 };

/** A drive from its start; `random` adds small sensor noise. */
export function createDriveModel(random: () => number): { step(dtMs: number): DriveState } {
  const noise = (amplitude: number): number => (random() * 2 - 1) * amplitude;
  let timeS = 0;
  let socPct = 80;
  let totalKm = 12_345.678;
  let tripKm = 0;
  let previousSteering = 0;
  return {
    step(dtMs) {
      const dt = dtMs / 1000;
      timeS += dt;
      const t = timeS % CYCLE_S;
      const { speed, steering, phase } = profile(t);
      const moving = speed > 0.05;
      const reversing = phase === 'reverse';
      const gearEngaged = reversing ? -1 : !moving ? (timeS < 4 ? 0 : 1) : speed < 15 ? 1 : speed < 30 ? 2 : speed < 45 ? 3 : speed < 60 ? 4 : 5;
      const rpm = Math.max(780 + noise(15), moving ? (speed * 1000) / (Math.abs(gearEngaged) * 6) : 0);
      const torqueNm = TORQUE[phase] + noise(4);
      const packCurrentA = 5 + torqueNm * 0.9 + noise(1.5);
      socPct = Math.max(0, socPct - (packCurrentA * dt) / 3600 / 200 * 100);
      const steeringRateDegS = (steering - previousSteering) / dt;
      previousSteering = steering;
      const ms = speed / 3.6;
      const yawRad = (ms * Math.tan(((steering / 15) * Math.PI) / 180)) / 2.7;
      totalKm += (speed * dt) / 3600;
      tripKm += (speed * dt) / 3600;
      const corner = steering * 0.0004;
      const wheel = (side: number): number => Math.max(0, speed * (1 + side * corner) + (moving ? noise(0.05) : 0));
      return {
        timeS,
        speedKmh: speed,
        reversing,
        rpm,
        throttlePct: Math.max(0, THROTTLE[phase] + (THROTTLE[phase] > 0 ? noise(2) : 0)),
        torqueNm,
        engineState: timeS < 1 ? 1 : 2,
        coolantC: 20 + 70 * (1 - Math.exp(-timeS / 90)),
        transOilC: 20 + 60 * (1 - Math.exp(-timeS / 150)),
        oilPressureKpa: 150 + rpm * 0.1,
        gearSelected: reversing ? 1 : timeS < 4 ? 0 : 3,
        gearEngaged,
        wheelKmh: [wheel(-1), wheel(1), wheel(-1), wheel(1)],
        steeringDeg: steering,
        steeringRateDegS,
        packVoltage: 396 - packCurrentA * 0.04 + noise(0.05),
        packCurrentA,
        socPct,
        cellTempMinC: 25 + Math.min(15, timeS / 60),
        cellTempMaxC: 27 + Math.min(18, timeS / 50),
        yawRateDegS: (yawRad * 180) / Math.PI + noise(0.02),
        lateralAccel: ms * yawRad + noise(0.01),
        totalKm,
        tripKm,
      };
    },
  };
}
