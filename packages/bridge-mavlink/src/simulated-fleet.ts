/** One simulated vehicle. */
export interface SimulatedVehicle {
  sysid: number;
  /** MAV_TYPE: 2 quadrotor, 1 fixed wing. */
  type: number;
  /** `circle` or `figure-eight`, around `home`. */
  pattern: 'circle' | 'figure-eight';
  /** ArduPilot mode numbers flown in turn, one per mode period. */
  modes: readonly number[];
  /** Pattern size in metres (circle radius, half the figure eight's width). */
  sizeM: number;
  /** Time for one lap, ms. */
  lapMs: number;
  /** Height above home, m. */
  altitudeM: number;
  /** How long the autopilot had been up when the simulation started, ms (its time_boot_ms then). */
  uptimeAtStartMs: number;
}

/** The two vehicles of the demo: a copter circling (GUIDED, LOITER, AUTO, RTL) and a plane on a figure eight (AUTO, LOITER, CRUISE, RTL). */
export const DEMO_VEHICLES: readonly SimulatedVehicle[] = [
  { sysid: 1, type: 2, pattern: 'circle', modes: [4, 5, 3, 6], sizeM: 120, lapMs: 60_000, altitudeM: 40, uptimeAtStartMs: 65_000 },
  { sysid: 2, type: 1, pattern: 'figure-eight', modes: [10, 12, 7, 11], sizeM: 400, lapMs: 90_000, altitudeM: 120, uptimeAtStartMs: 142_000 },
];

/** Home of the demo vehicles (lat, lon in degrees; altitude above mean sea level in m). */
export const SIM_HOME = { lat: 47.397742, lon: 8.545594, altM: 488 };

/** Options of {@link createSimulatedFleet}. */
export interface FleetOptions {
  vehicles?: readonly SimulatedVehicle[];
  /** How long each flight mode lasts, ms. Default 30,000. */
  modePeriodMs?: number;
  /** Wall time the simulation starts at, ms. */
  startMs: number;
}

/** Simulated vehicles that turn a time into MAVLink 2 frames. */
export interface SimulatedFleet {
  readonly vehicles: readonly SimulatedVehicle[];
  /**
   * The frames of tick `tick` at wall time `nowMs`: ATTITUDE every tick, GLOBAL_POSITION_INT and
   * VFR_HUD every 2nd, HEARTBEAT, SYS_STATUS and BATTERY_STATUS every 10th (so 10 Hz ticks give
   * the usual 10/5/1 Hz streams).
   */
  frames(tick: number, nowMs: number): Buffer[];
  /** The flight mode (ArduPilot number) vehicle `sysid` flies at `nowMs`. */
  modeAt(sysid: number, nowMs: number): number;
}

const EARTH_RADIUS_M = 6_378_137;
/** Gyro, accelerometer, magnetometer, barometer, GPS, ... as ArduPilot reports them present, enabled and healthy. */
const SENSORS = 0x0020_fc3f;
/** node-mavlink types bitmask fields as their enum; any combination of bits is valid on the wire. */
const bits = (n: number): never => n as never;

/** Position on the pattern at `t` laps: east and north offsets from home in m, and the heading of travel in degrees. */
function patternAt(v: SimulatedVehicle, laps: number): { east: number; north: number; headingDeg: number; speed: number } {
  const a = 2 * Math.PI * laps;
  const w = (2 * Math.PI) / (v.lapMs / 1000);
  let east: number, north: number, dEast: number, dNorth: number;
  if (v.pattern === 'circle') {
    east = v.sizeM * Math.sin(a);
    north = v.sizeM * Math.cos(a);
    dEast = v.sizeM * Math.cos(a) * w;
    dNorth = -v.sizeM * Math.sin(a) * w;
  } else {
    // Lemniscate of Gerono: x = sin(a), y = sin(a) cos(a).
    east = v.sizeM * Math.sin(a);
    north = (v.sizeM / 2) * Math.sin(2 * a);
    dEast = v.sizeM * Math.cos(a) * w;
    dNorth = v.sizeM * Math.cos(2 * a) * w;
  }
  const headingDeg = ((Math.atan2(dEast, dNorth) * 180) / Math.PI + 360) % 360;
  return { east, north, headingDeg, speed: Math.hypot(dEast, dNorth) };
}

/**
 * Creates the fleet. node-mavlink (its serializer and message classes) is imported here, so the
 * simulator's frames come from the library the issue names as the reference encoder.
 */
