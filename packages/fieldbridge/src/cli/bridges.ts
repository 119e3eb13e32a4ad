import { searchDirs } from '../bridge-packages.js';
import { CATALOG } from '../catalog.js';
import { availableBridges } from '../load-bridges.js';
import type { Io } from './io.js';

const HOW_FOUND = 'Other bridges are the packages @fieldbridge/bridge-<name> and fieldbridge-bridge-<name> installed in node_modules of the working directory (or of a mapping file\'s folder) or a parent, or beside fieldbridge.\n';

/**
 * `fieldbridge bridges`: every catalog bridge, installed (with its version) or how to install it,
 * then every third-party bridge package installed where the working directory sees.
 */
export async function bridgesCommand(io: Io, json: boolean): Promise<number> {
  const bridges = await availableBridges(CATALOG, searchDirs(io.cwd ?? process.cwd()));
  if (json) {
    const rows = bridges.map((b) => ({
      name: b.entry.name,
      package: b.entry.package,
      installed: !!b.definition,
      ...(b.definition ? { version: b.definition.version } : { problem: b.problem }),
      ...(b.thirdParty ? { thirdParty: true } : {}),
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...bridges.map((b) => b.entry.name.length));
  for (const b of bridges) {
    const state = b.definition ? `${b.entry.package}@${b.definition.version}` : b.problem;
    const summary = b.thirdParty ? `(third party) ${b.entry.summary}`.trimEnd() : b.entry.summary;
    io.stdout.write(`${b.entry.name.padEnd(width)}  ${state}\n${' '.repeat(width)}  ${summary}\n`);
  }
  io.stdout.write(`\n${HOW_FOUND}`);
  return 0;
}
