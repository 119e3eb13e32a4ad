import { closestName, float32Value } from '@fieldbridge/core/bridge';
import { applyScale, type FieldRecord, type RecordValue } from './field-record.js';
import { readElement, readString } from './payload.js';
import { derivedReader } from './_derived.js';
import type { FieldSpec } from './default-fields.js';
import { ABSENT_ELEMENTS, DERIVED_FIELDS } from './default-fields.js';
import type { Dialect, FieldDef, MessageDef } from './dialect.js';
import { enumText } from './enum-text.js';
import type { SelectionIssue } from './errors.js';
import { defaultTarget, unitConversion } from './units.js';

/**
 * Appends a field's records (none when the value is "not known") to `out`. `texts` replaces text
 * fields by field name (a STATUSTEXT put together from its chunks).
 */
export type RecordMaker = (view: DataView, out: FieldRecord[], texts?: Readonly<Record<string, string>>) => void;

/** A compiled field: the record names it makes (with their units, '' for none) and how. */
export interface CompiledField {
  names: string[];
  units: string[];
  make: RecordMaker;
}

const push = (out: FieldRecord[], name: string, value: RecordValue, unit: string): void => {
  out.push(unit ? { name, value, unit } : { name, value });
};

/**
 * Compiles one entry of a message's field list. Refusals are appended to `issues` (with `path`
 * leading to the entry) and give undefined.
 */
export function compileField(dialect: Dialect, def: MessageDef, spec: FieldSpec, path: (string | number)[], issues: SelectionIssue[]): CompiledField | undefined {
  const refuse = (message: string, key?: string): undefined => {
    issues.push({ path: key ? [...path, key] : path, message: `${def.name}.${spec.field}: ${message}` });
    return undefined;
  };
  const derived = derivedReader(def, spec.field, dialect);
  if (derived) {
    const extra = (['index', 'to', 'scale', 'unknown', 'enum'] as const).find((k) => spec[k] !== undefined);
    if (extra) return refuse(`a derived field takes only "as" (not "${extra}")`, extra);
    const name = spec.as ?? spec.field;
    return {
      names: [name],
      units: [derived.unit],
      make: (view, out) => {
        const value = derived.read(view);
        if (value !== undefined) push(out, name, value, derived.unit);
      },
    };
  }
  const field = def.field(spec.field);
  if (!field) {
    const derivedNames = DERIVED_FIELDS[def.name] ?? [];
    const names = [...def.fields.map((f) => f.name), ...derivedNames];
    const meant = names.find((n) => n === spec.field.toLowerCase()) ?? closestName(spec.field.toLowerCase(), names);
    return refuse(`no such field${meant ? ` (did you mean ${meant}?)` : ''} (${def.name} has ${names.join(', ')})`, 'field');
  }
  const index = spec.index;
  if (index !== undefined) {
    if (field.arrayLength === 0 || field.type === 'char') return refuse('"index" needs an array field', 'index');
    if (!Number.isInteger(index) || index < 0 || index >= field.arrayLength) return refuse(`index ${index} is outside 0..${field.arrayLength - 1}`, 'index');
  }
  const name = spec.as ?? (index !== undefined ? `${field.name}_${index}` : field.name);
  if (field.type === 'char' && field.arrayLength > 0) {
    const extra = (['to', 'scale', 'unknown', 'enum'] as const).find((k) => spec[k] !== undefined);
    if (extra) return refuse(`a text field takes no "${extra}"`, extra);
    return { names: [name], units: [''], make: (view, out, texts) => push(out, name, texts?.[field.name] ?? readString(view, field), '') };
  }
  return compileNumber(dialect, field, spec, name, index, refuse, ABSENT_ELEMENTS[def.name]?.[field.name]);
}

function compileNumber(
  dialect: Dialect,
  field: FieldDef,
  spec: FieldSpec,
  name: string,
  index: number | undefined,
  refuse: (message: string, key?: string) => undefined,
  absent: number | undefined,
): CompiledField | undefined {
  const target = spec.to === 'raw' ? undefined : (spec.to ?? defaultTarget(field.unit));
  const conversion = target === undefined || target === field.unit ? undefined : unitConversion(field.unit, target);
  if (typeof conversion === 'string') return refuse(conversion, 'to');
  const scale = spec.scale;
  if (scale !== undefined && !(Number.isFinite(scale) && scale !== 0)) return refuse('"scale" must be a finite, non-zero number', 'scale');
  const whole = field.arrayLength > 0 && index === undefined;
  if (whole && spec.unknown !== undefined) return refuse('"unknown" applies to a scalar or to one element ("index")', 'unknown');
  let entries: ReadonlyMap<number, string> | undefined;
  if (spec.enum !== undefined) {
    if (whole) return refuse('"enum" applies to a scalar or to one element ("index")', 'enum');
    entries = dialect.enumEntries(spec.enum);
    if (!entries) {
      const meant = closestName(spec.enum.toUpperCase(), dialect.enumNames());
      return refuse(`unknown enum "${spec.enum}" in the ${dialect.name} dialect${meant ? ` (did you mean ${meant}?)` : ''}`, 'enum');
    }
  }
  const unit = conversion ? conversion.to : spec.to === 'raw' ? field.unit : target ?? field.unit;
  const isFloat = field.type === 'float';
  const value = (raw: number): number => {
    let v = isFloat ? float32Value(raw) : raw;
    if (conversion) v = conversion.apply(v);
    return scale === undefined ? v : applyScale(v, scale);
  };
  if (whole) {
    return {
      names: [name],
      units: [unit],
      make: (view, out) => {
        let length = field.arrayLength;
        while (length > 0 && Number(readElement(view, field, length - 1)) === absent) length--;
        if (length === 0) return;
        const values = new Array<number>(length);
        for (let i = 0; i < length; i++) values[i] = value(Number(readElement(view, field, i)));
        push(out, name, values, unit);
      },
    };
  }
  const element = index ?? 0;
  const unknown = spec.unknown ?? absent;
  const textName = `${name}_text`;
  return {
    names: entries ? [name, textName] : [name],
    units: entries ? [unit, ''] : [unit],
    make: (view, out) => {
      const raw = Number(readElement(view, field, element));
      // MAVLink writes NaN (floats) or a sentinel for a value the sender does not have.
      if (raw === unknown || !Number.isFinite(raw)) return;
      push(out, name, value(raw), unit);
      if (entries) out.push({ name: textName, value: enumText(entries, raw) });
    },
  };
}
