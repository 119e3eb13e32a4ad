import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { substituteEnv } from '@fieldbridge/core';
import { parse } from 'yaml';
import { CATALOG } from '../catalog.js';
import { mappingFilesIn } from './mapping-paths.js';

/** The lowest observe port of the starters: the catalog's bridges take one each from here. */
const FIRST_PORT = 9464;

/** What a new starter file is given so that it runs beside the mapping files already in its folder. */
export interface StarterSlot {
  sourceId: string;
  /** The spool folder, relative to the file's folder (`./modbus-2-spool`). */
  spoolPath: string;
  observePort: number;
  /** Each value that is not the first choice because a file beside it holds that: `source_id modbus-1 (in a.yaml)`. */
  taken: string[];
}

/** What the mapping files of a folder hold that another file run with them must not. */
interface FolderUse {
  sourceIds: Map<string, string>;
  spools: Map<string, string>;
  ports: Map<number, string>;
}

/**
 * The `source_id`, spool folder and observe port of a starter for `names` written to `out`: the
 * bridges' first ones (`modbus-1`, `./modbus-1-spool`, the bridge's port of the catalog) unless a
 * mapping file in `out`'s folder (other than `out`) holds them, then the next free number and
 * the next port past the catalog's. Read as the files are written (`${VAR:-default}` as its
 * default); a file that does not parse holds nothing.
 */
export function starterSlot(names: readonly string[], out: string): StarterSlot {
  const dir = dirname(resolve(out));
  const use = folderUse(dir, resolve(out));
  const taken: string[] = [];
  let n = 1;
  const idOf = (i: number) => `${names.join('-')}-${i}`;
  const spoolOf = (i: number) => `./${idOf(i)}-spool`;
  while (use.sourceIds.has(idOf(n)) || use.spools.has(resolve(dir, spoolOf(n)))) {
    const holder = use.sourceIds.get(idOf(n));
    taken.push(holder ? `source_id ${idOf(n)} (in ${holder})` : `spool ${spoolOf(n)} (in ${use.spools.get(resolve(dir, spoolOf(n)))})`);
    n++;
  }
  const first = catalogPort(names[0]!);
  let port = first;
  if (use.ports.has(first)) {
    taken.push(`observe port ${first} (in ${use.ports.get(first)})`);
    port = FIRST_PORT + CATALOG.length + 1;
    while (use.ports.has(port)) port++;
  }
  return { sourceId: idOf(n), spoolPath: spoolOf(n), observePort: port, taken };
}

/**
 * The starter's observe port of a bridge: one per bridge of the catalog, from 9464 in its order
 * (modbus 9464, mqtt 9465, ... as the examples listen), then one for any other bridge.
 */
export function catalogPort(name: string): number {
  const i = CATALOG.findIndex((e) => e.name === name);
  return FIRST_PORT + (i < 0 ? CATALOG.length : i);
}

function folderUse(dir: string, except: string): FolderUse {
  const use: FolderUse = { sourceIds: new Map(), spools: new Map(), ports: new Map() };
  for (const file of mappingFilesIn(dir)) {
    if (resolve(file) === except) continue;
    const doc = readLoosely(file);
    if (!isRecord(doc)) continue;
    const name = basename(file);
    if (typeof doc.source_id === 'string') use.sourceIds.set(doc.source_id, name);
    const buffer = isRecord(doc.sink) ? doc.sink.buffer : undefined;
    if (isRecord(buffer) && typeof buffer.path === 'string') use.spools.set(resolve(dir, buffer.path), name);
    const listen = isRecord(doc.observe) ? doc.observe.listen : undefined;
    const port = typeof listen === 'string' ? /:(\d+)$/.exec(listen)?.[1] : typeof listen === 'number' ? String(listen) : undefined;
    if (port !== undefined) use.ports.set(Number(port), name);
  }
  return use;
}

/** A file's YAML with its environment references read as written (defaults, else empty); undefined when it cannot be read. */
function readLoosely(file: string): unknown {
  try {
    return parse(substituteEnv(readFileSync(file, 'utf8'), {}));
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
