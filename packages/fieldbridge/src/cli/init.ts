import { writeFileSync } from 'node:fs';
import { starterMapping } from '@fieldbridge/core';
import { CATALOG } from '../catalog.js';
import type { Io } from './io.js';
import { loadNamedBridges } from './load-named.js';

/**
 * `fieldbridge init BRIDGE... [--out FILE] [--force]`: a commented starter mapping file for
 * those bridges, which passes `fieldbridge check` as written. Printed on stdout, or written to
 * FILE (never over an existing file without --force).
 */
export async function initCommand(names: readonly string[], options: { out?: string; force?: boolean }, io: Io): Promise<number> {
  if (names.length === 0) {
    io.stderr.write(`fieldbridge init: name a bridge (${CATALOG.map((e) => e.name).join(', ')}), or several for one file\n`);
    return 2;
  }
  const definitions = await loadNamedBridges('fieldbridge init', names, io);
  if (typeof definitions === 'number') return definitions;
  const text = starterMapping(definitions, { observePort: observePortOf(definitions[0]!.name) });
  if (!options.out) {
    io.stdout.write(text);
    return 0;
  }
  try {
    // wx (O_EXCL): an existing mapping file is someone's work.
    writeFileSync(options.out, text, { flag: options.force ? 'w' : 'wx', mode: 0o644 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    io.stderr.write(code === 'EEXIST' ? `fieldbridge init: ${options.out} exists; choose another --out, or --force to replace it\n` : `fieldbridge init: cannot write ${options.out}: ${code ?? (err as Error).message}\n`);
    return code === 'EEXIST' ? 2 : 1;
  }
  io.stderr.write(`wrote ${options.out}: check it with \`fieldbridge check ${options.out}\`, run it with \`fieldbridge run ${options.out}\`\n`);
  return 0;
}

/**
 * The starter's observe port: one per bridge of the catalog, from 9464 in its order (modbus 9464,
 * mqtt 9465, ... as the examples listen), then one for any other bridge; a file of several
 * bridges takes its first one's. So starters of different bridges run together as written.
 */
function observePortOf(name: string): number {
  const i = CATALOG.findIndex((e) => e.name === name);
  return 9464 + (i < 0 ? CATALOG.length : i);
}
