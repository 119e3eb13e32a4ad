import { ParseTally, type ParseCounts } from './parse-problems.js';
import { createMavlinkParser, type MavlinkParser, type ParseResult, type ParserOptions, type PushOptions } from './parser.js';
import { ReplayGuard } from './signing.js';

/** Options of one {@link StreamParsers.push}. */
export interface StreamPushOptions extends PushOptions {
  /** The stream the bytes continue (`LinkChunk.stream`: tcpin, one per client). Default: the link's one stream. */
  stream?: string | undefined;
}

/**
 * The parsers of one link: one per byte stream, so that two TCP clients' bytes never meet in
 * one parser (a frame split over two reads of one client would be broken by the other's bytes
 * between them, and one client's garbage would cut another's frames). Totals and the signing
 * replay guard are shared. The number of streams is the link's to bound (tcpin: its clients);
 * each holds at most one unfinished frame.
 */
export interface StreamParsers {
  push(chunk: Uint8Array, options?: StreamPushOptions): ParseResult;
  /**
   * `stream` ended (its client left): what it held is settled and its parser forgotten. Without
   * `stream`, every stream is settled (the link dropped, or went quiet); reading may go on.
   */
  end(stream?: string): ParseResult;
  /** Every stream settled (as {@link end} without `stream`), with what each gave. */
  endEach(): { stream: string; result: ParseResult }[];
  /** Bytes held for unfinished frames, all streams together. */
  held(): number;
  /** Totals of every stream, those ended included. */
  counts(): ParseCounts;
}

/** The key of a link's only stream (udp, tcp, serial, tlog). */
const ONE_STREAM = '';

/** Creates the parsers of one link; `options` apply to each (a `shared` option is replaced). */
export function createStreamParsers(options: ParserOptions): StreamParsers {
  const shared = { tally: new ParseTally(), replay: new ReplayGuard() };
  const parsers = new Map<string, MavlinkParser>();
  const parserOf = (stream: string): MavlinkParser => {
    let parser = parsers.get(stream);
    if (!parser) parsers.set(stream, (parser = createMavlinkParser({ ...options, shared })));
    return parser;
  };
  // Made now, so that a wrong signing key throws here, as createMavlinkParser does.
  parserOf(ONE_STREAM);
  return {
    push: (chunk, pushOptions) => parserOf(pushOptions?.stream ?? ONE_STREAM).push(chunk, pushOptions?.datagram ? { datagram: true } : {}),
    end(stream) {
      if (stream !== undefined) {
        const parser = parsers.get(stream);
        if (stream !== ONE_STREAM) parsers.delete(stream);
        return parser ? parser.end() : { frames: [], problems: [] };
      }
      const out: ParseResult = { frames: [], problems: [] };
      for (const parser of parsers.values()) {
        const r = parser.end();
        out.frames.push(...r.frames);
        out.problems.push(...r.problems);
      }
      return out;
    },
    endEach: () => [...parsers].map(([stream, parser]) => ({ stream, result: parser.end() })),
    held() {
      let n = 0;
      for (const parser of parsers.values()) n += parser.held();
      return n;
    },
    counts: () => shared.tally.snapshot(),
  };
}
