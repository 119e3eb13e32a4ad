import { createRequire } from 'node:module';
import { MavlinkBridgeError } from './errors.js';

/** A MAVLink wire type, without the C spelling (`uint16_t` is `uint16`, `char[16]` is `char` with 16 elements). */
export type FieldType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float' | 'double' | 'char';

/** Bytes per element of each wire type. */
export const FIELD_TYPE_SIZES: Readonly<Record<FieldType, number>> = {
  int8: 1, uint8: 1, char: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float: 4, int64: 8, uint64: 8, double: 8,
};

/** One field of a message, where it sits in the (untrimmed) payload. */
export interface FieldDef {
  /** The name as the XML definition spells it, e.g. `time_boot_ms`. */
  name: string;
  type: FieldType;
  /** Byte offset in the payload (fields are on the wire by element size, largest first; extensions last). */
  offset: number;
  /** Elements of an array field (`voltages` has 10); 0 for a scalar. A `char` array is a string. */
  arrayLength: number;
  /** Bytes per element. */
  size: number;
  /** True for fields after `<extensions/>`: absent from MAVLink 1 frames and from older senders. */
  extension: boolean;
  /** The unit the XML declares (`mV`, `degE7`, `cm/s`), '' when none. */
  unit: string;
}

/** One message of a dialect. */
export interface MessageDef {
  id: number;
  /** Upper-case name, e.g. `GLOBAL_POSITION_INT`. */
  name: string;
  /** The CRC_EXTRA seed that makes the checksum depend on the message's layout. */
  crcExtra: number;
  /** Payload bytes without extension fields: the length a MAVLink 1 frame carries. */
  baseLength: number;
  /** Payload bytes with every extension field. */
  maxLength: number;
  fields: readonly FieldDef[];
  /** The field named `name` (XML spelling), if the message has one. */
  field(name: string): FieldDef | undefined;
}

/** The message and enum tables of a MAVLink dialect. */
export interface Dialect {
  /** `common`, `ardupilotmega`, or the name given to {@link buildDialect}. */
  readonly name: string;
  /** The message with numeric id `id`. */
  message(id: number): MessageDef | undefined;
  /** The message named `name` (upper case, as in the XML). */
  messageNamed(name: string): MessageDef | undefined;
  /** Every message, by id. */
  messages(): readonly MessageDef[];
  /** The entries of enum `name` (XML spelling, e.g. `MAV_STATE`) by value, names without the enum's prefix. */
  enumEntries(name: string): ReadonlyMap<number, string> | undefined;
  /** Every enum's name (XML spelling), for the name meant by a misspelt one. */
  enumNames(): readonly string[];
}

/** The dialects {@link loadDialect} knows. `ardupilotmega` includes `common` (and `minimal`, `standard`, `uavionix`, `icarous`). */
export type DialectName = 'common' | 'ardupilotmega';

/** Every dialect name. */
export const DIALECT_NAMES: readonly DialectName[] = ['common', 'ardupilotmega'];

/** The modules of node-mavlink (mavlink-mappings) each dialect merges, in include order. */
const DIALECT_MODULES: Record<DialectName, readonly string[]> = {
  common: ['minimal', 'standard', 'common'],
  ardupilotmega: ['minimal', 'standard', 'common', 'uavionix', 'icarous', 'ardupilotmega'],
};

/** A message class of node-mavlink's registry, as far as the tables are read from it. */
export interface RegistryClass {
  MSG_ID: number;
  MSG_NAME: string;
  PAYLOAD_LENGTH: number;
  MAGIC_NUMBER: number;
  FIELDS: readonly { source: string; type: string; offset: number; length: number; size: number; extension: boolean; units: string }[];
}

/** One module of node-mavlink: its `REGISTRY` of message classes and its enums (TypeScript enum objects). */
export interface RegistryModule {
  REGISTRY?: Record<number, RegistryClass>;
  [name: string]: unknown;
}

const cache = new Map<DialectName, Promise<Dialect>>();
const built = new Map<DialectName, Dialect>();

function fromLibrary(name: DialectName, lib: unknown): Dialect {
  let dialect = built.get(name);
  if (!dialect) {
    const modules = DIALECT_MODULES[name].map((m) => (lib as Record<string, RegistryModule | undefined>)[m]).filter((m): m is RegistryModule => m !== undefined);
    dialect = buildDialect(name, modules);
    built.set(name, dialect);
  }
  return dialect;
}

const loadFailed = (name: DialectName, err: unknown): MavlinkBridgeError =>
  new MavlinkBridgeError('DIALECT', `could not load node-mavlink for the ${name} dialect (is node-mavlink 2.3 installed?)`, { cause: err });

/**
 * Loads a dialect's tables from node-mavlink (imported here, on first use, so that importing the
 * package stays cheap). Loaded once per process and shared. Rejects with a `DIALECT` error when
 * node-mavlink cannot be imported.
 */
export function loadDialect(name: DialectName = 'ardupilotmega'): Promise<Dialect> {
  let loaded = cache.get(name);
  if (!loaded) {
    loaded = import('node-mavlink').then(
      (lib) => fromLibrary(name, lib),
      (err: unknown) => {
        cache.delete(name);
        throw loadFailed(name, err);
      },
    );
    cache.set(name, loaded);
  }
  return loaded;
}

