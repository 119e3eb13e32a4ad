import { closestName } from '@fieldbridge/core/bridge';
import { compileField, type RecordMaker } from './_compile-field.js';
import type { FieldRecord } from './field-record.js';
import { readElement, readString, payloadView } from './payload.js';
import { DEFAULT_FIELDS, DEFAULT_SELECTION, DERIVED_FIELDS, FIX_2D, FIX_FIELDS, INSTANCE_FIELDS, type FieldSpec, type MessageSelection } from './default-fields.js';
import type { Dialect, MessageDef } from './dialect.js';
import { MavlinkBridgeError, type SelectionIssue } from './errors.js';

/** The records of one message, and which instance of the message it is (when it has several). */
export interface MessageFields {
  fields: FieldRecord[];
  /** Battery id, sensor id, output port, or a named value's name (see `INSTANCE_FIELDS`). */
  instance?: number | string;
}

/** A message selection compiled against a dialect: which messages give records, and how. */
export interface MessagePlan {
  readonly dialect: Dialect;
  /** Names of the selected messages, as the dialect spells them. */
  readonly messageNames: readonly string[];
  /** True when message `msgid` gives records. */
  selects(msgid: number): boolean;
  /** The records message `name` (the dialect's spelling) makes, in order, with their units ('' for none); undefined when not selected. */
  records(name: string): readonly { name: string; unit: string }[] | undefined;
  /**
   * The records of a message's payload; undefined when the message is not selected. Never throws.
   * `texts` replaces text fields by field name (a long STATUSTEXT put together from its chunks).
   */
  fields(message: MessageDef, payload: Uint8Array, texts?: Readonly<Record<string, string>>): MessageFields | undefined;
}

interface CompiledMessage {
  makers: RecordMaker[];
  records: { name: string; unit: string }[];
  instance?: (view: DataView) => number | string;
  /** A GPS report without a fix: its position records (by name) are left out (see `FIX_FIELDS`). */
  noFix?: { fixType: (view: DataView) => number; names: ReadonlySet<string> };
}

/**
 * Compiles `selection` (default: {@link DEFAULT_SELECTION}) for `dialect`. Throws a
 * `BAD_MESSAGES` error listing every refusal (unknown message or field, impossible conversion,
 * unknown enum, two records with one name) with its path, so a mapping can point at each.
 */
export function compileMessagePlan(dialect: Dialect, selection: MessageSelection = DEFAULT_SELECTION): MessagePlan {
  const issues: SelectionIssue[] = [];
  const compiled = new Map<number, CompiledMessage>();
  const names: string[] = [];
  const byName = new Map<string, number>();
  for (const [key, choice] of Object.entries(selection)) {
    const def = dialect.messageNamed(key);
    if (!def) {
      issues.push({ path: [key], atKey: true, message: `unknown message "${key}" in the ${dialect.name} dialect${suggest(dialect, key)}` });
      continue;
    }
    const specs = specsFor(def, choice);
    const makers: RecordMaker[] = [];
    const records: { name: string; unit: string }[] = [];
    const seen = new Set<string>();
    const fixFields = new Set(FIX_FIELDS[def.name] ?? []);
    const fixNames = new Set<string>();
    specs.forEach((entry, i) => {
      const spec = typeof entry === 'string' ? { field: entry } : entry;
      const path = choice === 'default' || choice === 'all' ? [key] : [key, i];
      const field = compileField(dialect, def, spec, path, issues);
      if (!field) return;
      if (fixFields.has(spec.field)) for (const n of field.names) fixNames.add(n);
      const clash = field.names.find((n) => seen.has(n));
      if (clash) {
        issues.push({ path, message: `${def.name}: two records are named "${clash}" (set "as" on one)` });
        return;
      }
      field.names.forEach((n, i) => {
        seen.add(n);
        records.push({ name: n, unit: field.units[i] ?? '' });
      });
      makers.push(field.make);
    });
    const fixType = def.field('fix_type');
    const noFix = fixType && fixNames.size > 0 ? { noFix: { fixType: (view: DataView) => Number(readElement(view, fixType, 0)), names: fixNames } } : {};
    compiled.set(def.id, { makers, records, ...instanceReader(def), ...noFix });
    byName.set(def.name, def.id);
    names.push(def.name);
  }
  if (issues.length > 0) {
    throw new MavlinkBridgeError('BAD_MESSAGES', `the message selection has ${issues.length} problem(s): ${issues.map((i) => i.message).join('; ')}`, { issues });
  }
  return {
    dialect,
    messageNames: names,
    selects: (msgid) => compiled.has(msgid),
    records(name) {
      const id = byName.get(name.toUpperCase());
      return id === undefined ? undefined : compiled.get(id)?.records;
    },
    fields(message, payload, texts) {
      const plan = compiled.get(message.id);
      if (!plan) return undefined;
      const view = payloadView(message, payload);
      let fields: FieldRecord[] = [];
      for (const make of plan.makers) make(view, fields, texts);
      const noFix = plan.noFix;
      if (noFix && noFix.fixType(view) < FIX_2D) fields = fields.filter((f) => !noFix.names.has(f.name));
      return plan.instance ? { fields, instance: plan.instance(view) } : { fields };
    },
  };
}

/**
 * `default`: the message's defaults, or every field when it has none; `all`: every field, then
 * the derived ones (HEARTBEAT's flight_mode and armed, BATTERY_STATUS's voltage), so that `all`
 * reads at least what `default` does, with the defaults' settings where they exist; a list: each
 * bare name with its field's default settings (`eph` keeps its 0.01 scale, `current_battery` its
 * "not known" -1), each object as written.
 */
function specsFor(def: MessageDef, choice: MessageSelection[string]): readonly (string | FieldSpec)[] {
  const defaults = DEFAULT_FIELDS[def.name];
  if (choice === 'default' && defaults) return defaults;
  const byField = new Map((defaults ?? []).map((s) => [s.field, s]));
  if (choice === 'default' || choice === 'all') {
    const names = [...def.fields.map((f) => f.name), ...(DERIVED_FIELDS[def.name] ?? [])];
    return names.map((n) => byField.get(n) ?? { field: n });
  }
  return choice.map((entry) => (typeof entry === 'string' ? (byField.get(entry) ?? entry) : entry));
}

function instanceReader(def: MessageDef): Pick<CompiledMessage, 'instance'> {
  const field = def.field(INSTANCE_FIELDS[def.name] ?? '');
  if (!field) return {};
  if (field.type === 'char' && field.arrayLength > 0) return { instance: (view) => readString(view, field) };
  return { instance: (view) => Number(readElement(view, field, 0)) };
}

/** ` (did you mean GPS_RAW_INT?)` for a near miss, by edit distance (the kit's `closestName`). */
function suggest(dialect: Dialect, name: string): string {
  const best = closestName(name.toUpperCase(), dialect.messages().map((m) => m.name));
  return best ? ` (did you mean ${best}?)` : '';
}
