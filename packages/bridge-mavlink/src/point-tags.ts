import type { PointTagSet } from '@fieldbridge/core/bridge';

/**
 * The tags of the section's points (`definition.pointTags`): the mapping gives them none, and the
 * bridge adds at most `unit` (the field's), `instance` (a message's instance not in the metric
 * name) and `compid` (a component other than the autopilot).
 */
export function mavlinkPointTags(): PointTagSet[] {
  return [{ path: [], tags: [], added: ['unit', 'instance', 'compid'] }];
}
