/** Why bytes did not become a frame; the `kind` of a {@link ParseProblem}. */
export type ParseProblemKind =
  /** Bytes that belong to no frame (line noise, a partial frame at a reconnect). Counted in bytes. */
  | 'garbage'
  /** A whole frame of a known message whose checksum does not match (corrupted on the way). */
  | 'crc'
  /** A frame cut short: the next valid frame, or the end of its datagram, came before its end. */
  | 'truncated'
  /** A frame naming a message id the dialect does not have (its checksum cannot be checked). */
  | 'unknown_message'
  /** A MAVLink 1 frame with a valid checksum whose payload length is not its message's. */
  | 'bad_length'
  /** A signed frame whose signature does not match the key. */
  | 'bad_signature'
  /** A signed frame whose timestamp is not newer than the last one of its stream (a replay). */
  | 'replayed_signature'
  /** An unsigned frame while a key is set and unsigned frames are not allowed. */
  | 'unsigned';

/** Every parse problem kind. */
export const PARSE_PROBLEM_KINDS: readonly ParseProblemKind[] = [
  'garbage', 'crc', 'truncated', 'unknown_message', 'bad_length', 'bad_signature', 'replayed_signature', 'unsigned',
];

/** One thing the parser set aside, with what is known of where it came from. */
export interface ParseProblem {
  kind: ParseProblemKind;
  /** What happened, in words (no raw bytes). */
  message: string;
  /** Bytes set aside. */
  bytes: number;
  /** System id from the rejected frame's header (absent for garbage; unverified for crc and truncated). */
  sysid?: number;
  compid?: number;
  msgid?: number;
  /** Signature link id, for signature problems. */
  linkId?: number;
  /**
   * An `unknown_message` frame that ended exactly where the next frame (or its datagram) began:
   * most likely a real frame of a message newer than the dialect's tables, whose sequence number
   * says it was not lost. `before` is the index, in the same result's frames, of the frame it
   * came before (the number of frames when none followed it).
   */
  whole?: { seq: number; before: number };
}

/** Running totals of a parser, for metrics. Bounded: system and link ids are 8-bit. */
export interface ParseCounts {
  /** Frames accepted. */
  frames: number;
  /** Bytes pushed. */
  bytes: number;
  /** Problems by kind (`garbage` counts runs of bytes, see `garbageBytes`). */
  problems: Record<ParseProblemKind, number>;
  /** Bytes counted as garbage. */
  garbageBytes: number;
  /** Accepted frames per system id. */
  framesBySystem: ReadonlyMap<number, number>;
  /** Problems per system id and kind (problems without a system are only in `problems`). */
  problemsBySystem: ReadonlyMap<number, Readonly<Partial<Record<ParseProblemKind, number>>>>;
  /** Signature problems (`bad_signature`, `replayed_signature`) per link id. */
  signatureProblemsByLink: ReadonlyMap<number, number>;
}

/** The mutable tally behind {@link ParseCounts}. */
export class ParseTally {
  frames = 0;
  bytes = 0;
  garbageBytes = 0;
  readonly problems = Object.fromEntries(PARSE_PROBLEM_KINDS.map((k) => [k, 0])) as Record<ParseProblemKind, number>;
  private readonly framesBySystem = new Map<number, number>();
  private readonly problemsBySystem = new Map<number, Partial<Record<ParseProblemKind, number>>>();
  private readonly signatureByLink = new Map<number, number>();

  frame(sysid: number): void {
    this.frames += 1;
    this.framesBySystem.set(sysid, (this.framesBySystem.get(sysid) ?? 0) + 1);
  }

  problem(p: ParseProblem): void {
    this.problems[p.kind] += 1;
    if (p.kind === 'garbage') this.garbageBytes += p.bytes;
    if (p.sysid !== undefined) {
      let perKind = this.problemsBySystem.get(p.sysid);
      if (!perKind) this.problemsBySystem.set(p.sysid, (perKind = {}));
      perKind[p.kind] = (perKind[p.kind] ?? 0) + 1;
    }
    if (p.linkId !== undefined) this.signatureByLink.set(p.linkId, (this.signatureByLink.get(p.linkId) ?? 0) + 1);
  }

  snapshot(): ParseCounts {
    return {
      frames: this.frames,
      bytes: this.bytes,
      problems: { ...this.problems },
      garbageBytes: this.garbageBytes,
      framesBySystem: new Map(this.framesBySystem),
      problemsBySystem: new Map([...this.problemsBySystem].map(([k, v]) => [k, { ...v }])),
      signatureProblemsByLink: new Map(this.signatureByLink),
    };
  }
}
