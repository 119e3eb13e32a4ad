import type { AddressType } from '../advert/advert.js';

/** One advert's payload as a simulated device sends it (noble's field names). */
export interface SimulatedAdvertisement {
  manufacturerData?: Uint8Array;
  serviceData?: { uuid: string; data: Uint8Array }[];
  serviceUuids?: string[];
  txPowerLevel?: number;
  /** The RSSI the adapter measures for this advert, dBm. Default the device's `rssi`. */
  rssi?: number;
}

/** A characteristic of a simulated device. */
export interface SimulatedCharacteristic {
  /** 16-bit or 128-bit UUID, e.g. `2a37`. */
  uuid: string;
  /** noble's property names: `read`, `notify`, `write`, ... */
  properties: string[];
  /** The value a read returns now. */
  read?(): Uint8Array;
  /** The value of the next notification, when subscribed. */
  notify?(): Uint8Array;
}

/** A service of a simulated device. */
export interface SimulatedService {
  uuid: string;
  characteristics: SimulatedCharacteristic[];
}

/** A device the simulated adapter can hear and connect to. */
export interface SimulatedDevice {
  /** `aa:bb:cc:dd:ee:ff`. */
  address: string;
  /** Default `public`. */
  addressType?: AddressType;
  /** Local name, sent in the scan response: passive scans do not see it. */
  name?: string;
  /** Accepts connections. Default: true when it has services. */
  connectable?: boolean;
  /** Default RSSI, dBm. Default -60. */
  rssi?: number;
  /** The payload of its next advert; called each time it advertises. */
  advertise?(): SimulatedAdvertisement;
  /** GATT services, for connectable devices. */
  services?: SimulatedService[];
}
