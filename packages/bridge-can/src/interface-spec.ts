/** Where a bus is read from: a SocketCAN interface, or a log file (`candump -L`, Vector ASC or BLF, PEAK TRC, ASAM MDF4). */
export type InterfaceSpec = { kind: 'socketcan'; name: string } | { kind: 'file'; path: string };

/** Linux interface names: 1-15 characters, none of them `/`, blanks or NUL. */
const INTERFACE_NAME = /^[A-Za-z0-9_.:-]{1,15}$/;

/**
 * Parses the `interface` key: `socketcan:can0` (a SocketCAN interface, `vcan0` for a virtual
 * one) or `file:./capture.log` (a `candump -L`, Vector ASC or BLF, PEAK TRC or ASAM MDF4 log, read from the working directory when
 * relative). Returns the spec, or a message saying what is wrong.
 */
export function parseInterface(text: string): { ok: true; spec: InterfaceSpec } | { ok: false; message: string } {
  const colon = text.indexOf(':');
  const scheme = colon < 0 ? '' : text.slice(0, colon);
  const rest = colon < 0 ? text : text.slice(colon + 1);
  if (scheme === 'socketcan') {
    if (!INTERFACE_NAME.test(rest)) return { ok: false, message: `"${rest.slice(0, 40)}" is not a network interface name (1-15 letters, digits, _ . : -), e.g. socketcan:can0` };
    return { ok: true, spec: { kind: 'socketcan', name: rest } };
  }
  if (scheme === 'file') {
    if (rest.trim() === '') return { ok: false, message: 'file: needs the path of a log (candump -L, Vector ASC or BLF, PEAK TRC, MDF4), e.g. file:./capture.log' };
    return { ok: true, spec: { kind: 'file', path: rest } };
  }
  return { ok: false, message: `expected socketcan:<interface> (e.g. socketcan:can0) or file:<log> (candump -L, Vector ASC or BLF, PEAK TRC, MDF4, e.g. file:./capture.log), found "${text.slice(0, 60)}"${meant(text)}` };
}

const LOG_NAME = /\.(log|asc|blf|trc|mf4)$/i;

/** python-can's names of the adapters it drives itself (`bustype`), which are not interface names. */
const PYTHON_CAN_ADAPTERS = new Set(['pcan', 'kvaser', 'vector', 'ixxat', 'slcan', 'serial', 'virtual', 'neovi', 'gs_usb', 'nican', 'usb2can', 'canalystii', 'systec', 'etas', 'cantact', 'udp_multicast']);

/** What an interface written without its scheme most likely means: a log's path, or (python-can's `channel: can0`) a SocketCAN interface. */
function meant(text: string): string {
  if (text.length > 200 || /^[A-Za-z][A-Za-z0-9+-]+:/.test(text)) return ''; // another scheme
  if (LOG_NAME.test(text) || text.includes('/') || text.includes('\\')) return ` (did you mean file:${text}?)`;
  if (text === 'socketcan') return ' (did you mean socketcan:can0?)';
  return INTERFACE_NAME.test(text) && !PYTHON_CAN_ADAPTERS.has(text.toLowerCase()) ? ` (did you mean socketcan:${text}?)` : '';
}

/** The spec as written in a mapping. */
export function formatInterface(spec: InterfaceSpec): string {
  return spec.kind === 'socketcan' ? `socketcan:${spec.name}` : `file:${spec.path}`;
}
