/**
 * J1939 DBC files often define one PGN several times, once per sender: CCVS1 (PGN 65265) from
 * the engine (0x18FEF100) and from the instrument cluster (0x18FEF117), each with the signals
 * that sender fills. Such messages are told apart by the source address of the frame; the
 * first of them also reads the PGN from any sender no message names.
 *
 * A PDU1 PGN (one sent to a destination: Proprietary A, 0xEF00, above all) is often defined
 * once per destination too, each with its own layout: such messages are told apart by the
 * destination address as well, and a frame to a destination no message names is read with the
 * sender's first message (else the PGN's first).
 */
import { destinationOf, pgnOf } from '../bits/j1939.js';
import type { DbcMessage } from '../dbc/types.js';

/** The lookup key of a PGN from one sender: the PGN and the source address of a 29-bit id. */
export function senderKey(id: number): number {
  return pgnOf(id) * 256 + (id & 0xff);
}

/** The lookup key of a PDU1 PGN from one sender to one destination. */
export function addressKey(id: number): number {
  return senderKey(id) * 256 + ((id >>> 8) & 0xff);
}

/** The PDU1 PGNs `messages` (each matched by PGN) define for more than one destination. */
export function addressedPgns(messages: readonly DbcMessage[]): Set<number> {
  const destinations = new Map<number, number>();
  const addressed = new Set<number>();
  for (const m of messages) {
    const destination = destinationOf(m.id);
    if (destination === undefined) continue;
    const pgn = pgnOf(m.id);
    const first = destinations.get(pgn);
    if (first === undefined) destinations.set(pgn, destination);
    else if (first !== destination) addressed.add(pgn);
  }
  return addressed;
}

/** The PGNs more than one of `messages` (each matched by PGN) defines with different senders. */
export function sharedPgns(messages: readonly DbcMessage[]): Set<number> {
  const senders = new Map<number, number>();
  const shared = new Set<number>();
  for (const m of messages) {
    const pgn = pgnOf(m.id);
    const first = senders.get(pgn);
    if (first === undefined) senders.set(pgn, m.id & 0xff);
    else if (first !== (m.id & 0xff)) shared.add(pgn);
  }
  return shared;
}

/**
 * Which senders a J1939 message is read from, for a person: `any source address`, or for a
 * message of a shared PGN `source address 23`, the first of them `source address 0 and any other
 * no message names`.
 */
export function senderText(sourceAddress: number | undefined, readsOthers: boolean, destinationAddress?: number): string {
  const to = destinationAddress === undefined ? '' : ` to destination ${destinationAddress}`;
  if (sourceAddress === undefined) return `any source address${to}`;
  return readsOthers ? `source address ${sourceAddress}${to} and any other no message names` : `source address ${sourceAddress}${to}`;
}
