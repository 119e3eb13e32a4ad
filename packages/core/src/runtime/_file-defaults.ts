import type { CommonConfig } from '../config/common-schema.js';
import type { Point, Tags } from '../point/point.js';
import type { PointWriter, Sink } from '../sink/sink-types.js';

/** What a mapping file adds to every point: its `source_id` (for points with none) and `tags` (under the point's own). */
export interface FileDefaults {
  sourceId: string;
  tags: Tags | undefined;
}

// Sinks made from a file's own `source_id` and `tags` (by startBridge, startBridges, the command):
// they stamp both already, so the bridges on them need not do it again for every point.
const madeFor = new WeakMap<Sink, string>();
const keyOf = (config: CommonConfig): string => JSON.stringify([config.source_id, config.tags ?? null]);

/** Records that `sink` was made with `config`'s `source_id` and `tags` (see {@link fileDefaultsFor}). */
export function markSinkOfFile<S extends Sink>(sink: S, config: CommonConfig): S {
  madeFor.set(sink, keyOf(config));
  return sink;
}

/**
 * The file's `source_id` and `tags` a bridge must add itself to its points on `sink`: none when
 * the sink was made from this file's (see {@link markSinkOfFile}); all of them on a caller's sink,
 * which has its own source id and knows nothing of the file's tags.
 */
export function fileDefaultsFor(sink: Sink, config: CommonConfig): FileDefaults | undefined {
  return madeFor.get(sink) === keyOf(config) ? undefined : { sourceId: config.source_id, tags: config.tags };
}

/** A writer that adds the file's `source_id` and `tags` to each point on its way to `sink`, as a sink made from the file does. */
export function withFileDefaults(sink: PointWriter, file: FileDefaults): PointWriter {
  const write = (point: Point): void =>
    sink.write({ ...point, ...(point.source_id === undefined ? { source_id: file.sourceId } : {}), ...(file.tags ? { tags: point.tags ? { ...file.tags, ...point.tags } : file.tags } : {}) });
  return { write, send: (metric, value, extras) => write({ ...extras, metric, value }) };
}
