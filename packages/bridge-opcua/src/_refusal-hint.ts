import { isGoneStatus } from './_gone-nodes.js';
import type { Target } from './_targets.js';

/**
 * Statuses with which servers refuse a monitored item's filter: node-opcua's server answers
 * `BadFilterNotAllowed` for a deadband on a Boolean or a String and
 * `BadMonitoredItemFilterUnsupported` for a percent deadband without an EURange; others answer
 * with the rest.
 */
const FILTER_REFUSALS: ReadonlySet<string> = new Set(['BadFilterNotAllowed', 'BadMonitoredItemFilterUnsupported', 'BadMonitoredItemFilterInvalid', 'BadDeadbandFilterInvalid']);
const NO_ACCESS: ReadonlySet<string> = new Set(['BadNotReadable', 'BadUserAccessDenied', 'BadSecurityModeInsufficient']);

/**
 * What the mapping can change about a server's refusal (`status`) to monitor `target`, to follow
 * the status in the message: the status alone names the OPC UA rule, not the key of the entry
 * that broke it. Empty when there is nothing to say beyond the status.
 */
export function refusalHint(target: Pick<Target, 'kind' | 'deadband'>, status: string): string {
  if (target.deadband && FILTER_REFUSALS.has(status)) {
    return target.deadband.type === 'percent'
      ? `: its deadband ${target.deadband.value}% needs a variable with an EURange (an AnalogItem); give an absolute deadband (a number, in the value's units) or none`
      : ': a deadband needs a numeric variable, which this one is not; remove the deadband (below a folder: map such variables under nodes[] without one)';
  }
  if (isGoneStatus(status)) return ': no node has this id; bridge-opcua --browse lists the ids the server has';
  if (NO_ACCESS.has(status)) return ': this login may not read it; give the user read access on the server, or log in as one who has it';
  if (status === 'BadTooManyMonitoredItems') {
    return ': the server monitors no more items, in this subscription (its MaxMonitoredItemsPerSubscription) or in all; monitor fewer (fewer nodes, a lower max_items in folders[]), or raise the limit in the server\'s configuration';
  }
  if (target.kind === 'value' && status === 'BadAttributeIdInvalid') return ': it has no value (an object or a folder?); name a variable, or put it under folders[] to monitor every variable below it';
  return '';
}
