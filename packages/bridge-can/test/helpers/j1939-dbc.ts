/**
 * The DBC files of the J1939 transport tests: a J1939 DBC (`ProtocolType` "J1939", messages read
 * by PGN) holding the messages given, laid out by hand.
 */

/** PGN 0xFEEC (20 bytes, BAM): bytes 0 and 18-19. */
export const VEHICLE_ID = ` BO_ 2566843392 VehicleId: 20 Sender
 SG_ Head : 0|8@1+ (1,0) [0|255] "" Receiver
 SG_ Tail : 144|16@1+ (1,0) [0|65535] "" Receiver`;

/** PGN 0x12300 (100 bytes, RTS/CTS): bytes 0, 10-11 and 99. */
export const TRANSFER = ` BO_ 2569207936 Transfer: 100 Sender
 SG_ First : 0|8@1+ (1,0) [0|255] "" Receiver
 SG_ Middle : 80|16@1+ (1,0) [0|65535] "" Receiver
 SG_ Last : 792|8@1+ (1,0) [0|255] "" Receiver`;

/** Body (0x123, a standard id, 8 bytes): byte 7. */
export const BODY = ` BO_ 291 Body: 8 Sender
 SG_ Lamp : 56|8@1+ (1,0) [0|255] "" Receiver`;

/** A J1939 DBC file of `messages`. */
export function j1939Dbc(...messages: string[]): string {
  const lines = ['VERSION ""', 'NS_ :', 'BS_:', 'BU_: Sender Receiver', ...messages.map((m) => m.trimStart()), 'BA_DEF_ "ProtocolType" STRING ;', 'BA_DEF_DEF_ "ProtocolType" "";', 'BA_ "ProtocolType" "J1939";'];
  return `${lines.join('\n')}\n`;
}
