import { BleBridgeError, isBleBridgeError } from '../errors.js';
import type { NobleState } from './noble-types.js';

// noble binds the raw HCI channel, for which CAP_NET_RAW is enough (CAP_NET_ADMIN only for its user channel, HCI_CHANNEL_USER, unused).
const SETCAP = 'sudo setcap cap_net_raw+eip "$(readlink -f "$(command -v node)")"';

/** The error for a noble state in which scanning cannot start, or undefined for usable/transient states. */
export function stateError(state: NobleState): BleBridgeError | undefined {
  switch (state) {
    case 'unauthorized':
      return new BleBridgeError('NO_PERMISSION', `the Bluetooth adapter refused this process (state unauthorized): raw HCI access needs the cap_net_raw capability (${SETCAP}) or root; on systems that restrict Bluetooth to the bluetooth group, also add the user to it (sudo usermod -aG bluetooth "$USER", then log in again)`);
    case 'unsupported':
      return new BleBridgeError('UNSUPPORTED_ADAPTER', 'the Bluetooth adapter does not support Bluetooth Low Energy (state unsupported): use a Bluetooth 4.0+ adapter, or pick another one with NOBLE_HCI_DEVICE_ID=<n> (see hciconfig -a)');
    default:
      return undefined;
  }
}

/**
 * Explains an error thrown while opening the adapter (noble's HCI socket throws errno errors
 * from `socket()` and `bind()`) as a {@link BleBridgeError} saying what is missing and what to
 * do. Errors that are already BleBridgeErrors pass through.
 */
export function explainAdapterError(err: unknown): BleBridgeError {
  if (isBleBridgeError(err)) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  const code = e?.code ?? '';
  const syscall = e?.syscall ? ` in ${e.syscall}()` : '';
  switch (code) {
    case 'EAFNOSUPPORT':
      return new BleBridgeError('NO_BLUETOOTH', `this kernel has no Bluetooth support (EAFNOSUPPORT${syscall}: the AF_BLUETOOTH address family is missing): load the modules (sudo modprobe bluetooth btusb), or in a container run with the host's network (--net=host); to work without hardware, replay a record file instead`, { cause: err });
    case 'EPERM':
    case 'EACCES':
      return new BleBridgeError('NO_PERMISSION', `no permission to open a raw Bluetooth HCI socket (${code}${syscall}): give node the cap_net_raw capability (${SETCAP}) or run as root; on systems that restrict Bluetooth to the bluetooth group, also add the user to it (sudo usermod -aG bluetooth "$USER")`, { cause: err });
    case 'ENODEV':
      return new BleBridgeError('NO_ADAPTER', `no Bluetooth adapter found (ENODEV${syscall}): plug one in or power it up (rfkill unblock bluetooth; sudo hciconfig hci0 up), check hciconfig -a, or choose one with NOBLE_HCI_DEVICE_ID=<n>`, { cause: err });
    case 'EBUSY':
      return new BleBridgeError('NO_ADAPTER', `the Bluetooth adapter is busy (EBUSY${syscall}): another program holds it in user-channel mode; stop it, or run bluetoothd alongside in normal mode`, { cause: err });
    default:
      return new BleBridgeError('NO_ADAPTER', `the Bluetooth adapter could not be opened: ${e?.message ?? String(err)}`, { cause: err });
  }
}