/**
 * {@link loadDialect} for synchronous callers: the mapping check (`--check` refuses a misspelt
 * message or field, as a run would) and `describe`. node-mavlink is CommonJS, so this `require`
 * and the `import()` of `loadDialect` share one module instance, and the dialect is built once.
 * Throws a `DIALECT` error when node-mavlink cannot be loaded.
 */
export function loadDialectSync(name: DialectName = 'ardupilotmega'): Dialect {
  const ready = built.get(name);
  if (ready) return ready;
  let lib: unknown;
  try {
    lib = createRequire(import.meta.url)('node-mavlink');
  } catch (err) {
    throw loadFailed(name, err);
  }
  return fromLibrary(name, lib);
}

/**
 * Builds a dialect from node-mavlink modules (later modules win on a clashing id). Throws a
 * `DIALECT` error when a message's field table is inconsistent (a field outside the payload, an
 * unknown type), since decoding by it would read the wrong bytes.
 */
export function buildDialect(name: string, modules: readonly RegistryModule[]): Dialect {
  const byId = new Map<number, MessageDef>();
  const byName = new Map<string, MessageDef>();
  const enumSources = new Map<string, Record<string, unknown>>();
  for (const mod of modules) {
    for (const cls of Object.values(mod.REGISTRY ?? {})) {
      const def = messageFromClass(cls);
      byId.set(def.id, def);
      byName.set(def.name, def);
    }
    for (const [key, value] of Object.entries(mod)) {
      if (key !== 'REGISTRY' && isNumericEnum(value)) enumSources.set(enumName(key), value);
    }
  }
  const all = [...byId.values()].sort((a, b) => a.id - b.id);
  const enums = new Map<string, ReadonlyMap<number, string>>();
  return {
    name,
    message: (id) => byId.get(id),
    messageNamed: (n) => byName.get(n.toUpperCase()),
    messages: () => all,
    enumEntries(n) {
      const key = n.toUpperCase();
      let entries = enums.get(key);
      if (!entries) {
        const source = enumSources.get(key);
        if (!source) return undefined;
        entries = enumMap(key, source);
        enums.set(key, entries);
      }
      return entries;
    },
    enumNames: () => [...enumSources.keys()],
  };
}

function messageFromClass(cls: RegistryClass): MessageDef {
  const fields: FieldDef[] = cls.FIELDS.map((f) => {
    const type = wireType(f.type);
    if (!type || FIELD_TYPE_SIZES[type] !== f.size) {
      throw new MavlinkBridgeError('DIALECT', `message ${cls.MSG_NAME}: field ${f.source} has type ${f.type} of ${f.size} bytes, which the decoder does not know`);
    }
    const arrayLength = f.type.endsWith('[]') ? f.length : 0;
    if (f.offset + f.size * Math.max(1, arrayLength) > cls.PAYLOAD_LENGTH) {
      throw new MavlinkBridgeError('DIALECT', `message ${cls.MSG_NAME}: field ${f.source} ends past the payload (${cls.PAYLOAD_LENGTH} bytes)`);
    }
    return { name: f.source, type, offset: f.offset, arrayLength, size: f.size, extension: f.extension, unit: f.units ?? '' };
  });
  const baseLength = fields.filter((f) => !f.extension).reduce((end, f) => Math.max(end, f.offset + f.size * Math.max(1, f.arrayLength)), 0);
  const byName = new Map(fields.map((f) => [f.name, f]));
  return {
    id: cls.MSG_ID,
    name: cls.MSG_NAME,
    crcExtra: cls.MAGIC_NUMBER,
    baseLength,
    maxLength: cls.PAYLOAD_LENGTH,
    fields,
    field: (n) => byName.get(n),
  };
}

/** `uint16_t[]` -> `uint16`; `uint8_t_mavlink_version` (HEARTBEAT's last field) -> `uint8`. */
function wireType(cType: string): FieldType | undefined {
  const base = cType.replace(/\[\]$/, '').replace(/_mavlink_version$/, '').replace(/_t$/, '');
  return base in FIELD_TYPE_SIZES ? (base as FieldType) : undefined;
}

/** A TypeScript numeric enum object: every value a number or the reverse-mapped name. */
function isNumericEnum(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const values = Object.values(value);
  return values.length > 0 && values.some((v) => typeof v === 'number') && values.every((v) => typeof v === 'number' || typeof v === 'string');
}

/** node-mavlink's `MavBatteryChargeState` is the XML's `MAV_BATTERY_CHARGE_STATE`. */
function enumName(pascal: string): string {
  return pascal.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toUpperCase();
}

/**
 * Entry names by value. node-mavlink trims the enum's prefix except where the rest would start
 * with a digit (`GPS_FIX_TYPE_3D_FIX`); the prefix is trimmed there too so that every entry reads
 * the same way (`3D_FIX`). The first name of a value wins over later aliases.
 */
function enumMap(name: string, source: Record<string, unknown>): ReadonlyMap<number, string> {
  const entries = new Map<number, string>();
  const prefix = `${name}_`;
  for (const [key, value] of Object.entries(source)) {
    if (typeof value !== 'number' || entries.has(value)) continue;
    entries.set(value, key.startsWith(prefix) ? key.slice(prefix.length) : key);
  }
  return entries;
}
