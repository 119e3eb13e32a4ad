import { pgnOf } from './bits/j1939.js';
import type { DbcMessage } from './dbc/types.js';
import type { MessageDecoder } from './decode/message-decoder.js';
import { formatId } from './resolve.js';

/**
 * The extended messages read only at their exact id (`j1939: false`, or `auto` with a DBC that
 * does not say `ProtocolType "J1939"`), by PGN: a truck's frame of such a PGN from another source
 * address (or priority) is unknown, and says which message it would be.
 */
export function exactIdPgns(decoders: readonly MessageDecoder[]): Map<number, DbcMessage> {
  const pgns = new Map<number, DbcMessage>();
  for (const { message, byPgn } of decoders) {
    if (!message.extended || byPgn) continue;
    const pgn = pgnOf(message.id);
    if (!pgns.has(pgn)) pgns.set(pgn, message);
  }
  return pgns;
}

/** The message of the DBC files an unknown extended id shares its PGN with (see {@link exactIdPgns}). */
export function samePgnMessage(pgns: ReadonlyMap<number, DbcMessage>, id: number, extended: boolean): DbcMessage | undefined {
  return extended && pgns.size > 0 ? pgns.get(pgnOf(id)) : undefined;
}

/** What an unknown id that shares its PGN with `message` is told: how to read it. */
export function samePgnHint(message: DbcMessage): string {
  const pgn = pgnOf(message.id).toString(16).toUpperCase().padStart(4, '0');
  return `its PGN 0x${pgn} is that of ${message.name}, which the DBC defines at ${formatId(message.id, true)} and is read only at that exact id (j1939: auto reads by PGN only the messages of a DBC that says ProtocolType "J1939"): set j1939: true to read a PGN from every source address`;
}
