/**
 * SAE J1939 fields of a 29-bit identifier: priority (3 bits), extended data page and data page
 * (2 bits), PDU format PF (8 bits), PDU specific PS (8 bits), source address (8 bits). When PF
 * is below 240 (PDU1) the PS byte is a destination address and is not part of the PGN; from 240
 * up (PDU2) it is the group extension and is.
 */
export interface J1939Address {
  /** Parameter group number (18 bits). */
  pgn: number;
  /** 0 (highest) to 7. */
  priority: number;
  sourceAddress: number;
  /** PDU1 frames only (255 = global). */
  destinationAddress?: number;
}

/** The PGN of a 29-bit identifier. */
export function pgnOf(id: number): number {
  const dataPages = (id >>> 24) & 3;
  const pf = (id >>> 16) & 0xff;
  const ps = pf < 240 ? 0 : (id >>> 8) & 0xff;
  return (dataPages << 16) | (pf << 8) | ps;
}

/** The destination address of a PDU1 id (its PS byte); undefined for PDU2 ids, whose PS is part of the PGN. */
export function destinationOf(id: number): number | undefined {
  return ((id >>> 16) & 0xff) < 240 ? (id >>> 8) & 0xff : undefined;
}

/** Every J1939 field of a 29-bit identifier. */
export function j1939Address(id: number): J1939Address {
  const pf = (id >>> 16) & 0xff;
  const address: J1939Address = { pgn: pgnOf(id), priority: (id >>> 26) & 7, sourceAddress: id & 0xff };
  if (pf < 240) address.destinationAddress = (id >>> 8) & 0xff;
  return address;
}
