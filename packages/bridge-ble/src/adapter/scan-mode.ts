import type { NobleBindings } from './noble-types.js';

/** HCI command packet indicator and the LE scan parameter opcodes (OGF 0x08). */
const HCI_COMMAND_PKT = 0x01;
const LE_SET_SCAN_PARAMETERS = 0x200b;
const LE_SET_EXTENDED_SCAN_PARAMETERS = 0x2041;

/**
 * Rewrites an HCI LE Set Scan Parameters command (legacy or extended) to passive scanning:
 * the LE_Scan_Type byte(s) become 0x00. The layout is the Bluetooth Core Specification's
 * (Vol 4 Part E §7.8.10 and §7.8.64): packet type, opcode (LE), parameter length, then the
 * parameters; the extended command has one scan type per PHY set in its PHYs bitmap. Returns
 * true when `packet` was such a command. Other packets are left untouched.
 */
export function makeScanPassive(packet: Uint8Array): boolean {
  if (packet.length < 5 || packet[0] !== HCI_COMMAND_PKT) return false;
  const opcode = packet[1]! | (packet[2]! << 8);
  if (opcode === LE_SET_SCAN_PARAMETERS) {
    packet[4] = 0x00;
    return true;
  }
  if (opcode === LE_SET_EXTENDED_SCAN_PARAMETERS && packet.length >= 7) {
    // own address type (4), filter policy (5), PHYs (6), then per PHY: type, interval (2), window (2)
    const phys = packet[6]!;
    let at = 7;
    for (let bit = 0; bit < 8; bit++) {
      if ((phys & (1 << bit)) === 0) continue;
      if (at < packet.length) packet[at] = 0x00;
      at += 5;
    }
    return true;
  }
  return false;
}

interface HciSocketHolder {
  _hci?: { _socket?: { write?: (packet: Buffer) => unknown; __fieldbridgePassive?: boolean } };
}

/**
 * Puts `bindings` into `mode`. Bindings that support it themselves (`setScanMode`, as the
 * simulator does) are told directly. noble's Linux HCI bindings always ask for active
 * scanning, so for `passive` the scan-type byte of their LE Set Scan Parameters commands is
 * rewritten on its way to the socket (see {@link makeScanPassive}). Returns false when the
 * bindings offer no way to scan passively (macOS, Windows): they keep scanning actively.
 */
export function applyScanMode(bindings: NobleBindings, mode: 'active' | 'passive'): boolean {
  if (typeof bindings.setScanMode === 'function') {
    bindings.setScanMode(mode);
    return true;
  }
  if (mode === 'active') return true;
  // noble keeps its HCI socket private; this reaches it only where its layout is the known one.
  const socket = (bindings as unknown as HciSocketHolder)._hci?._socket;
  if (!socket || typeof socket.write !== 'function') return false;
  if (socket.__fieldbridgePassive) return true;
  const write = socket.write.bind(socket);
  socket.write = (packet: Buffer) => {
    makeScanPassive(packet);
    return write(packet);
  };
  socket.__fieldbridgePassive = true;
  return true;
}
