import { textTable } from '@fieldbridge/core/bridge';
import { DEFAULT_FIELDS, DERIVED_FIELDS, INSTANCE_FIELDS } from './default-fields.js';
import type { Dialect } from './dialect.js';
import { defaultTarget } from './units.js';

/**
 * What `bridge-mavlink --list-messages` prints: every message of the dialect, one per line
 * (`   30  ATTITUDE  7 fields  (default fields)`), for finding names to put in `messages`.
 */
export function formatMessageList(dialect: Dialect): string {
  const lines = [`${dialect.messages().length} messages in the ${dialect.name} dialect (bridge-mavlink --list-messages NAME shows one):`];
  for (const m of dialect.messages()) {
    const notes = [DEFAULT_FIELDS[m.name] ? 'default fields' : '', INSTANCE_FIELDS[m.name] ? `instance: ${INSTANCE_FIELDS[m.name]}` : ''].filter(Boolean);
    lines.push(`${String(m.id).padStart(6)}  ${m.name.padEnd(40)} ${String(m.fields.length).padStart(3)} fields${notes.length > 0 ? `  (${notes.join(', ')})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * What `bridge-mavlink --list-messages NAME` prints: the message's fields with their wire type,
 * XML unit and the unit their points have by default (after the standard conversion), marking
 * the default records and the derived ones. Undefined for a message the dialect does not have.
 */
export function formatMessageFields(dialect: Dialect, name: string): string | undefined {
  const m = dialect.messageNamed(name);
  if (!m) return undefined;
  const defaults = new Set((DEFAULT_FIELDS[m.name] ?? []).map((f) => f.field));
  const rows = m.fields.map((f) => {
    const type = `${f.type}${f.arrayLength > 0 ? `[${f.arrayLength}]` : ''}`;
    const target = f.unit ? (defaultTarget(f.unit) ?? f.unit) : '';
    const marks = [defaults.has(f.name) ? 'default' : '', f.extension ? 'extension' : '', INSTANCE_FIELDS[m.name] === f.name ? 'instance' : ''].filter(Boolean);
    return [f.name, type, f.unit || '-', target || '-', marks.join(', ')];
  });
  for (const derived of DERIVED_FIELDS[m.name] ?? []) rows.push([derived, 'derived', '-', derived === 'voltage' ? 'V' : '-', defaults.has(derived) ? 'default, derived' : 'derived']);
  const header = ['field', 'type', 'xml unit', 'point unit', ''];
  const intro = `${m.name} (id ${m.id}, ${m.fields.length} fields${defaults.size > 0 ? '; "default" reads the fields marked default' : '; "default" reads every field'}):`;
  return `${[intro, ...textTable([header, ...rows])].join('\n')}\n`;
}
