/** Devices remembered to have gone silent (their `presence` event sent): the most, the oldest forgotten first. */
export const SILENCED_KEPT = 10_000;

/**
 * The devices whose silence was announced with a `presence` event and that were not heard since,
 * by tracking key (an address, or an identity's key), so that one heard again says it is back
 * (`presence` = `present`) and its presence series does not stay `silent`. Bounded: past
 * {@link SILENCED_KEPT}, the device silent longest is forgotten (heard again, it then sends no
 * `present`, only its values).
 */
export class SilencedDevices {
  private readonly keys = new Set<string>();

  /** `key`'s silence was announced. */
  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > SILENCED_KEPT) this.keys.delete(this.keys.values().next().value as string);
  }

  /** Whether `key`'s silence was announced (and it was not heard since). */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Whether `key`'s silence was announced; forgets it (it is heard again). */
  takeBack(key: string): boolean {
    return this.keys.delete(key);
  }
}
