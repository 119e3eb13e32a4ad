import { EventEmitter } from 'node:events';
import { normalizeUuid } from '../advert/advert.js';
import type { NobleBindings, NobleState } from '../adapter/noble-types.js';
import type { SimulatedCharacteristic, SimulatedDevice } from './sim-device.js';

/** Options of {@link SimulatedBindings}. */
export interface SimulatedBindingsOptions {
  devices?: SimulatedDevice[];
  /** The state the adapter reports when noble initializes it. Default `poweredOn`. */
  initialState?: NobleState;
  /** Thrown by `init()`, as noble's HCI bindings throw a socket error (`ENODEV`, `EPERM`). */
  initError?: Error;
}

/** HCI reason "remote user terminated connection" (a device walking away reads the same to noble). */
export const REMOTE_USER_TERMINATED = 0x13;
const LOCAL_HOST_TERMINATED = 0x16;

const idOf = (address: string): string => address.replace(/:/g, '').toLowerCase();
const sameUuid = (a: string, b: string): boolean => (normalizeUuid(a) ?? a) === (normalizeUuid(b) ?? b);

/**
 * A Bluetooth adapter in memory that implements the bindings interface noble's
 * `with-bindings` entry drives (see noble's `lib/noble.js`): state changes, scanning with
 * manufacturer and service data (service-data UUIDs included, which noble's WebSocket
 * bindings lose), connect, services, characteristics, read, notify, disconnect. Every event
 * is emitted on a later turn of the event loop, as a real adapter's are. The test and demo
 * side (`advertise`, `powerOff`, `powerOn`, `dropConnection`, `setReachable`, `notifyAll`)
 * plays the radio.
 */
export class SimulatedBindings extends EventEmitter implements NobleBindings {
  private state: NobleState = 'unknown';
  private readonly devices = new Map<string, SimulatedDevice>();
  private scanning = false;
  private passive = false;
  private readonly connected = new Set<string>();
  private readonly unreachable = new Set<string>();
  private readonly subscriptions = new Map<string, { id: string; service: string; characteristic: SimulatedCharacteristic }>();
  /** What noble asked for, for tests: connects, reads, scan starts. */
  readonly counts = { connects: 0, reads: 0, scanStarts: 0, advertsSent: 0 };

  constructor(private readonly options: SimulatedBindingsOptions = {}) {
    super();
    for (const device of options.devices ?? []) this.addDevice(device);
  }

  private later(event: string, ...args: unknown[]): void {
    setImmediate(() => this.emit(event, ...args));
  }

  // ---- the radio (tests and the demo) ----

  /** Adds or replaces a device. */
  addDevice(device: SimulatedDevice): void {
    this.devices.set(idOf(device.address), device);
  }

  /** Every device's next advert, or `address`'s; heard only while scanning and powered on. Returns adverts sent. */
  advertise(address?: string): number {
    if (!this.scanning || this.state !== 'poweredOn') return 0;
    let sent = 0;
    for (const [id, device] of this.devices) {
      if (address !== undefined && id !== idOf(address)) continue;
      const ad = device.advertise?.() ?? {};
      const connectable = device.connectable ?? (device.services?.length ?? 0) > 0;
      const advertisement = {
        localName: this.passive ? undefined : device.name,
        txPowerLevel: ad.txPowerLevel,
        manufacturerData: ad.manufacturerData ? Buffer.from(ad.manufacturerData) : undefined,
        serviceData: (ad.serviceData ?? []).map((s) => ({ uuid: s.uuid, data: Buffer.from(s.data) })),
        serviceUuids: [...(ad.serviceUuids ?? [])],
        solicitationServiceUuids: [],
      };
      this.later('discover', id, device.address, device.addressType ?? 'public', connectable, advertisement, ad.rssi ?? device.rssi ?? -60, connectable);
      sent += 1;
    }
    this.counts.advertsSent += sent;
    return sent;
  }

  /** The adapter powers off: scanning stops and every connection drops. */
  powerOff(): void {
    this.state = 'poweredOff';
    this.scanning = false;
    this.later('stateChange', 'poweredOff');
    for (const id of [...this.connected]) this.drop(id, LOCAL_HOST_TERMINATED);
  }

  /** The adapter powers on again; noble must start scanning again, as with a real one. */
  powerOn(): void {
    this.state = 'poweredOn';
    this.later('stateChange', 'poweredOn');
  }

  /** The link to `address` drops (the device walked away or rebooted). */
  dropConnection(address: string, reason = REMOTE_USER_TERMINATED): boolean {
    const id = idOf(address);
    if (!this.connected.has(id)) return false;
    this.drop(id, reason);
    return true;
  }

  /** While unreachable, connection attempts to `address` stay pending, as to a device out of range. */
  setReachable(address: string, reachable: boolean): void {
    if (reachable) this.unreachable.delete(idOf(address));
    else this.unreachable.add(idOf(address));
  }

  /** One notification from every subscribed characteristic. Returns how many were sent. */
  notifyAll(): number {
    let sent = 0;
    for (const { id, service, characteristic } of this.subscriptions.values()) {
      const value = characteristic.notify?.() ?? characteristic.read?.();
      if (!value) continue;
      this.later('read', id, service, characteristic.uuid, Buffer.from(value), true);
      sent += 1;
    }
    return sent;
  }

  /** Addresses connected now. */
  connections(): string[] {
    return [...this.connected].map((id) => this.devices.get(id)?.address ?? id);
  }

