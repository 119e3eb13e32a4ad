/**
 * What to say when a serial port cannot be opened, from the text serialport gives
 * (`Error: No such file or directory, cannot open /dev/ttyUSB0`, `Error Resource temporarily
 * unavailable Cannot lock port`): the reason once, without serialport's own prefix and the path
 * repeated, and what to check for the usual three (no such port, no permission, in use). Pure.
 */
export function serialOpenMessage(path: string, text: string): string {
  const reason = text
    .replace(/^Error:?\s*/, '')
    .replace(/,?\s*cannot open .*$/, '')
    .trim();
  const hint = /No such file|ENOENT/i.test(text)
    ? ': is the adapter plugged in, and is this its name? (ls /dev/serial/by-id/ lists them by a name that does not change)'
    : /Permission denied|EACCES/i.test(text)
      ? ': the user running the bridge may not open it (on Linux, add it to the group owning the port, usually dialout)'
      : /Cannot lock port|busy|EBUSY/i.test(text)
        ? ': another program has it open (another bridge, a terminal, ModemManager)'
        : '';
  return `cannot open ${path}: ${reason || text}${hint}`;
}
