import net from 'node:net';
import { hangupAwareBinding } from '@fieldbridge/core/bridge';
import { FrameGap, RTU_MIN_FRAME_GAP_MS, rtuFrameGapMs } from './_frame-gap.js';
import { LateAnswerWatch, type FramedPort } from './_late-answer.js';
import { StrayReplies } from './_stray-replies.js';
import type { ModbusTable } from './config.js';
import { formatConnection, type ConnectionSpec } from './connection-url.js';
import { exceptionName, ModbusBridgeError } from './errors.js';
import { serialOpenMessage } from './serial-open-error.js';

type Callback<T> = (err: unknown, result: T) => void;

/** The part of modbus-serial's `ModbusRTU` this package uses. */
interface RawClient {
  setTimeout(ms: number): void;
  writeFC1(unit: number, address: number, count: number, next: Callback<{ data: boolean[] }>): void;
  writeFC2(unit: number, address: number, count: number, next: Callback<{ data: boolean[] }>): void;
  writeFC3(unit: number, address: number, count: number, next: Callback<{ data: number[] }>): void;
  writeFC4(unit: number, address: number, count: number, next: Callback<{ data: number[] }>): void;
  linkTCP(socket: net.Socket, options: { port: number }): Promise<void>;
  linkTelnet(socket: net.Socket, options: { port: number }): Promise<void>;
  open(callback: (err?: unknown) => void): void;
  on(event: 'close', listener: () => void): void;
  on(event: 'error', listener: (err: unknown) => void): void;
  close(callback: (err?: unknown) => void): void;
}

/** An open connection to one line: reads, and hears when the line goes away. */
export interface ModbusClient {
  /** Reads `count` addresses of `table` from unit `unitId`. Rejects with a {@link ModbusBridgeError}. */
  read(table: ModbusTable, unitId: number, address: number, count: number, timeoutMs: number): Promise<number[] | boolean[]>;
  /** Called once when the connection closes (not after `close()`). */
  onClose(listener: (reason: string) => void): void;
  /** Closes the connection; rejects nothing, resolves within a second. Idempotent. */
  close(): Promise<void>;
}

/** modbus-serial's buffered serial RTU port (`ModbusRTU.RTUBufferedPort`): an emitter of the serial port's events and of answers. */
interface RtuPort extends FramedPort {
  on(event: 'error', listener: (err: unknown) => void): void;
  on(event: 'data', listener: (frame: Buffer) => void): void;
}

/** The parts of modbus-serial this package constructs. */
interface ModbusSerial {
  new (port?: FramedPort): RawClient;
  RTUBufferedPort: new (path: string, options: Record<string, unknown>) => RtuPort;
  /** RTU frames over a socket; with `socket`, over one already connected. */
  TelnetPort: new (options: { socket: net.Socket; port: number }) => FramedPort;
}

/** Options of {@link openClient}. */
export interface OpenClientOptions {
  /**
   * On an RTU-framed line (a serial port, RTU over TCP), wait up to the request's timeout once
   * more after a timeout, for the late answer, before the next request (see `LateAnswerWatch`).
   * Default true. A scan that asks each unit id once may turn it off: a late answer from one id
   * is never taken for another's, since the unit id is checked.
   */
  waitForLateAnswers?: boolean;
}

/** Loads modbus-serial on first use, so importing this package does not. */
async function loadModbusSerial(): Promise<ModbusSerial> {
  const mod = (await import('modbus-serial')) as unknown as { default: ModbusSerial };
  return mod.default;
}

let serialBinding: Promise<unknown> | undefined;

/**
 * serialport's platform binding with ports that notice an unplugged adapter (the kit's), loaded
 * on the first serial line only: modbus-serial opens its port with the options it is given.
 */
function loadSerialBinding(): Promise<unknown> {
  serialBinding ??= import('serialport').then(({ SerialPort }) => hangupAwareBinding(SerialPort.binding));
  return serialBinding;
}

/** Opens a TCP socket, failing after `timeoutMs` (or when `signal` aborts) instead of waiting for the OS. */
function connectSocket(host: string, port: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const fail = (message: string, cause?: unknown): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new ModbusBridgeError('CONNECT_FAILED', message, { cause }));
    };
    const onAbort = (): void => fail(`connecting to ${host}:${port} was cancelled: the bridge is stopping`);
    const timer = setTimeout(() => fail(`no TCP answer from ${host}:${port} within ${timeoutMs} ms`), timeoutMs);
    const onError = (err: Error): void => fail(`cannot connect to ${host}:${port}: ${err.message}`, err);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      socket.setNoDelay(true);
      // Keep-alive probes find a PLC that vanished without closing the socket.
      socket.setKeepAlive(true, 10_000);
      resolve(socket);
    });
  });
}

