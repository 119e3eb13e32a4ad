import { hangupAwareBinding } from '@fieldbridge/core/bridge';
import type { SerialPort as SerialPortType } from 'serialport';
import type { MavlinkLink, ReconnectOptions } from './link.js';
import type { SerialSpec } from './link-url.js';
import { createReconnectingLink, type OpenStream } from './_reconnecting.js';

type SerialPortClass = typeof SerialPortType;
interface SerialPortModule {
  SerialPort: SerialPortClass;
  /** The platform's binding, with ports that notice an unplugged adapter (the kit's). */
  binding: SerialPortClass['binding'];
}
let serialPortModule: Promise<SerialPortModule> | undefined;

/** serialport is a native module: imported on the first serial link only. */
function loadSerialPort(): Promise<SerialPortModule> {
  serialPortModule ??= import('serialport').then(({ SerialPort }) => ({ SerialPort, binding: hangupAwareBinding(SerialPort.binding) }));
  return serialPortModule;
}

function streamOf(port: SerialPortType): OpenStream {
  return {
    write: (bytes) => new Promise((resolve, reject) => port.write(Buffer.from(bytes), (err) => (err ? reject(err) : resolve()))),
    pause: () => port.pause(),
    resume: () => port.resume(),
    destroy: () =>
      new Promise((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}

/**
 * A serial port link (a USB autopilot, a telemetry radio). The port is reopened with backoff
 * when it cannot be opened or goes away (an unplugged adapter), so the link comes back by
 * itself when the device returns.
 */
export function createSerialLink(spec: SerialSpec, options: { reconnect?: ReconnectOptions } = {}): MavlinkLink {
  return createReconnectingLink(
    spec,
    `serial:${spec.path}`,
    async (events, signal) => {
      const { SerialPort, binding } = await loadSerialPort();
      if (signal.aborted) throw new Error('the link was closed while opening');
      return new Promise((resolve, reject) => {
        // SerialPort takes a `binding` in its options at run time; its type leaves it out.
        const options = { path: spec.path, baudRate: spec.baudRate, autoOpen: false, binding } as ConstructorParameters<SerialPortClass>[0];
        const port = new SerialPort(options);
        let lastError = 'the port closed';
        port.on('data', (bytes: Buffer) => events.data(bytes));
        port.on('error', (err: Error) => {
          lastError = err.message;
        });
        port.on('close', (err?: Error | null) => events.closed(err?.message ?? lastError));
        port.open((err) => (err ? reject(err) : resolve(streamOf(port))));
      });
    },
    options.reconnect,
  );
}
