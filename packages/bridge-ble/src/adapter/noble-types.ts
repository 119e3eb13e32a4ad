import type { EventEmitter } from 'node:events';

// The parts of @abandonware/noble 1.9.2-26 the bridge uses, typed here because its own
// index.d.ts describes the default singleton, not the instance `with-bindings` returns.

/** Adapter states noble reports. */
export type NobleState = 'unknown' | 'resetting' | 'unsupported' | 'unauthorized' | 'poweredOff' | 'poweredOn';

/** What noble collected from a device's adverts and scan responses. */
export interface NobleAdvertisement {
  localName?: string;
  txPowerLevel?: number;
  manufacturerData?: Buffer;
  serviceData?: { uuid: string; data: Buffer }[];
  serviceUuids?: string[];
}

/** A GATT characteristic. */
export interface NobleCharacteristic extends EventEmitter {
  uuid: string;
  properties: string[];
  readAsync(): Promise<Buffer>;
  subscribeAsync(): Promise<void>;
  unsubscribeAsync(): Promise<void>;
}

/** A GATT service. */
export interface NobleService extends EventEmitter {
  uuid: string;
  discoverCharacteristicsAsync(uuids?: string[]): Promise<NobleCharacteristic[]>;
}

/** A device noble has heard. */
export interface NoblePeripheral extends EventEmitter {
  id: string;
  address: string;
  addressType: string;
  connectable: boolean;
  advertisement: NobleAdvertisement;
  rssi: number;
  state: 'disconnected' | 'connecting' | 'connected' | 'disconnecting' | 'error';
  connectAsync(): Promise<void>;
  cancelConnect(): void;
  disconnectAsync(): Promise<void>;
  discoverServicesAsync(uuids?: string[]): Promise<NobleService[]>;
}

/** A noble instance (`require('@abandonware/noble/with-bindings')(bindings)`). */
export interface Noble extends EventEmitter {
  readonly state: NobleState;
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
}

/**
 * The interface noble's `lib/noble.js` drives: an EventEmitter that noble listens to
 * (`stateChange`, `scanStart`, `scanStop`, `discover`, `connect`, `disconnect`,
 * `servicesDiscover`, `characteristicsDiscover`, `read`, `notify`, ...) and calls into.
 */
export interface NobleBindings extends EventEmitter {
  init(): void;
  setScanParameters?(interval?: number, window?: number): void;
  startScanning(serviceUuids: string[] | undefined, allowDuplicates: boolean | undefined): void;
  stopScanning(): void;
  connect(peripheralUuid: string, parameters?: unknown): void;
  cancelConnect(peripheralUuid: string, parameters?: unknown): void;
  disconnect(peripheralUuid: string): void;
  reset?(): void;
  updateRssi(peripheralUuid: string): void;
  discoverServices(peripheralUuid: string, uuids: string[] | undefined): void;
  discoverIncludedServices(peripheralUuid: string, serviceUuid: string, serviceUuids: string[] | undefined): void;
  discoverCharacteristics(peripheralUuid: string, serviceUuid: string, characteristicUuids: string[] | undefined): void;
  read(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void;
  write(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, data: Buffer, withoutResponse: boolean): void;
  broadcast(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, broadcast: boolean): void;
  notify(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, notify: boolean): void;
  discoverDescriptors(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void;
  readValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string): void;
  writeValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string, data: Buffer): void;
  readHandle(peripheralUuid: string, handle: number): void;
  writeHandle(peripheralUuid: string, handle: number, data: Buffer, withoutResponse: boolean): void;
  /** Not noble's: bindings that can scan passively say so here (the simulator does). */
  setScanMode?(mode: 'active' | 'passive'): void;
}