/** Turns what modbus-serial hands its callbacks into a {@link ModbusBridgeError}. */
export function toModbusError(err: unknown, what: string): ModbusBridgeError {
  if (err instanceof ModbusBridgeError) return err;
  const e = (err ?? {}) as { modbusCode?: unknown; name?: unknown; errno?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.modbusCode === 'number') {
    return new ModbusBridgeError('EXCEPTION', `${what}: exception ${e.modbusCode} ${exceptionName(e.modbusCode)}`, { cause: err, exceptionCode: e.modbusCode });
  }
  if (e.errno === 'ETIMEDOUT' || e.name === 'TransactionTimedOutError') return new ModbusBridgeError('TIMEOUT', `${what}: no answer`, { cause: err });
  if (e.name === 'PortNotOpenError') return new ModbusBridgeError('DISCONNECTED', `${what}: not connected`, { cause: err });
  return new ModbusBridgeError('BAD_RESPONSE', `${what}: ${message}`, { cause: err });
}

/** The timeout of a request whose answer came after all, too late to be used. */
function lateAnswerError(what: string, answeredAfterMs: number, timeoutMs: number, cause: ModbusBridgeError): ModbusBridgeError {
  return new ModbusBridgeError('TIMEOUT', `${what}: answered after ${answeredAfterMs} ms, later than the timeout of ${timeoutMs} ms; the answer was dropped`, { cause, answeredAfterMs });
}

/** The timeout of a Modbus TCP request while a reply for another transaction id came, and was dropped. */
function strayReplyError(what: string, strayTransactionId: number, cause: ModbusBridgeError): ModbusBridgeError {
  return new ModbusBridgeError('TIMEOUT', `${what}: no answer with the request's transaction id; a reply with transaction id ${strayTransactionId} came and was dropped`, { cause, strayTransactionId });
}

/**
 * Opens `spec` through modbus-serial (loaded here, on first use). TCP and RTU-over-TCP use a
 * socket this function owns, so a drop is always seen; a serial line uses a buffered RTU port it
 * owns (modbus-serial's, on the kit's hang-up-aware binding). An RTU line (serial, or RTU over
 * TCP) keeps the specification's 3.5 character silence between an answer and the next request. On an RTU-framed line a timed-out
 * request waits for its late answer before the next one goes out (`options.waitForLateAnswers`).
 * Rejects with `CONNECT_FAILED`, also when `signal` aborts a TCP connect.
 */
