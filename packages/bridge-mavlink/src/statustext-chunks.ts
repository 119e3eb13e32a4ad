import type { MessageDef } from './dialect.js';
import { payloadView, readElement, readString } from './payload.js';

/** One STATUSTEXT frame as far as reassembly needs it. */
export interface StatusTextChunk {
  sysid: number;
  compid: number;
  /** The `id` extension field: 0 for a text sent whole, else the long text this chunk belongs to. */
  id: number;
  /** The `chunk_seq` extension field: the chunk's place in its text, from 0. */
  chunkSeq: number;
  /** The chunk's text, up to its first NUL. */
  text: string;
  /** A NUL in the text field: the text's last chunk. */
  last: boolean;
}

/** A text put together: `first` is what the caller gave with the first chunk that arrived. */
export interface AssembledStatusText<T> {
  first: T;
  /** The whole text; a chunk that never came reads `…`. */
  text: string;
}

/** Options of {@link createStatusTextAssembler}. */
export interface StatusTextAssemblerOptions {
  /** A text whose last chunk has not come this long (ms) after its first is sent with what came. Default 2,000. */
  timeoutMs?: number;
  /** Texts held at once; past this the oldest is sent with what came. Default 64. */
  maxHeld?: number;
  /** Chunks one text may have (a text of up to 50 times this). Later chunks are sent as they are. Default 32. */
  maxChunks?: number;
}

interface Held<T> {
  first: T;
  atMs: number;
  texts: (string | undefined)[];
}

/**
 * Puts long STATUSTEXT messages back together. MAVLink 2 senders (PX4, newer ArduPilot) split a
 * text longer than 50 characters into chunks with one `id` and `chunk_seq` 0, 1, ...; the chunk
 * whose text is shorter than 50 characters (a NUL in it) is the last. Pure; time comes in with
 * each call; holds at most `maxHeld` texts of at most `maxChunks` chunks.
 */
export interface StatusTextAssembler<T> {
  /**
   * Takes one chunk (with `item`, what the caller will need to send the text) received at `atMs`.
   * Returns what is ready, in order: a chunk with id 0 at once, a text once its last chunk came,
   * and texts held too long. Never throws.
   */
  take(chunk: StatusTextChunk, item: T, atMs: number): AssembledStatusText<T>[];
  /** Texts held longer than the timeout at `atMs`, sent with what came. */
  expire(atMs: number): AssembledStatusText<T>[];
  /** Every text held, with what came (the stream ended). */
  flush(): AssembledStatusText<T>[];
  /** Texts held now. */
  held(): number;
}

/** Creates a {@link StatusTextAssembler}. */
export function createStatusTextAssembler<T>(options: StatusTextAssemblerOptions = {}): StatusTextAssembler<T> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const maxHeld = options.maxHeld ?? 64;
  const maxChunks = options.maxChunks ?? 32;
  const held = new Map<string, Held<T>>();

  const joined = (h: Held<T>, complete: boolean): AssembledStatusText<T> => {
    const text = Array.from(h.texts, (t) => t ?? '…').join('');
    return { first: h.first, text: complete ? text : `${text}…` };
  };
  const release = (key: string, h: Held<T>, complete: boolean): AssembledStatusText<T> => {
    held.delete(key);
    return joined(h, complete);
  };
  const expire = (atMs: number): AssembledStatusText<T>[] => {
    const out: AssembledStatusText<T>[] = [];
    for (const [key, h] of held) if (atMs - h.atMs >= timeoutMs) out.push(release(key, h, false));
    return out;
  };

  return {
    take(chunk, item, atMs) {
      const out = expire(atMs);
      if (chunk.id === 0 || chunk.chunkSeq >= maxChunks) {
        out.push({ first: item, text: chunk.text });
        return out;
      }
      const key = `${chunk.sysid}/${chunk.compid}/${chunk.id}`;
      let h = held.get(key);
      if (!h) {
        if (held.size >= maxHeld) {
          const [oldestKey, oldest] = held.entries().next().value as [string, Held<T>];
          out.push(release(oldestKey, oldest, false));
        }
        h = { first: item, atMs, texts: [] };
        held.set(key, h);
      }
      h.texts[chunk.chunkSeq] = chunk.text;
      // The chunk with a NUL in it is the last; a chunk lost before it will not come again.
      if (chunk.last) out.push(release(key, h, true));
      return out;
    },
    expire,
    flush() {
      const out: AssembledStatusText<T>[] = [];
      for (const [key, h] of held) out.push(release(key, h, false));
      return out;
    },
    held: () => held.size,
  };
}

/**
 * The chunk a STATUSTEXT payload is (`message` is the dialect's STATUSTEXT), or undefined for a
 * message without the chunk fields. A MAVLink 1 frame has no extensions: its id reads 0, whole.
 */
export function readStatusTextChunk(message: MessageDef, payload: Uint8Array, sysid: number, compid: number): StatusTextChunk | undefined {
  const text = message.field('text');
  const id = message.field('id');
  const seq = message.field('chunk_seq');
  if (!text || !id || !seq) return undefined;
  const view = payloadView(message, payload);
  let last = false;
  for (let i = 0; i < text.arrayLength && !last; i++) last = view.getUint8(text.offset + i) === 0;
  return { sysid, compid, id: Number(readElement(view, id, 0)), chunkSeq: Number(readElement(view, seq, 0)), text: readString(view, text), last };
}
