import type { Point } from '../point/point.js';

/**
 * One thing that went wrong while decoding: a `kind` (the `kind` label of
 * `fieldbridge_source_errors_total`, stable across versions) and a message for the log.
 */
export interface DecodeProblem {
  kind: string;
  message: string;
}

/**
 * The contract of every bridge's `decode`: pure, bytes or protocol values in, the points they
 * give and the problems met out. No I/O, no logging, no metrics, and no exceptions for bad input:
 * writing, counting and logging belong to the source that called it.
 */
export interface DecodeResult<P extends DecodeProblem = DecodeProblem> {
  points: Point[];
  problems: P[];
}
