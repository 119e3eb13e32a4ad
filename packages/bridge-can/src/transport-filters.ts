import type { CanPlan } from './decode-plan.js';
import type { CanIdFilter } from './frames/socketcan-reader.js';

/** Classic CAN frames carry 8 bytes: a J1939 message longer than that travels in the transport protocol. */
const CLASSIC_FRAME_BYTES = 8;

/** TP.CM (PGN 0xEC00) and TP.DT (0xEB00) from any sender to any destination, at any priority: data page and PDU format compared only. */
export const TRANSPORT_FILTERS: readonly CanIdFilter[] = [
  { id: 0xec0000, mask: 0x3ff0000, extended: true },
  { id: 0xeb0000, mask: 0x3ff0000, extended: true },
];

/** Names of what the mapping reads through the transport protocol: J1939 messages longer than a frame, and DM1 with `j1939_dm1`. */
export function transportCarried(plan: Pick<CanPlan, 'messages' | 'dm1'>): string[] {
  const names = [...plan.messages.values()].filter((m) => m.decoder.byPgn && m.decoder.message.length > CLASSIC_FRAME_BYTES).map((m) => m.decoder.message.name);
  if (plan.dm1) names.push('DM1 with several faults');
  return names;
}

/**
 * The filters a bus or a log is read with. A message longer than a frame never has its own id
 * on the bus: it comes as TP.CM and TP.DT frames, which filters written for the message's id
 * stop. So when the mapping has filters and reads such a message, the transport frames pass
 * too (only the PGNs the mapping reads are reassembled from them); without filters every frame
 * passes already.
 */
export function busFilters(filters: readonly CanIdFilter[], plan: Pick<CanPlan, 'messages' | 'dm1'>): CanIdFilter[] {
  if (filters.length === 0 || transportCarried(plan).length === 0) return [...filters];
  return [...filters, ...TRANSPORT_FILTERS];
}
