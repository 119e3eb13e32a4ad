/** What one device sent last: its packet id and its encryption counter. */
export interface BthomeDeviceMemory {
  packetId?: number;
  counter?: number;
}

/** Devices remembered by default; the least recently heard is forgotten past this. */
export const DEFAULT_BTHOME_DEVICES = 10_000;

/**
 * Per-device memory across adverts, which BTHome needs to drop repeats (same packet id, same
 * encryption counter) and to refuse replays (a counter lower than the last one accepted).
 * Bounded: past `maxDevices` the device heard least recently is forgotten, so a flood of
 * random addresses cannot grow it. Memory lasts for the process: a device whose counter
 * restarts after a battery change is refused (`replayed_counter`) until the bridge restarts.
 */
export class BthomeState {
  private readonly devices = new Map<string, BthomeDeviceMemory>();

  /** @param maxDevices Devices remembered, default {@link DEFAULT_BTHOME_DEVICES}. */
  constructor(private readonly maxDevices = DEFAULT_BTHOME_DEVICES) {}

  /** The memory of `address`, created on first use and marked as most recently heard. */
  device(address: string): BthomeDeviceMemory {
    let memory = this.devices.get(address);
    if (memory) {
      this.devices.delete(address);
    } else {
      memory = {};
      if (this.devices.size >= this.maxDevices) {
        const oldest = this.devices.keys().next();
        if (!oldest.done) this.devices.delete(oldest.value);
      }
    }
    this.devices.set(address, memory);
    return memory;
  }

  /** Devices remembered now. */
  get size(): number {
    return this.devices.size;
  }

  /** Forgets `address` (its next advert is accepted whatever its counter), or every device. */
  forget(address?: string): void {
    if (address === undefined) this.devices.clear();
    else this.devices.delete(address);
  }
}
