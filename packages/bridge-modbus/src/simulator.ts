import type { AddressInfo, Server } from 'node:net';
import type { ByteOrder, PointType } from './config.js';
import { encodeRegisters, type EncodeOptions } from './encode.js';

/** Options of {@link startModbusSimulator}. */
export interface ModbusSimulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 5020. */
  port?: number;
  /** Clock the moving values follow, in ms. Default `Date.now`. */
  now?: () => number;
}

/** A running simulator. */
export interface ModbusSimulator {
  /** `tcp://host:port`, ready for a mapping's `connection`. */
  url: string;
  port: number;
  /** Register read requests served so far, per table. */
  requests(): Record<'input' | 'holding', number>;
  /** Stops listening and drops clients. */
  close(): Promise<void>;
}

/** Registers at or past this address answer ILLEGAL DATA ADDRESS, to show exception handling. */
export const SIMULATOR_ILLEGAL_FROM = 1000;

type Signal = (t: number) => number;
interface Field extends EncodeOptions {
  address: number;
  type: PointType;
  order: ByteOrder;
  value: (t: number) => number | bigint | string | boolean;
}

const wave = (mean: number, amplitude: number, periodS: number): Signal => (t) => mean + amplitude * Math.sin((2 * Math.PI * t) / periodS);

/** The holding registers `examples/modbus/map.yaml` reads; `t` is seconds since start. */
const HOLDING: Field[] = [
  { address: 0, type: 'uint16', order: 'ABCD', value: (t) => Math.round(wave(600, 300, 120)(t)) },
  { address: 1, type: 'int16', order: 'ABCD', value: (t) => Math.round(wave(215, 40, 90)(t)) },
  { address: 2, type: 'float32', order: 'ABCD', value: wave(12.5, 2.5, 30) },
  { address: 4, type: 'float32', order: 'CDAB', value: wave(4.2, 0.4, 45) },
  { address: 6, type: 'uint32', order: 'ABCD', value: (t) => 100_000 + Math.floor(t * 3) },
  { address: 8, type: 'float64', order: 'ABCD', value: (t) => 1234.5 + t / 3600 },
  { address: 12, type: 'string', order: 'ABCD', length: 8, value: () => 'FB-SIM-01' },
  // A status word: bit 0 running, bit 1 alarm (on 10 s of every 60), bit 2 manual.
  { address: 20, type: 'bit', order: 'ABCD', bit: 0, value: () => true },
  { address: 20, type: 'bit', order: 'ABCD', bit: 1, value: (t) => t % 60 < 10 },
  { address: 20, type: 'bit', order: 'ABCD', bit: 2, value: () => false },
  { address: 21, type: 'int32', order: 'DCBA', value: (t) => Math.round(wave(-2000, 500, 20)(t)) },
  { address: 23, type: 'uint64', order: 'BADC', value: (t) => 5_000_000_000n + BigInt(Math.floor(t)) },
  // Two bytes in one register: the operating mode (1-3, each for 20 s) and a signed trim (-5..5).
  { address: 27, type: 'uint8', order: 'ABCD', byte: 'high', value: (t) => 1 + (Math.floor(t / 20) % 3) },
  { address: 27, type: 'int8', order: 'ABCD', byte: 'low', value: (t) => Math.round(wave(0, 5, 40)(t)) },
  { address: 28, type: 'float16', order: 'ABCD', value: wave(21.5, 1.5, 60) },
  // A drive word: the state (5, running), the gear (1-4, each for 15 s), a fault code (0).
  { address: 29, type: 'bitfield', order: 'ABCD', bit: 0, bits: 4, value: () => 5 },
  { address: 29, type: 'bitfield', order: 'ABCD', bit: 4, bits: 4, value: (t) => 1 + (Math.floor(t / 15) % 4) },
  { address: 29, type: 'bitfield', order: 'ABCD', bit: 8, bits: 8, value: () => 0 },
];

/** Input registers: vibration (uint16, x100) and motor speed (float32, DCBA). */
const INPUT: Field[] = [
  { address: 0, type: 'uint16', order: 'ABCD', value: (t) => Math.round(wave(250, 80, 7)(t)) },
  { address: 1, type: 'float32', order: 'DCBA', value: wave(1450, 30, 15) },
];

function illegal(address: number): void {
  if (address >= SIMULATOR_ILLEGAL_FROM) throw Object.assign(new Error('illegal data address'), { modbusErrorCode: 2 });
}

/** The words of every field at time `t`, by address; parts of a register are written into it in turn. */
function snapshot(fields: Field[], t: number): Map<number, number> {
  const words = new Map<number, number>();
  for (const f of fields) {
    encodeRegisters(f.type, f.value(t), f.order, { ...f, register: words.get(f.address) }).forEach((w, i) => words.set(f.address + i, w));
  }
  return words;
}

/**
 * A Modbus TCP server (modbus-serial's ServerTCP) with moving values, answering every unit
 * id: the peer for `examples/modbus/map.yaml` and for demos. Holding and input registers
 * follow slow waves and counters, coils and discrete inputs toggle; writes are kept.
 */
export async function startModbusSimulator(options: ModbusSimulatorOptions = {}): Promise<ModbusSimulator> {
  const { ServerTCP } = (await import('modbus-serial')).default as unknown as { ServerTCP: typeof import('modbus-serial').ServerTCP };
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const startedAt = now();
  const seconds = (): number => (now() - startedAt) / 1000;
  const counts = { input: 0, holding: 0 };
  const holdingWritten = new Map<number, number>();
  const coilsWritten = new Map<number, boolean>();
  const block = (fields: Field[], written: Map<number, number>, table: 'input' | 'holding') => (address: number, length: number): number[] => {
    counts[table] += 1;
    illegal(address + length - 1);
    const words = snapshot(fields, seconds());
    return Array.from({ length }, (_, i) => written.get(address + i) ?? words.get(address + i) ?? 0);
  };
  const bit = (value: (address: number, t: number) => boolean) => (address: number): boolean => {
    illegal(address);
    return value(address, seconds());
  };
  const server = new ServerTCP(
    {
      getMultipleHoldingRegisters: block(HOLDING, holdingWritten, 'holding'),
      getHoldingRegister: (address: number) => block(HOLDING, holdingWritten, 'holding')(address, 1)[0] ?? 0,
      getMultipleInputRegisters: block(INPUT, new Map(), 'input'),
      getInputRegister: (address: number) => block(INPUT, new Map(), 'input')(address, 1)[0] ?? 0,
      getCoil: bit((a, t) => coilsWritten.get(a) ?? (a === 0 ? true : a === 1 ? Math.floor(t / 20) % 2 === 1 : false)),
      getDiscreteInput: bit((a, t) => (a === 0 ? Math.floor(t / 15) % 4 === 0 : a === 1)),
      setRegister: (address: number, value: number) => {
        illegal(address);
        holdingWritten.set(address, value);
      },
      setCoil: (address: number, value: boolean) => {
        illegal(address);
        coilsWritten.set(address, value);
      },
    },
    // ServerTCP maps a numeric port 0 to 502; the string '0' reaches net.Server as "any free port".
    { host, port: (options.port === 0 ? '0' : (options.port ?? 5020)) as number, unitID: 255 },
  );
  // ServerTCP exposes no address(); its net.Server is the only place the bound port is known.
  const net = (server as unknown as { _server: Server })._server;
  await new Promise<void>((resolve, reject) => {
    server.once('initialized', () => resolve());
    server.once('serverError', (err: Error) => reject(err));
  });
  const port = (net.address() as AddressInfo).port;
  return {
    url: `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests: () => ({ ...counts }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
