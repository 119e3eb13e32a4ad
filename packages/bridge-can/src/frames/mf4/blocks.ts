import type { FileHandle } from 'node:fs/promises';

/**
 * The blocks of an ASAM MDF 4 file, read from it by offset (an MDF file is a graph of blocks
 * that link to each other by absolute file offsets). Every block starts with a 24-byte header:
 * `##XX` (its type), 4 reserved bytes, its length (u64) and its number of links (u64); then the
 * links (u64 offsets, 0 for none), then its data.
 */

/** "MDF     ": the first eight bytes of an MDF file (finalized); "UnFinMF " starts one still being written. */
export const MDF_SIGNATURE = Uint8Array.from(Buffer.from('MDF     ', 'latin1'));
export const UNFINISHED_SIGNATURE = Uint8Array.from(Buffer.from('UnFinMF ', 'latin1'));

/** The identification block's size; the header block follows it. */
export const ID_BLOCK_SIZE = 64;
const HEADER = 24;
/** A metadata block over this is damage (data blocks are read in pieces, see `readRange`). */
export const MAX_META_BLOCK = 1024 * 1024;

/** One block: its type (`HD`, `DG`...), its links (offsets, 0 for none) and its data. */
export interface Mf4Block {
  type: string;
  offset: number;
  /** The whole block's length, header included. */
  length: number;
  links: number[];
  /** The bytes after the links (for a data block: `length` minus the header and links, unread: see `dataOffset`). */
  data: Buffer;
  /** Where the block's data starts in the file. */
  dataOffset: number;
}

/** A problem with the file's structure: the reader reports it and reads what it can. */
export class Mf4FormatError extends Error {}

/** Up to `length` bytes at `position`: fewer when the file ends first. */
export async function readUpTo(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await file.read(buffer, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buffer : buffer.subarray(0, got);
}

/** Reads `length` bytes at `position`, failing when the file ends first. */
export async function readRange(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = await readUpTo(file, position, length);
  if (buffer.length < length) throw new Mf4FormatError(`the file ends at ${position + buffer.length}, inside a block that runs to ${position + length}`);
  return buffer;
}

/**
 * The block at `offset`, checked to be one of `types`. With `withData` false the data is not
 * read (a data block's bytes are read in pieces by the caller).
 */
export async function readBlock(file: FileHandle, offset: number, types: readonly string[], withData = true): Promise<Mf4Block> {
  if (!Number.isSafeInteger(offset) || offset <= 0) throw new Mf4FormatError(`a link to offset ${offset}`);
  const head = await readRange(file, offset, HEADER);
  const type = head.toString('latin1', 0, 4);
  if (!type.startsWith('##') || !types.includes(type.slice(2))) throw new Mf4FormatError(`expected a ${types.join(' or ')} block at ${offset}, found ${JSON.stringify(type)}`);
  const length = Number(head.readBigUInt64LE(8));
  const linkCount = Number(head.readBigUInt64LE(16));
  const dataOffset = offset + HEADER + 8 * linkCount;
  if (linkCount > 1_000_000 || dataOffset > offset + length) throw new Mf4FormatError(`${type} block at ${offset} of ${length} bytes with ${linkCount} links`);
  const linkBytes = await readRange(file, offset + HEADER, 8 * linkCount);
  const links = Array.from({ length: linkCount }, (_, i) => Number(linkBytes.readBigUInt64LE(8 * i)));
  const dataLength = offset + length - dataOffset;
  if (withData && dataLength > MAX_META_BLOCK) throw new Mf4FormatError(`${type} block at ${offset} holds ${dataLength} bytes, more than a block of its kind can`);
  const data = withData ? await readRange(file, dataOffset, dataLength) : Buffer.alloc(0);
  return { type: type.slice(2), offset, length, links, data, dataOffset };
}

/** The text of a TX block (UTF-8, zero-terminated), or undefined for no link. */
export async function readText(file: FileHandle, offset: number): Promise<string | undefined> {
  if (offset === 0) return undefined;
  const block = await readBlock(file, offset, ['TX']);
  const end = block.data.indexOf(0);
  return block.data.toString('utf8', 0, end < 0 ? block.data.length : end);
}