export async function createSimulatedFleet(options: FleetOptions): Promise<SimulatedFleet> {
  const { MavLinkProtocolV2, minimal, common } = await import('node-mavlink');
  const vehicles = options.vehicles ?? DEMO_VEHICLES;
  const modePeriodMs = options.modePeriodMs ?? 30_000;
  const protocols = new Map(vehicles.map((v) => [v.sysid, new MavLinkProtocolV2(v.sysid, 1)]));
  const seqs = new Map(vehicles.map((v) => [v.sysid, 0]));

  const modeAt = (v: SimulatedVehicle, nowMs: number): number => v.modes[Math.floor((nowMs - options.startMs) / modePeriodMs) % v.modes.length] ?? 0;

  function framesOf(v: SimulatedVehicle, tick: number, nowMs: number): Buffer[] {
    const elapsed = Math.max(0, nowMs - options.startMs);
    const bootMs = v.uptimeAtStartMs + elapsed;
    const p = patternAt(v, elapsed / v.lapMs);
    const protocol = protocols.get(v.sysid)!;
    const out: Buffer[] = [];
    const send = (message: InstanceType<typeof common.Attitude> | object): void => {
      const seq = seqs.get(v.sysid)!;
      seqs.set(v.sysid, (seq + 1) & 0xff);
      out.push(protocol.serialize(message as never, seq));
    };
    const bank = v.pattern === 'circle' ? 0.35 : 0.5 * Math.cos((2 * Math.PI * elapsed) / v.lapMs);

    const att = new common.Attitude();
    att.timeBootMs = bootMs;
    att.roll = bank;
    att.pitch = v.type === 1 ? 0.05 : -0.08;
    att.yaw = ((p.headingDeg > 180 ? p.headingDeg - 360 : p.headingDeg) * Math.PI) / 180;
    att.rollspeed = 0.01;
    att.pitchspeed = -0.005;
    att.yawspeed = (2 * Math.PI) / (v.lapMs / 1000);
    send(att);

    if (tick % 2 === 0) {
      const lat = SIM_HOME.lat + ((p.north / EARTH_RADIUS_M) * 180) / Math.PI;
      const lon = SIM_HOME.lon + ((p.east / (EARTH_RADIUS_M * Math.cos((SIM_HOME.lat * Math.PI) / 180))) * 180) / Math.PI;
      const rad = (p.headingDeg * Math.PI) / 180;
      const gp = new common.GlobalPositionInt();
      gp.timeBootMs = bootMs;
      gp.lat = Math.round(lat * 1e7);
      gp.lon = Math.round(lon * 1e7);
      gp.alt = Math.round((SIM_HOME.altM + v.altitudeM) * 1000);
      gp.relativeAlt = Math.round(v.altitudeM * 1000);
      gp.vx = Math.round(p.speed * Math.cos(rad) * 100);
      gp.vy = Math.round(p.speed * Math.sin(rad) * 100);
      gp.vz = 0;
      gp.hdg = Math.round(p.headingDeg * 100) % 36000;
      send(gp);

      const hud = new common.VfrHud();
      hud.airspeed = v.type === 1 ? p.speed + 1.5 : p.speed;
      hud.groundspeed = p.speed;
      hud.heading = Math.round(p.headingDeg) % 360;
      hud.throttle = v.type === 1 ? 55 : 48;
      hud.alt = SIM_HOME.altM + v.altitudeM;
      hud.climb = 0;
      send(hud);
    }

    if (tick % 10 === 0) {
      const hb = new minimal.Heartbeat();
      hb.type = v.type;
      hb.autopilot = 3;
      // Custom mode enabled, stabilize and guided flags, armed.
      hb.baseMode = 1 | 16 | 8 | 128;
      hb.customMode = modeAt(v, nowMs);
      hb.systemStatus = 4;
      hb.mavlinkVersion = 3;
      send(hb);

      // A 4-cell battery draining over 20 minutes.
      const remaining = Math.max(5, 100 - Math.floor(elapsed / 12_000));
      const cellMv = Math.round(3500 + 700 * (remaining / 100));
      const currentCa = v.type === 1 ? 1250 : 2280;
      const status = new common.SysStatus();
      status.onboardControlSensorsPresent = bits(SENSORS);
      status.onboardControlSensorsEnabled = bits(SENSORS);
      status.onboardControlSensorsHealth = bits(SENSORS);
      status.load = 312;
      status.voltageBattery = cellMv * 4;
      status.currentBattery = currentCa;
      status.batteryRemaining = remaining;
      status.dropRateComm = 0;
      status.errorsComm = 0;
      status.errorsCount1 = 0;
      status.errorsCount2 = 0;
      status.errorsCount3 = 0;
      status.errorsCount4 = 0;
      status.onboardControlSensorsPresentExtended = bits(0);
      status.onboardControlSensorsEnabledExtended = bits(0);
      status.onboardControlSensorsHealthExtended = bits(0);
      send(status);

      const battery = new common.BatteryStatus();
      battery.id = 0;
      battery.batteryFunction = 1;
      battery.type = 1;
      battery.temperature = 3150;
      battery.voltages = [cellMv, cellMv, cellMv, cellMv, 65535, 65535, 65535, 65535, 65535, 65535];
      battery.currentBattery = currentCa;
      battery.currentConsumed = Math.round((currentCa * 10 * elapsed) / 3_600_000);
      battery.energyConsumed = Math.round((cellMv * 4 * currentCa * 10 * elapsed) / 1e9 / 100);
      battery.batteryRemaining = remaining;
      battery.timeRemaining = Math.round((remaining / 100) * 1200);
      battery.chargeState = remaining > 30 ? 1 : remaining > 15 ? 2 : 3;
      battery.voltagesExt = [0, 0, 0, 0];
      battery.mode = 0;
      battery.faultBitmask = bits(0);
      send(battery);
    }
    return out;
  }

  return {
    vehicles,
    frames: (tick, nowMs) => vehicles.flatMap((v) => framesOf(v, tick, nowMs)),
    modeAt(sysid, nowMs) {
      const v = vehicles.find((x) => x.sysid === sysid);
      return v ? modeAt(v, nowMs) : 0;
    },
  };
}
