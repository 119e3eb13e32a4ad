import type { CounterMemory } from './bthome-counter.js';
import type { CounterPace } from './_counter-pace.js';

/** What one device sent last: its packet id, its encryption counter, and a counter restart under way. */
export interface BthomeDeviceMemory extends CounterMemory {
  packetId?: number;
  /** A wrapping counter's pace (pvvx/ATC: one byte), to tell when it can no longer be compared. */
  pace?: CounterPace;
}

/** Devices remembered by default; the least recently heard is forgotten past this. */
export const DEFAULT_BTHOME_DEVICES = 10_000;

/**
 * Per-device memory across adverts, which BTHome needs to drop repeats (same packet id, same
 * encryption counter) and to refuse replays (a counter lower than the last one accepted).
 * Bounded: past `maxDevices` the device heard least recently is forgotten, so a flood of
 * random addresses cannot grow it, and each device's memory is a few numbers. A device whose
 * counter restarts (a battery change) is accepted again once its lower counters have risen for
 * the device's `counter_restart_after_s` (see `judgeCounter`), or after the bridge restarts.
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

  /**
   * Keeps `address`'s memory as it is now: the function returned puts it back, so that an advert
   * decoded meanwhile whose points could not be delivered (the sink blocked) is not taken as
   * read, and its next copy is no repeat.
   */
  hold(address: string): () => void {
    const memory = this.device(address);
    const saved: BthomeDeviceMemory = { ...memory, ...(memory.restart ? { restart: { ...memory.restart } } : {}) };
    return () => {
      delete memory.packetId;
      delete memory.counter;
      delete memory.restart;
      delete memory.pace;
      Object.assign(memory, saved);
    };
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
