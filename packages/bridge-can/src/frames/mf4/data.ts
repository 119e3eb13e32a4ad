import type { FileHandle } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { Mf4FormatError, readBlock, readRange, readUpTo } from './blocks.js';

/** Uncompressed data blocks are read in pieces of this size. */
const PIECE = 1024 * 1024;
/** A compressed block inflating to more than this is damage (writers keep them to a few MiB). */
const MAX_INFLATED = 64 * 1024 * 1024;

/**
 * The bytes a data link leads to, in order: DT (records), SD (signal data) and RD blocks read in
 * pieces; DZ blocks inflated (zlib, and transposed back when written transposed); DL lists and
 * HL headers followed to the blocks they list. A block met twice is damage.
 */
export async function* dataBytes(file: FileHandle, link: number, seen: Set<number> = new Set()): AsyncGenerator<Buffer> {
  if (link === 0) return;
  if (seen.has(link)) throw new Mf4FormatError(`the data blocks link back to the block at ${link}`);
  seen.add(link);
  const block = await readBlock(file, link, ['DT', 'SD', 'RD', 'DZ', 'DL', 'HL'], false);
  const end = block.offset + block.length;
  switch (block.type) {
    case 'DT':
    case 'SD':
    case 'RD':
      for (let at = block.dataOffset; at < end; at += PIECE) {
        // A file cut short (a copy interrupted, a logger's power lost) gives the records it has.
        const want = Math.min(PIECE, end - at);
        const piece = await readUpTo(file, at, want);
        if (piece.length > 0) yield piece;
        if (piece.length < want) throw new Mf4FormatError(`the file ends at ${at + piece.length}, inside a ${block.type} block that runs to ${end}`);
      }
      return;
    case 'DZ':
      yield inflateDz(await readRange(file, block.dataOffset, end - block.dataOffset), link);
      return;
    case 'HL':
      yield* dataBytes(file, block.links[0] ?? 0, seen);
      return;
    default:
      // DL: the data blocks it lists, then those of the next list (followed in a loop: a chain may be long).
      for (let list = block; ; ) {
        for (const data of list.links.slice(1)) yield* dataBytes(file, data, seen);
        const next = list.links[0] ?? 0;
        if (next === 0) return;
        if (seen.has(next)) throw new Mf4FormatError(`the data lists link back to the block at ${next}`);
        seen.add(next);
        list = await readBlock(file, next, ['DL'], false);
      }
  }
}

/** A DZ block's data: its original type, how it was zipped, the sizes, then the zlib stream. */
function inflateDz(dz: Buffer, offset: number): Buffer {
  if (dz.length < 24) throw new Mf4FormatError(`DZ block at ${offset} too short`);
  const zipType = dz[2]!;
  const columns = dz.readUInt32LE(4);
  const original = Number(dz.readBigUInt64LE(8));
  const compressed = Number(dz.readBigUInt64LE(16));
  if (original > MAX_INFLATED) throw new Mf4FormatError(`DZ block at ${offset} inflates to ${original} bytes, more than ${MAX_INFLATED}`);
  if (zipType > 1) throw new Mf4FormatError(`DZ block at ${offset} zipped with type ${zipType}, which this reader does not know (0 deflate, 1 transposition and deflate)`);
  let data: Buffer;
  try {
    data = inflateSync(dz.subarray(24, 24 + compressed), { maxOutputLength: Math.max(1, original) });
  } catch (err) {
    throw new Mf4FormatError(`DZ block at ${offset} does not inflate: ${(err as Error).message}`);
  }
  if (data.length !== original) throw new Mf4FormatError(`DZ block at ${offset} inflates to ${data.length} bytes, not the ${original} it announces`);
  return zipType === 1 && columns > 0 ? untranspose(data, columns) : data;
}

/**
 * Transposition (zip type 1) wrote the first `rows x columns` bytes column by column (so that
 * equal bytes of consecutive records sit together); the bytes past the last whole row stay as they were.
 */
function untranspose(data: Buffer, columns: number): Buffer {
  const rows = Math.floor(data.length / columns);
  const out = Buffer.allocUnsafe(data.length);
  for (let c = 0; c < columns; c++) {
    for (let r = 0; r < rows; r++) out[r * columns + c] = data[c * rows + r]!;
  }
  data.copy(out, rows * columns, rows * columns);
  return out;
}
