import { MAX_LABELLED_CHANNELS } from '../bridge/source-metrics.js';
import type { Point } from '../point/point.js';
import type { PointWriter } from '../sink/sink-types.js';
import { withFileDefaults, type FileDefaults } from './_file-defaults.js';

/** The tags a bridge's points get from how it was started (`StartBridgeOptions`). */
export interface TagOptions {
  /** Tag each point with `bridge` and `channel`. */
  sourceTags?: boolean;
  /** Tags added to every point. */
  tags?: Record<string, string>;
}

/**
 * Writers that add the tags `options` asks for, and the file's `source_id` and `tags` when the
 * sink does not (`file`): one for points of no channel, one per channel.
 */
export function taggedWriter(sink: PointWriter, bridge: string, options: TagOptions, file: FileDefaults | undefined): { direct: PointWriter; forChannel(channel: string): (point: Point) => void } {
  // Read now: the writers outlive the start, and `options` holds what they must not keep (a replaced rule set).
  const sourceTags = options.sourceTags === true;
  const own: Record<string, string> | undefined = sourceTags ? { bridge, ...options.tags } : options.tags;
  const base: Record<string, string> | undefined = file?.tags ? { ...file.tags, ...own } : own;
  const sourceId = file?.sourceId;
  const writeWith = (extra: Record<string, string>) => (point: Point) =>
    sink.write({ ...point, ...(sourceId !== undefined && point.source_id === undefined ? { source_id: sourceId } : {}), tags: point.tags ? { ...extra, ...point.tags } : extra });
  if (!base && sourceId !== undefined) {
    const stamped = withFileDefaults(sink, { sourceId, tags: undefined });
    const write = (point: Point) => stamped.write(point);
    return { direct: stamped, forChannel: () => write };
  }
  if (!base) {
    const plain = (point: Point) => sink.write(point);
    return { direct: sink, forChannel: () => plain };
  }
  const direct = writeWith(base);
  const perChannel = new Map<string, (point: Point) => void>();
  return {
    direct: { write: direct, send: (metric, value, extras) => direct({ ...extras, metric, value }) },
    forChannel(channel) {
      if (!sourceTags) return direct;
      let write = perChannel.get(channel);
      if (!write) {
        write = writeWith({ ...base, channel });
        // Bounded like the channel labels: past the limit, channels share the direct writer's tags.
        if (perChannel.size < MAX_LABELLED_CHANNELS) perChannel.set(channel, write);
      }
      return write;
    },
  };
}
