import ModbusRTU from 'modbus-serial';

/** An RTU device on a serial port whose answers can be made slow, as a busy drive's or meter's are. */
export interface SlowRtuDevice {
  /** Milliseconds each holding-register answer waits before it goes out; 0 answers at once. */
  delayMs: number;
  /** Reads asked so far. */
  asked: number;
  close(): Promise<void>;
}

/**
 * modbus-serial's ServerSerial on `path` (8N1 at 9600), answering every unit id: holding register
 * N holds 1000 + N. Reads of two registers or more wait `delayMs` first (settable while it runs).
 */
export async function startSlowRtuDevice(path: string): Promise<SlowRtuDevice> {
  const device = { delayMs: 0, asked: 0 };
  const server = new ModbusRTU.ServerSerial(
    {
      getMultipleHoldingRegisters: (address: number, count: number, _unit: number, done: (err: Error | null, values: number[]) => void) => {
        device.asked += 1;
        const values = Array.from({ length: count }, (_, i) => 1000 + address + i);
        if (device.delayMs === 0) done(null, values);
        else setTimeout(() => done(null, values), device.delayMs);
      },
    },
    { path, baudRate: 9600, unitID: 255 } as never,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('initialized', () => resolve());
    server.once('error', reject);
  });
  let closing: Promise<void> | undefined;
  return Object.assign(device, {
    close: () => (closing ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  });
}
