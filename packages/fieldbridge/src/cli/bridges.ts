import { availableBridges } from '../load-bridges.js';
import type { Io } from './io.js';

/** `fieldbridge bridges`: every bridge, installed (with its version) or how to install it. */
export async function bridgesCommand(io: Io, json: boolean): Promise<number> {
  const bridges = await availableBridges();
  if (json) {
    const rows = bridges.map((b) => ({ name: b.entry.name, package: b.entry.package, installed: !!b.definition, ...(b.definition ? { version: b.definition.version } : { problem: b.problem }) }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...bridges.map((b) => b.entry.name.length));
  for (const b of bridges) {
    const state = b.definition ? `${b.entry.package}@${b.definition.version}` : b.problem;
    io.stdout.write(`${b.entry.name.padEnd(width)}  ${state}\n${' '.repeat(width)}  ${b.entry.summary}\n`);
  }
  return 0;
}
