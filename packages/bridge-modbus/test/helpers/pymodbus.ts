import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** A point the pymodbus server wrote, with the value it wrote. */
export interface PyPoint {
  table: 'coil' | 'discrete' | 'input' | 'holding';
  address: number;
  type: string;
  byte_order?: string;
  length?: number;
  bit?: number;
  /** A bitfield's width. */
  bits?: number;
  /** The byte an int8 or uint8 reads. */
  byte?: 'high' | 'low';
  value: number | string | boolean;
}

/** A request of a busy unit, as the server saw it (`--busy`). */
export interface PyBusyRequest {
  unit: number;
  function: number;
  address: number | null;
  count: number | null;
  /** When it arrived, on the server's monotonic clock, in ms. */
  t: number;
  /** The exception it was answered with; null when it was answered with data. */
  exception: number | null;
}

/** Units that answer busy: unit id to [exception code (6 or 5), how many requests of each read (function and address) get it, null: all]. */
export type PyBusySpec = Record<number, [number, number | null]>;

/** A running pymodbus server (a Python child process). */
export interface PyModbusServer {
  /** TCP port, or null for a serial server. */
  port: number | null;
  units: number[];
  /** Points of unit 1 (unit N differs in holding 211 = N*100 and the string "PYMODBUS-N"). */
  points: PyPoint[];
  /** With `busy`: every request of a busy unit so far, in the order it arrived. */
  busyRequests: PyBusyRequest[];
  close(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('../fixtures/pymodbus-server.py', import.meta.url));
// Debian's python3-pymodbus lives in the system interpreter; `python3` may be a pyenv shim.
const PYTHON = '/usr/bin/python3';

/** Options of {@link startPyModbus}. */
export interface PyModbusOptions {
  /** Units that answer busy. */
  busy?: PyBusySpec;
  /** Holding registers per unit (default 400). */
  registers?: number;
  /** The TCP port to listen on (default: one the OS picks), to stand in for a device replaced at the same address. */
  port?: number;
}

/** Starts `pymodbus-server.py MODE [ARG] [--busy JSON] [--registers N] [--port N]` and waits for its JSON line. */
export async function startPyModbus(mode: 'tcp' | 'rtu-over-tcp' | 'serial' | 'gateway', arg?: string, options: PyModbusOptions = {}): Promise<PyModbusServer> {
  const extra = [
    ...(options.busy ? ['--busy', JSON.stringify(options.busy)] : []),
    ...(options.registers === undefined ? [] : ['--registers', String(options.registers)]),
    ...(options.port === undefined ? [] : ['--port', String(options.port)]),
  ];
  const child: ChildProcess = spawn(PYTHON, [SCRIPT, mode, ...(arg ? [arg] : []), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`pymodbus server exited with ${code}: ${stderr}`)));
    child.once('error', reject);
  });
  const info = JSON.parse(first) as { port: number | null; units: number[]; points: PyPoint[] };
  const busyRequests: PyBusyRequest[] = [];
  lines.on('line', (line) => busyRequests.push(JSON.parse(line) as PyBusyRequest));
  return {
    ...info,
    busyRequests,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