export async function openClient(spec: ConnectionSpec, timeoutMs: number, signal?: AbortSignal, options: OpenClientOptions = {}): Promise<ModbusClient> {
  const ModbusRTU = await loadModbusSerial();
  const closeListeners: ((reason: string) => void)[] = [];
  const inFlight = new Set<(err: ModbusBridgeError) => void>();
  /** Aborted when the connection goes away, ending a wait for a late answer. */
  const gone = new AbortController();
  let late: LateAnswerWatch | undefined;
  /** On Modbus TCP, the replies that came, to tell a dropped one from silence. */
  let stray: StrayReplies | undefined;
  /**
   * On an RTU line, the silence kept between an answer and the next request. Through a
   * transparent converter (`rtu+tcp`) the bus is the converter's: its bytes go out as they come,
   * so a request sent at once could follow the answer on the bus sooner than its units allow. The
   * silence is counted from when the answer reached the bridge, later than it ended on the bus, so
   * the bus gets at least as much: 3.5 characters at the converter's `baud`, when given, else
   * the 1.75 ms every line needs.
   */
  const gapMs = spec.kind === 'rtu' ? rtuFrameGapMs(spec.baudRate) : spec.kind === 'rtu+tcp' ? (spec.baudRate === undefined ? RTU_MIN_FRAME_GAP_MS : rtuFrameGapMs(spec.baudRate)) : undefined;
  const gap = gapMs === undefined ? undefined : new FrameGap(gapMs);
  let closed = false;
  let shutDown = false;
  const lost = (reason: string): void => {
    if (closed) return;
    closed = true;
    gone.abort();
    for (const reject of inFlight) reject(new ModbusBridgeError('DISCONNECTED', `connection lost: ${reason}`));
    for (const listener of closeListeners) listener(reason);
  };
  const onError = (err: unknown): void => lost(`error: ${(err as { message?: string }).message ?? String(err)}`);
  let raw: RawClient;
  let shutdown: () => Promise<void>;
  if (spec.kind === 'rtu') {
    const port = new ModbusRTU.RTUBufferedPort(spec.path, { baudRate: spec.baudRate, parity: spec.parity, dataBits: spec.dataBits, stopBits: spec.stopBits, binding: await loadSerialBinding() });
    // The port is ours, not modbus-serial's: modbus-serial stops listening to its errors when it
    // closes it, and a write already under way still fails after that (EIO on an unplugged
    // adapter). Unheard, that error would end the process; heard here, it is one more sign the
    // line is gone.
    port.on('error', onError);
    late = new LateAnswerWatch(port);
    raw = new ModbusRTU(port);
    raw.on('error', onError);
    try {
      await new Promise<void>((resolve, reject) => raw.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw new ModbusBridgeError('CONNECT_FAILED', serialOpenMessage(spec.path, (err as Error).message), { cause: err });
    }
    raw.on('close', () => lost(`serial port ${spec.path} closed`));
    shutdown = () => new Promise((resolve) => {
      const guard = setTimeout(resolve, 1000);
      raw.close(() => {
        clearTimeout(guard);
        resolve();
      });
    });
  } else {
    const socket = await connectSocket(spec.host, spec.port, timeoutMs, signal);
    socket.on('error', (err) => lost(err.message));
    socket.on('close', () => lost(`${formatConnection(spec)} closed the connection`));
    if (spec.kind === 'tcp') {
      stray = new StrayReplies(socket);
      raw = new ModbusRTU();
      raw.on('error', onError);
      await raw.linkTCP(socket, { port: spec.port });
    } else {
      // The telnet port is made here rather than by linkTelnet, so its answers can be watched.
      const port = new ModbusRTU.TelnetPort({ socket, port: spec.port });
      late = new LateAnswerWatch(port);
      raw = new ModbusRTU(port);
      raw.on('error', onError);
      await new Promise<void>((resolve, reject) => raw.open((err) => (err ? reject(err) : resolve())));
    }
    shutdown = async () => {
      socket.destroy();
    };
  }

  /** One request and its answer (or the end of the wait for one). */
  const exchange = (table: ModbusTable, unitId: number, address: number, count: number, requestTimeoutMs: number): Promise<number[] | boolean[]> => {
    const what = `unit ${unitId} ${table} ${address}+${count}`;
    if (closed) return Promise.reject(new ModbusBridgeError('DISCONNECTED', `${what}: not connected`));
    return new Promise<number[] | boolean[]>((resolve, reject) => {
      const sentAt = performance.now();
      let waitingForLate = false;
      const settle = (err: ModbusBridgeError | undefined, data?: number[] | boolean[]): void => {
        if (!inFlight.has(rejectNow) || (waitingForLate && err?.code === 'TIMEOUT')) return;
        clearTimeout(guard);
        if (err?.code === 'TIMEOUT' && late && options.waitForLateAnswers !== false) {
          // Still in flight, so a lost connection ends it; nothing else is asked meanwhile.
          waitingForLate = true;
          void late.wait(sentAt, requestTimeoutMs, gone.signal).then((after) => {
            if (!inFlight.delete(rejectNow)) return;
            reject(after === undefined ? err : lateAnswerError(what, after, requestTimeoutMs, err));
          });
          return;
        }
        inFlight.delete(rejectNow);
        const strayId = err?.code === 'TIMEOUT' ? stray?.since(sentAt) : undefined;
        if (strayId !== undefined) reject(strayReplyError(what, strayId, err as ModbusBridgeError));
        else if (err) reject(err);
        else resolve(data ?? []);
      };
      const rejectNow = (err: ModbusBridgeError): void => settle(err);
      inFlight.add(rejectNow);
      // modbus-serial times the request itself; this guard only covers a callback that never comes.
      const guard = setTimeout(() => settle(new ModbusBridgeError('TIMEOUT', `${what}: no answer`)), requestTimeoutMs + 500);
      const next = (err: unknown, result: { data: number[] | boolean[] } | undefined): void => {
        if (err) settle(toModbusError(err, what));
        else settle(undefined, result?.data);
      };
      raw.setTimeout(requestTimeoutMs);
      try {
        if (table === 'coil') raw.writeFC1(unitId, address, count, next);
        else if (table === 'discrete') raw.writeFC2(unitId, address, count, next);
        else if (table === 'holding') raw.writeFC3(unitId, address, count, next);
        else raw.writeFC4(unitId, address, count, next);
      } catch (err) {
        settle(toModbusError(err, what));
      }
    });
  };

  return {
    async read(table, unitId, address, count, requestTimeoutMs) {
      await gap?.quiet();
      try {
        return await exchange(table, unitId, address, count, requestTimeoutMs);
      } finally {
        gap?.ended();
      }
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
    async close() {
      if (shutDown) return;
      shutDown = true;
      closeListeners.length = 0;
      lost('closed');
      await shutdown();
    },
  };
}
