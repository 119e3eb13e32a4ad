import type { AddressInfo, Server } from 'node:net';
import ModbusRTU from 'modbus-serial';

type Table = 'coil' | 'discrete' | 'input' | 'holding';

/** What the server holds; addresses missing from a map read as 0, addresses in `illegal` answer exception 2. */
export interface RegisterBank {
  holding?: Map<number, number>;
  input?: Map<number, number>;
  coils?: Map<number, boolean>;
  discrete?: Map<number, boolean>;
  /** `holding:12` style keys that answer ILLEGAL DATA ADDRESS. */
  illegal?: Set<string>;
  /** `holding:12` style keys whose reads are never answered (a device that ignores them). */
  silent?: Set<string>;
  /** Tables the device does not have: every read of them answers ILLEGAL FUNCTION (exception 1). */
  missingTables?: Set<Table>;
  /** Most registers one read may ask for; a longer read answers ILLEGAL DATA VALUE (exception 3), as devices that read fewer than 125 at once do. */
  maxRegisters?: number;
}

/** One register read the server saw (bit reads are not visible per request through ServerTCP's vector). */
export interface SeenRequest {
  table: 'input' | 'holding';
  address: number;
  count: number;
  unit: number;
}

/** A modbus-serial ServerTCP on a free loopback port. */
export interface TestServerTcp {
  port: number;
  url: string;
  /** Register requests served, in order. */
  seen: SeenRequest[];
  close(): Promise<void>;
  /** Closes and listens again on the same port (a PLC reboot). */
  restart(): Promise<void>;
}

function illegalError(): Error {
  return Object.assign(new Error('illegal data address'), { modbusErrorCode: 2 });
}

function createVector(bank: RegisterBank, seen: SeenRequest[]) {
  const check = (table: Table, address: number, count: number): void => {
    if (bank.missingTables?.has(table)) throw Object.assign(new Error('illegal function'), { modbusErrorCode: 1 });
    for (let a = address; a < address + count; a++) if (bank.illegal?.has(`${table}:${a}`)) throw illegalError();
  };
  const registers = (table: 'input' | 'holding') => (address: number, count: number, unit: number): number[] => {
    seen.push({ table, address, count, unit });
    if (count > (bank.maxRegisters ?? 125)) throw Object.assign(new Error('illegal data value'), { modbusErrorCode: 3 });
    check(table, address, count);
    for (let a = address; a < address + count; a++) {
      if (bank.silent?.has(`${table}:${a}`)) return Array.from({ length: count }, () => new Promise<number>(() => undefined)) as unknown as number[];
    }
    const map = (table === 'holding' ? bank.holding : bank.input) ?? new Map<number, number>();
    return Array.from({ length: count }, (_, i) => map.get(address + i) ?? 0);
  };
  const bit = (table: 'coil' | 'discrete') => (address: number): boolean => {
    check(table, address, 1);
    return (table === 'coil' ? bank.coils : bank.discrete)?.get(address) ?? false;
  };
  return {
    getMultipleHoldingRegisters: registers('holding'),
    getHoldingRegister: (address: number, unit: number) => registers('holding')(address, 1, unit)[0] ?? 0,
    getMultipleInputRegisters: registers('input'),
    getInputRegister: (address: number, unit: number) => registers('input')(address, 1, unit)[0] ?? 0,
    getCoil: bit('coil'),
    getDiscreteInput: bit('discrete'),
  };
}

async function listen(vector: ReturnType<typeof createVector>, port: number): Promise<{ server: InstanceType<typeof ModbusRTU.ServerTCP>; port: number }> {
  // ServerTCP turns a numeric 0 into 502; the string '0' reaches net.Server as "any free port".
  const server = new ModbusRTU.ServerTCP(vector, { host: '127.0.0.1', port: (port === 0 ? '0' : port) as number, unitID: 255 });
  await new Promise<void>((resolve, reject) => {
    server.once('initialized', () => resolve());
    server.once('serverError', (err: Error) => reject(err));
  });
  // ServerTCP exposes no address(); its net.Server is the only place the bound port is known.
  const bound = ((server as unknown as { _server: Server })._server.address() as AddressInfo).port;
  return { server, port: bound };
}

/** Starts a ServerTCP serving `bank` to every unit id, counting register requests. */
export async function startServerTcp(bank: RegisterBank): Promise<TestServerTcp> {
  const seen: SeenRequest[] = [];
  const vector = createVector(bank, seen);
  let current = await listen(vector, 0);
  const port = current.port;
  const close = (): Promise<void> => new Promise((resolve) => current.server.close(() => resolve()));
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    seen,
    close,
    async restart() {
      await close();
      current = await listen(vector, port);
    },
  };
}
