/**
 * J1939 DBC files often define one PGN several times, once per sender: CCVS1 (PGN 65265) from
 * the engine (0x18FEF100) and from the instrument cluster (0x18FEF117), each with the signals
 * that sender fills. Such messages are told apart by the source address of the frame; the
 * first of them also reads the PGN from any sender no message names.
 */
import { pgnOf } from '../bits/j1939.js';
import type { DbcMessage } from '../dbc/types.js';

/** The lookup key of a PGN from one sender: the PGN and the source address of a 29-bit id. */
export function senderKey(id: number): number {
  return pgnOf(id) * 256 + (id & 0xff);
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
export function senderText(sourceAddress: number | undefined, readsOthers: boolean): string {
  if (sourceAddress === undefined) return 'any source address';
  return readsOthers ? `source address ${sourceAddress} and any other no message names` : `source address ${sourceAddress}`;
}
