import { read as fsRead } from 'node:fs';

/**
 * What this module needs of a serialport port binding on Linux and macOS (`@serialport/bindings-cpp`
 * 13): the file descriptor (null once closed) and the poller that says when it is readable.
 * Described here, not imported, so the kit does not depend on serialport.
 */
interface UnixPort {
  fd: number | null;
  poller: { once(event: 'readable', listener: (err?: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }>;
}

/** A serialport binding: opens ports (`SerialPort.binding`, or any binding a user passes). */
interface Binding {
  open(options: never): Promise<object>;
}

const isUnixPort = (port: object): port is UnixPort => 'fd' in port && 'poller' in port && typeof (port as { read?: unknown }).read === 'function';

const WAIT_CODES = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/** An error serialport's stream ignores (`canceled`): the port was closed by its owner. */
function canceled(): Error {
  return Object.assign(new Error('the port is closed'), { canceled: true });
}

function readOnce(fd: number, buffer: Buffer, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => fsRead(fd, buffer, offset, length, null, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))));
}

function readable(port: UnixPort): Promise<void> {
  return new Promise((resolve, reject) => port.poller.once('readable', (err) => (err ? reject(err) : resolve())));
}

async function readUntilHangup(port: UnixPort, buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }> {
  for (;;) {
    const fd = port.fd;
    if (fd === null) throw canceled();
    let bytesRead: number;
    try {
      bytesRead = await readOnce(fd, buffer, offset, length);
    } catch (err) {
      if (!WAIT_CODES.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      if (port.fd === null) throw canceled();
      await readable(port);
      continue;
    }
    if (bytesRead > 0) return { bytesRead, buffer };
    // A terminal read returns 0 only once it is hung up: the USB adapter was unplugged, the
    // other end of a pty closed. Waiting cannot bring it back; the port must be reopened.
    throw new Error('the device went away (its port reads end of file: unplugged or hung up)');
  }
}

/**
 * `binding` with ports that report a hang-up. serialport's Linux and macOS bindings read again
 * at once when a read returns 0 bytes, and a hung-up terminal (an unplugged USB adapter, a pty
 * whose other end closed) returns 0 forever: the port spins a threadpool thread and never emits
 * `close`, so a bridge never notices the adapter is gone and never reopens it (serialport
 * bindings-cpp issue 162). Ports of this binding read the same way but end with an error on
 * 0 bytes, which the stream turns into `close` with a disconnect error. Ports of other
 * platforms are returned untouched.
 *
 * Use: `new SerialPort({ path, baudRate, binding: hangupAwareBinding(SerialPort.binding) })`.
 */
export function hangupAwareBinding<B extends Binding>(binding: B): B {
  return {
    ...binding,
    async open(options: never) {
      const port = await binding.open(options);
      if (isUnixPort(port)) port.read = (buffer, offset, length) => readUntilHangup(port, buffer, offset, length);
      return port;
    },
  };
}
