/**
 * Bounds on what a DBC file may make the parser hold. Real files stay far below them (a large
 * OEM powertrain DBC is about 5 MiB, 2,000 messages and 30,000 signals); they exist so that a
 * corrupt or hostile file costs bounded memory and time. Reaching one is a `limit` problem,
 * never an exception, except for the file size, which {@link loadDbcFiles} checks before reading.
 */
export interface DbcLimits {
  /** Bytes per file. Default 32 MiB. */
  maxFileBytes: number;
  /** Characters per line; a longer line is dropped whole. Default 256 KiB (long `VAL_` lines exist). */
  maxLineLength: number;
  /** Characters per quoted string (comments span lines). Default 64 KiB. */
  maxStringLength: number;
  /** Messages per file. Default 65,536. */
  maxMessages: number;
  /** Signals per message (multiplexed messages may hold more signals than bits). Default 4,096. */
  maxSignalsPerMessage: number;
  /** Signals per file. Default 1,000,000. */
  maxSignals: number;
  /** Entries per value table (`VAL_`, `VAL_TABLE_`). Default 65,536. */
  maxValueTableEntries: number;
  /** Nodes, attribute definitions, attribute values and comments per file, each. Default 100,000. */
  maxOtherItems: number;
}

/** The default {@link DbcLimits}. */
export const DBC_LIMITS: Readonly<DbcLimits> = Object.freeze({
  maxFileBytes: 32 * 1024 * 1024,
  maxLineLength: 256 * 1024,
  maxStringLength: 64 * 1024,
  maxMessages: 65_536,
  maxSignalsPerMessage: 4_096,
  maxSignals: 1_000_000,
  maxValueTableEntries: 65_536,
  maxOtherItems: 100_000,
});
