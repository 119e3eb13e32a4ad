import type { BleBridgeError } from '../errors.js';

/** One characteristic to read or subscribe to. */
export interface GattCharacteristicSpec {
  /** Service UUID; default: whichever service of the device has the characteristic. */
  service?: string;
  /** Characteristic UUID (`2a37`, `0x2A37`, or 128-bit). */
  characteristic: string;
  /** `notify` subscribes; `read` reads now and then every `intervalMs`. */
  mode: 'notify' | 'read';
  /** read: time between reads, in ms. Default 60 000, at least 100. */
  intervalMs?: number;
}

/** A device to connect to. */
export interface GattTarget {
  /** The device's name in events and readings (the mapping's device name). */
  name: string;
  /** Its address, `aa:bb:cc:dd:ee:ff` (any spelling `normalizeAddress` accepts). */
  address: string;
  characteristics: GattCharacteristicSpec[];
}

/** A value read or notified. */
export interface GattReading {
  device: string;
  address: string;
  /** Normalized service and characteristic UUIDs. */
  service: string;
  characteristic: string;
  /** The value, at most 512 bytes (the ATT maximum). */
  data: Uint8Array;
  /** When it arrived, ms since the epoch. */
  t: number;
  notification: boolean;
}

/** What the client went through with one device. */
export type GattEvent =
  | { type: 'connecting'; device: string; attempt: number }
  | { type: 'connected'; device: string }
  | { type: 'disconnected'; device: string; reason: string; retryInMs: number }
  | { type: 'connect_failed'; device: string; error: BleBridgeError; retryInMs: number }
  | { type: 'missing'; device: string; characteristic: string; message: string }
  | { type: 'read_failed'; device: string; characteristic: string; message: string }
  /** Something odd that needs no action (a disconnect the adapter never confirmed). */
  | { type: 'warning'; device: string; message: string };

/** Where a device's connection stands. */
export type GattDeviceState = 'waiting' | 'queued' | 'connecting' | 'connected' | 'backoff' | 'stopped';

/** One device's connection, as `status()` reports it. */
export interface GattDeviceStatus {
  device: string;
  address: string;
  state: GattDeviceState;
  /** Consecutive failed connection attempts. */
  failures: number;
  /** Readings delivered over all connections. */
  readings: number;
}
