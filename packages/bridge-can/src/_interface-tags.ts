import type { Point, Tags } from '@fieldbridge/core/bridge';

/** Buses whose tags are kept per tag set; a log naming more gets a copy per point past them. */
const MAX_KEPT = 64;

/**
 * Adds the tag `interface` (`signal_tags: [interface]`): the bus a frame was read on, so that the
 * points of a log of several buses stay apart. A signal's tags are one object shared by its
 * points (made once, see `decode-plan`): the same with `interface` are made once per bus too.
 */
export class InterfaceTags {
  private readonly byTags = new WeakMap<Tags, Map<string, Tags>>();
  private readonly untagged = new Map<string, Tags>();

  /** Gives each of `points` (fresh from decoding) its tags with `interface: iface`. */
  tag(points: Point[], iface: string): void {
    for (const point of points) point.tags = this.tagsOf(point.tags, iface);
  }

  private tagsOf(base: Tags | undefined, iface: string): Tags {
    let kept = base ? this.byTags.get(base) : this.untagged;
    if (!kept) this.byTags.set(base!, (kept = new Map()));
    let tags = kept.get(iface);
    if (!tags) {
      tags = { ...base, interface: iface };
      if (kept.size < MAX_KEPT) kept.set(iface, tags);
    }
    return tags;
  }
}
