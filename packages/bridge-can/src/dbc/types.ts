/**
 * The contents of one or more DBC files, as plain data: what the parser produces, what the
 * decoder compiles and what `--list-signals` prints. Ids are the bus ids (11 or 29 bits), never
 * the DBC's raw numbers with the extended-frame flag (bit 31) still set.
 */

/** An attribute value: numbers for INT, HEX and FLOAT attributes, text for STRING and ENUM ones. */
export type AttributeValue = number | string;

/** Where something was written: the file as given to the parser, 1-based line and column. */
export interface DbcLocation {
  file: string;
  line: number;
  column: number;
}

/** `little_endian` is Intel (`@1`), `big_endian` is Motorola (`@0`, DBC start-bit numbering). */
export type DbcByteOrder = 'little_endian' | 'big_endian';

/** How a signal's bits are read: an integer, or an IEEE float (`SIG_VALTYPE_` 1 or 2). */
export type DbcValueType = 'integer' | 'float32' | 'float64';

/** An inclusive range of raw multiplexor values. */
export interface DbcMuxRange {
  min: number;
  max: number;
}

/** The condition under which a multiplexed signal is in a frame. */
export interface DbcMultiplexer {
  /** The multiplexor (switch) signal of the same message. */
  signal: string;
  /** Raw values of the multiplexor that select this signal. */
  ranges: readonly DbcMuxRange[];
}

/** One signal (`SG_`). */
export interface DbcSignal {
  name: string;
  /** The DBC start bit: the least significant bit for little-endian signals, the most significant for big-endian ones. */
  startBit: number;
  /** Bits, 1..64. */
  length: number;
  byteOrder: DbcByteOrder;
  signed: boolean;
  valueType: DbcValueType;
  /** physical = raw * factor + offset. */
  factor: number;
  offset: number;
  /** The range the DBC declares (not enforced when decoding). */
  minimum: number;
  maximum: number;
  unit: string;
  receivers: readonly string[];
  /** True for a multiplexor (`M`, or `mNM` in extended multiplexing). */
  isMultiplexer: boolean;
  /** Set for a multiplexed signal (`mN`, or `SG_MUL_VAL_`): present only when the multiplexor says so. */
  multiplexer?: DbcMultiplexer;
  /** Text for raw values (`VAL_`). */
  values?: ReadonlyMap<number, string>;
  comment?: string;
  attributes: Readonly<Record<string, AttributeValue>>;
  location: DbcLocation;
}

/** One message (`BO_`). */
export interface DbcMessage {
  /** The bus id: 11 bits for standard frames, 29 bits for extended ones. */
  id: number;
  extended: boolean;
  name: string;
  /** Payload bytes the DBC declares (0..64 for CAN FD; J1939 transport messages may declare more). */
  length: number;
  /** The transmitter and any `BO_TX_BU_` senders. */
  senders: readonly string[];
  signals: readonly DbcSignal[];
  comment?: string;
  attributes: Readonly<Record<string, AttributeValue>>;
  /** `GenMsgCycleTime` when the DBC sets one (ms). */
  cycleTimeMs?: number;
  /** A CAN FD frame (`VFrameFormat` StandardCAN_FD/ExtendedCAN_FD, or a length over 8 bytes). */
  fd: boolean;
  /** Matched by PGN, the source address ignored (`ProtocolType "J1939"` or `VFrameFormat` J1939PG). */
  j1939: boolean;
  location: DbcLocation;
}

/** A node (ECU) of `BU_`. */
export interface DbcNode {
  name: string;
  comment?: string;
  attributes: Readonly<Record<string, AttributeValue>>;
}

/** What an attribute definition applies to. */
export type DbcObjectType = 'network' | 'node' | 'message' | 'signal' | 'envvar';

/** One `BA_DEF_`, with its `BA_DEF_DEF_` default. */
export interface DbcAttributeDefinition {
  name: string;
  objectType: DbcObjectType;
  type: 'INT' | 'HEX' | 'FLOAT' | 'STRING' | 'ENUM';
  minimum?: number;
  maximum?: number;
  /** ENUM values in order; an attribute's number is an index into them. */
  enumValues?: readonly string[];
  defaultValue?: AttributeValue;
}

/** One DBC file, or several merged. */
export interface DbcDatabase {
  /** The files it was read from, in order. */
  files: readonly string[];
  /** `VERSION` of the first file. */
  version: string;
  nodes: readonly DbcNode[];
  messages: readonly DbcMessage[];
  /** Named tables of `VAL_TABLE_`. */
  valueTables: ReadonlyMap<string, ReadonlyMap<number, string>>;
  attributeDefinitions: readonly DbcAttributeDefinition[];
  /** Network attributes (`BA_ "name" value;`), defaults applied. */
  attributes: Readonly<Record<string, AttributeValue>>;
  /** The network comment (`CM_ "text";`). */
  comment?: string;
}

/** Kinds of DBC problem. Every one leaves the rest of the file usable. */
export type DbcProblemKind =
  /** The text does not follow the DBC grammar here; the statement was skipped. */
  | 'syntax'
  /** A bound was reached (file size, line length, counts); the rest of that item was dropped. */
  | 'limit'
  /** A statement names a message, signal or node the files do not define; it was ignored. */
  | 'unknown_reference'
  /** A signal cannot be decoded as written (length, float width, bits outside 64 bytes); it was dropped. */
  | 'invalid_signal'
  /** A signal sticks out of its message's declared length; it decodes only from frames long enough. */
  | 'signal_outside_message'
  /** Two signals of one message that a frame can hold together use the same bits: at least one decodes wrong values; both are kept. */
  | 'overlapping_signals'
  /** A message id or length is impossible; the message was dropped or its id read as extended. */
  | 'invalid_message'
  /** A multiplexed signal has no usable multiplexor; it was dropped. */
  | 'invalid_multiplexing'
  /** Two signals of one message share a name; the later one was dropped (or, for a long name, read by the name written). */
  | 'duplicate_signal'
  /** Two messages share a bus id (or a J1939 PGN); the later one was dropped. */
  | 'duplicate_id'
  /** Two messages share a name across files; both are kept (metric names may collide). */
  | 'duplicate_name'
  /** A signal's factor is 0: every frame decodes as its offset; it is kept. */
  | 'constant_signal'
  /** A value table gives one raw value two texts; the later one is used. */
  | 'duplicate_value';

/** A problem found in a DBC file, with where it is. */
export interface DbcProblem extends DbcLocation {
  kind: DbcProblemKind;
  message: string;
  /** What the problem removed from the database: a message (with its signals), or one signal of it. */
  dropped?: { message: string; signal?: string };
}

/** What parsing gives: the database and everything that was wrong with the text. */
export interface DbcParseResult {
  database: DbcDatabase;
  problems: DbcProblem[];
}
