import type { BridgeContext } from '@fieldbridge/core/bridge';
import { LastFrames } from './_repeats.js';
import { BthomeState } from './decode/bthome-state.js';
import { KEYED_DECODERS, type ResolvedBle } from './resolve.js';

/** What a source remembers of the adverts it read, to drop repeats and refuse replays. */
export interface RepeatMemory {
  /** BTHome packet ids and the encryption counters of BTHome, ATC1441 and pvvx, by address. */
  bthome: BthomeState;
  /** The last reading of each ATC, pvvx and Ruuvi device. */
  frames: LastFrames;
}

interface Kept extends RepeatMemory {
  /** The bind key each BTHome, ATC or pvvx device named by address had at the last start (undefined: none). */
  keys: Map<string, string | undefined>;
}

/**
 * The repeat memory of a source on `config`. Read off the air, it is kept across SIGHUP reloads
 * (`ctx.acrossReloads`): the sensors go on repeating their last reading and counter, which were
 * sent already (a reload would send each again), and a replayed advert is no less one after a
 * reload. A device whose bind key changed (a sensor paired anew) starts afresh. A replay file
 * starts over at a reload, as its looping passes do: it gets a memory of its own each time.
 */
export function repeatMemory(ctx: BridgeContext, config: ResolvedBle): RepeatMemory {
  if (config.source.kind === 'replay') return { bthome: new BthomeState(), frames: new LastFrames() };
  const kept = ctx.acrossReloads<Kept>('repeats', () => ({ bthome: new BthomeState(), frames: new LastFrames(), keys: new Map() }));
  const keys = new Map<string, string | undefined>();
  for (const device of config.devices) {
    if (!KEYED_DECODERS.has(device.decoder) || device.match.by !== 'address') continue;
    const { address } = device.match;
    const key = device.bindKey ? Buffer.from(device.bindKey).toString('hex') : undefined;
    if (kept.keys.has(address) && kept.keys.get(address) !== key) kept.bthome.forget(address);
    keys.set(address, key);
  }
  kept.keys = keys;
  return kept;
}
