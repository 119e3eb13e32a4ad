import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { starterMapping } from '@fieldbridge/core';
import { CATALOG } from '../catalog.js';
import type { Io } from './io.js';
import { loadNamedBridges } from './load-named.js';
import { catalogPort, starterSlot } from './starter-slot.js';

/**
 * `fieldbridge init BRIDGE... [--out FILE] [--force]`: a commented starter mapping file for
 * those bridges, which passes `fieldbridge check` as written. Printed on stdout, or written to
 * FILE (never over an existing file without --force; its folder made when missing; a folder
 * given stands for a file in it named after the `source_id`) with a `source_id`, spool folder and
 * observe port that no other mapping file in FILE's folder holds, so that a `conf.d` of starters
 * runs as written.
 */
export async function initCommand(names: readonly string[], options: { out?: string; force?: boolean }, io: Io): Promise<number> {
  if (names.length === 0) {
    io.stderr.write(`fieldbridge init: name a bridge (${CATALOG.map((e) => e.name).join(', ')}), or several for one file\n`);
    return 2;
  }
  const definitions = await loadNamedBridges('fieldbridge init', names, io);
  if (typeof definitions === 'number') return definitions;
  if (!options.out) {
    io.stdout.write(starterMapping(definitions, { observePort: catalogPort(definitions[0]!.name) }));
    return 0;
  }
  const bridges = definitions.map((d) => d.name);
  const out = fileToWrite(options.out, bridges);
  const slot = starterSlot(bridges, out);
  const text = starterMapping(definitions, { observePort: slot.observePort, sourceId: slot.sourceId });
  try {
    // A conf.d of starters begins with its first one: the folder is made as the file is.
    mkdirSync(dirname(out), { recursive: true });
  } catch (err) {
    io.stderr.write(`fieldbridge init: cannot make the folder ${dirname(out)} for ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 1;
  }
  try {
    // wx (O_EXCL): an existing mapping file is someone's work.
    writeFileSync(out, text, { flag: options.force ? 'w' : 'wx', mode: 0o644 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    io.stderr.write(code === 'EEXIST' ? `fieldbridge init: ${out} exists; choose another --out, or --force to replace it\n` : `fieldbridge init: cannot write ${out}: ${code ?? (err as Error).message}\n`);
    return code === 'EEXIST' ? 2 : 1;
  }
  if (slot.taken.length > 0) io.stderr.write(`${out}: source_id ${slot.sourceId}, observe port ${slot.observePort}: files beside it hold ${slot.taken.join(', ')}\n`);
  io.stderr.write(`wrote ${out}: check it with \`fieldbridge check ${out}\`, run it with \`fieldbridge run ${out}\`\n`);
  return 0;
}

/**
 * The file `--out` names. A folder (one that exists, or written with a trailing `/`) stands for a
 * new file in it named after the starter's `source_id` (`conf.d/modbus-2.yaml`), as `cp` copies
 * into a folder: before, `--out conf.d` was refused as an existing file that --force would
 * replace, and `--out conf.d/` failed with EISDIR.
 */
function fileToWrite(out: string, names: readonly string[]): string {
  if (!/[\\/]$/.test(out) && !isFolder(out)) return out;
  // A name no file has, so that every mapping file of the folder counts as beside it.
  const { sourceId } = starterSlot(names, join(out, '.fieldbridge-init.yaml'));
  return join(out, `${sourceId}.yaml`);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

