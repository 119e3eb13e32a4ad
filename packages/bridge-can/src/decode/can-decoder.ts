import type { DbcDatabase, DbcMessage, DbcProblem } from '../dbc/types.js';
import { destinationOf, j1939Address, pgnOf, type J1939Address } from '../bits/j1939.js';
import { addressedPgns, addressKey, senderKey, sharedPgns } from './j1939-senders.js';
import { compileMessageDecoder, type DecodedMessage, type MessageDecoder } from './message-decoder.js';

/** Options of {@link createCanDecoder}. */
export interface CanDecoderOptions {
  /**
   * J1939 matching: `'auto'` (default) matches by PGN the messages the DBC marks as J1939
   * (`ProtocolType "J1939"`, `VFrameFormat` J1939PG); `true` every extended-id message; `false` none.
   */
  j1939?: 'auto' | boolean;
}

/** What the decoder needs of a frame (a {@link CanFrame} has it). */
export interface CanFrameInput {
  id: number;
  extended: boolean;
  data: Uint8Array;
  rtr?: boolean;
  error?: boolean;
}

/** A decoded frame; J1939 messages carry the identifier's fields (the source address becomes a tag). */
export interface FrameDecodeResult extends DecodedMessage {
  j1939?: J1939Address;
}

/** Every message of a database compiled, and the lookup from bus ids to them. */
export interface CanDecoder {
  readonly database: DbcDatabase;
  readonly decoders: readonly MessageDecoder[];
  /** Messages left out because another one already has their id or PGN (`duplicate_id`). */
  readonly problems: readonly DbcProblem[];
  /**
   * The decoder for a bus id: exact ids first, then for extended ids the J1939 message of its PGN,
   * destination and source address (a PDU1 PGN the DBC defines per destination), of its PGN and
   * source address (a PGN defined once per sender), of its PGN and destination, then of its PGN alone.
   */
  find(id: number, extended: boolean): MessageDecoder | undefined;
  /**
   * Decodes one frame. `undefined` for ids the database does not define, and for error and
   * remote frames (they carry no signal data; the caller tells them apart by `error` / `rtr`).
   * Never throws.
   */
  decode(frame: CanFrameInput): FrameDecodeResult | undefined;
}

function conflict(kept: DbcMessage, dropped: DbcMessage, what: string): DbcProblem {
  return {
    kind: 'duplicate_id',
    ...dropped.location,
    message: `message ${dropped.name} has the ${what} of ${kept.name} (${kept.location.file}:${kept.location.line}); it is not decoded`,
  };
}

/** Compiles every message of `database` once. */
export function createCanDecoder(database: DbcDatabase, options: CanDecoderOptions = {}): CanDecoder {
  const mode = options.j1939 ?? 'auto';
  const pgnMatched = (message: DbcMessage): boolean => message.extended && (mode === true || (mode === 'auto' && message.j1939));
  // Standard ids index an array (11 bits); extended ids and PGNs use maps.
  const standard = new Array<MessageDecoder | undefined>(2048).fill(undefined);
  const extended = new Map<number, MessageDecoder>();
  // The first message of each PGN reads it from any sender; a PGN several messages define
  // (one per sender: CCVS1 from the engine and from the cluster) is read from each message's
  // own sender with that message; a PDU1 PGN defined per destination (Proprietary A to the
  // engine and to the transmission) with the message of the frame's destination and sender.
  const byPgn = new Map<number, MessageDecoder>();
  const bySender = new Map<number, MessageDecoder>();
  const byDestination = new Map<number, MessageDecoder>();
  const byAddress = new Map<number, MessageDecoder>();
  const matched = database.messages.filter(pgnMatched);
  const shared = sharedPgns(matched);
  const addressed = addressedPgns(matched);
  const destinationKey = (id: number): number => pgnOf(id) * 256 + ((id >>> 8) & 0xff);
  const decoders: MessageDecoder[] = [];
  const problems: DbcProblem[] = [];
  for (const message of database.messages) {
    if (pgnMatched(message)) {
      const pgn = pgnOf(message.id);
      const sender = shared.has(pgn) ? senderKey(message.id) : undefined;
      const address = addressed.has(pgn) ? addressKey(message.id) : undefined;
      const kept = address !== undefined ? byAddress.get(address) : sender === undefined ? byPgn.get(pgn) : bySender.get(sender);
      if (kept) {
        const destination = address === undefined ? '' : `, destination address ${destinationOf(message.id)}`;
        problems.push(conflict(kept.message, message, `J1939 PGN ${pgn}${destination} and source address ${message.id & 0xff}`));
        continue;
      }
      const decoder = compileMessageDecoder(message, {
        byPgn: true,
        ...(sender === undefined ? {} : { sourceAddress: message.id & 0xff, readsOtherSenders: !byPgn.has(pgn) }),
        ...(address === undefined ? {} : { destinationAddress: destinationOf(message.id)! }),
      });
      if (address !== undefined) {
        byAddress.set(address, decoder);
        if (!byDestination.has(destinationKey(message.id))) byDestination.set(destinationKey(message.id), decoder);
      }
      if (sender !== undefined && !bySender.has(sender)) bySender.set(sender, decoder);
      if (!byPgn.has(pgn)) byPgn.set(pgn, decoder);
      decoders.push(decoder);
      continue;
    }
    const kept = message.extended ? extended.get(message.id) : standard[message.id];
    if (kept) {
      problems.push(conflict(kept.message, message, `id 0x${message.id.toString(16).toUpperCase()}`));
      continue;
    }
    const decoder = compileMessageDecoder(message);
    if (message.extended) extended.set(message.id, decoder);
    else standard[message.id] = decoder;
    decoders.push(decoder);
  }
  const find = (id: number, isExtended: boolean): MessageDecoder | undefined => {
    if (!isExtended) return standard[id];
    const exact = extended.get(id);
    if (exact !== undefined || byPgn.size === 0) return exact;
    return (
      (byAddress.size === 0 ? undefined : byAddress.get(addressKey(id))) ??
      (bySender.size === 0 ? undefined : bySender.get(senderKey(id))) ??
      (byDestination.size === 0 ? undefined : byDestination.get(destinationKey(id))) ??
      byPgn.get(pgnOf(id))
    );
  };
  return {
    database,
    decoders,
    problems,
    find,
    decode(frame) {
      if (frame.error || frame.rtr) return undefined;
      const decoder = find(frame.id, frame.extended);
      if (!decoder) return undefined;
      const result: FrameDecodeResult = decoder.decode(frame.data);
      if (decoder.byPgn) result.j1939 = j1939Address(frame.id);
      return result;
    },
  };
}