  /** True while noble has asked to scan and the adapter is on. */
  get isScanning(): boolean {
    return this.scanning && this.state === 'poweredOn';
  }

  private drop(id: string, reason: number): void {
    this.connected.delete(id);
    for (const [key, sub] of this.subscriptions) if (sub.id === id) this.subscriptions.delete(key);
    this.later('disconnect', id, reason);
  }

  private characteristic(id: string, serviceUuid: string, uuid: string): SimulatedCharacteristic | undefined {
    const service = this.devices.get(id)?.services?.find((s) => sameUuid(s.uuid, serviceUuid));
    return service?.characteristics.find((c) => sameUuid(c.uuid, uuid));
  }

  // ---- the bindings interface noble calls ----

  init(): void {
    if (this.options.initError) throw this.options.initError;
    this.state = this.options.initialState ?? 'poweredOn';
    this.later('addressChange', '00:00:5e:00:53:01');
    this.later('stateChange', this.state);
  }

  setScanMode(mode: 'active' | 'passive'): void {
    this.passive = mode === 'passive';
  }

  setScanParameters(): void {
    this.later('scanParametersSet');
  }

  startScanning(_serviceUuids: string[] | undefined, allowDuplicates: boolean | undefined): void {
    this.scanning = true;
    this.counts.scanStarts += 1;
    this.later('scanStart', !allowDuplicates);
  }

  stopScanning(): void {
    this.scanning = false;
    this.later('scanStop');
  }

  connect(id: string): void {
    this.counts.connects += 1;
    const device = this.devices.get(id);
    if (this.unreachable.has(id)) return;
    if (!device || this.state !== 'poweredOn' || !(device.connectable ?? (device.services?.length ?? 0) > 0)) {
      this.later('connect', id, new Error('Connection Failed to be Established (0x3e)'));
      return;
    }
    this.connected.add(id);
    this.later('connect', id, null);
  }

  cancelConnect(): void {
    // noble itself reports the cancelled attempt to the peripheral; nothing is pending here.
  }

  disconnect(id: string): void {
    if (this.connected.has(id)) this.drop(id, LOCAL_HOST_TERMINATED);
    else this.later('disconnect', id, LOCAL_HOST_TERMINATED);
  }

  reset(): void {
    this.later('stateChange', this.state);
  }

  updateRssi(id: string): void {
    this.later('rssiUpdate', id, this.devices.get(id)?.rssi ?? -60);
  }

  discoverServices(id: string, uuids: string[] | undefined): void {
    if (!this.connected.has(id)) return;
    const all = (this.devices.get(id)?.services ?? []).map((s) => s.uuid);
    this.later('servicesDiscover', id, uuids?.length ? all.filter((u) => uuids.some((w) => sameUuid(u, w))) : all);
  }

  discoverIncludedServices(id: string, serviceUuid: string): void {
    this.later('includedServicesDiscover', id, serviceUuid, []);
  }

  discoverCharacteristics(id: string, serviceUuid: string, uuids: string[] | undefined): void {
    if (!this.connected.has(id)) return;
    const service = this.devices.get(id)?.services?.find((s) => sameUuid(s.uuid, serviceUuid));
    const list = (service?.characteristics ?? []).filter((c) => !uuids?.length || uuids.some((w) => sameUuid(c.uuid, w)));
    this.later('characteristicsDiscover', id, serviceUuid, list.map((c) => ({ uuid: c.uuid, properties: c.properties })));
  }

  read(id: string, serviceUuid: string, uuid: string): void {
    if (!this.connected.has(id)) return;
    this.counts.reads += 1;
    const value = this.characteristic(id, serviceUuid, uuid)?.read?.();
    if (value) this.later('read', id, serviceUuid, uuid, Buffer.from(value), false);
  }

  write(id: string, serviceUuid: string, uuid: string): void {
    if (this.connected.has(id)) this.later('write', id, serviceUuid, uuid);
  }

  broadcast(id: string, serviceUuid: string, uuid: string, broadcast: boolean): void {
    this.later('broadcast', id, serviceUuid, uuid, broadcast);
  }

  notify(id: string, serviceUuid: string, uuid: string, enable: boolean): void {
    if (!this.connected.has(id)) return;
    const characteristic = this.characteristic(id, serviceUuid, uuid);
    const key = `${id}/${serviceUuid}/${uuid}`;
    if (enable && characteristic) this.subscriptions.set(key, { id, service: serviceUuid, characteristic });
    else this.subscriptions.delete(key);
    this.later('notify', id, serviceUuid, uuid, enable);
  }

  discoverDescriptors(id: string, serviceUuid: string, uuid: string): void {
    this.later('descriptorsDiscover', id, serviceUuid, uuid, []);
  }

  readValue(id: string, serviceUuid: string, uuid: string, descriptorUuid: string): void {
    this.later('valueRead', id, serviceUuid, uuid, descriptorUuid, Buffer.alloc(0));
  }

  writeValue(id: string, serviceUuid: string, uuid: string, descriptorUuid: string): void {
    this.later('valueWrite', id, serviceUuid, uuid, descriptorUuid);
  }

  readHandle(id: string, handle: number): void {
    this.later('handleRead', id, handle, Buffer.alloc(0));
  }

  writeHandle(id: string, handle: number): void {
    this.later('handleWrite', id, handle);
  }
}
