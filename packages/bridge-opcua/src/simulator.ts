import { startOpcuaServer, type OpcuaServerOptions, type OpcuaTestServer } from './server.js';

/** Options of {@link startOpcuaSimulator}: the server's, plus the pace of the changes. */
export interface OpcuaSimulatorOptions extends OpcuaServerOptions {
  /** Time between two changes of the values, in ms. Default 1000. */
  intervalMs?: number;
  /** Period of the boiler temperature's swing, in ms: each period it passes 80 and raises the alarm. Default 60000. */
  alarmPeriodMs?: number;
}

/** A running simulator. */
export interface OpcuaSimulator extends OpcuaTestServer {
  /** Changes every value once, as the timer does every `intervalMs`; returns the step count. */
  tick(): number;
}

/** The boiler temperature after `elapsedMs`: 60 +- 35 degC, so it passes the alarm's high limit (80) once per period. */
export function simulatedTemperature(elapsedMs: number, periodMs: number): number {
  return Math.round((60 + 35 * Math.sin((2 * Math.PI * elapsedMs) / periodMs)) * 100) / 100;
}

/**
 * The server of {@link startOpcuaServer} with moving values, for the example mapping and the
 * demo: the boiler's temperature swings (raising and clearing its alarm once per
 * `alarmPeriodMs`), its pressure wobbles, its counter counts, `Running` flips every 30 steps,
 * the motors' speeds and `Sim/Arrays/Double` change. Time advances by steps, so `tick()` gives
 * the same values in the same order every run.
 */
export async function startOpcuaSimulator(options: OpcuaSimulatorOptions): Promise<OpcuaSimulator> {
  const server = await startOpcuaServer(options);
  const intervalMs = options.intervalMs ?? 1000;
  const periodMs = options.alarmPeriodMs ?? 60_000;
  let step = 0;
  const tick = (): number => {
    step += 1;
    const elapsed = step * intervalMs;
    const wave = Math.sin((2 * Math.PI * elapsed) / 20_000);
    server.set('Boiler.Temperature', simulatedTemperature(elapsed, periodMs));
    server.set('Boiler.Pressure', Math.round((1.2 + 0.05 * wave) * 1000) / 1000);
    server.set('Boiler.Counter', step % 4_294_967_296);
    server.set('Boiler.Running', Math.floor(step / 30) % 2 === 0);
    for (let m = 1; m <= 3; m++) {
      server.set(`Line1.Motor${m}.Speed`, Math.round(1000 * m * (1 + 0.02 * Math.sin(elapsed / 5000 + m))));
      server.set(`Line1.Motor${m}.Current`, Math.round(150 * m * (1 + 0.05 * wave)) / 100);
    }
    server.set('Arrays.Double', new Float64Array([wave, wave * 2, step]));
    return step;
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    ...server,
    tick,
    async stop() {
      clearInterval(timer);
      await server.stop();
    },
  };
}
