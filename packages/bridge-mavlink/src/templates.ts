import { compileTemplate, namedPlaceholders, renderMetricName, SOURCE_ID_PATTERN, type Template } from '@fieldbridge/core/bridge';

/** What a metric name is filled from: one record of one message of one sender. */
export interface MetricVars {
  /** The message name in lower case, e.g. `global_position_int`. */
  message: string;
  /** The record's name, e.g. `lat`, `flight_mode`, `voltages_0`. */
  field: string;
  /** The message's instance (battery id, sensor id, named value's name); '' when it has none. */
  instance: string | number;
  sysid: number;
  compid: number;
}

/** What a vehicle's source id is filled from. */
export interface SourceIdVars {
  /** The mapping file's `source_id`. */
  sourceId: string;
  sysid: number;
}

const metricPlaceholders = namedPlaceholders<MetricVars>({
  message: (v) => v.message,
  field: (v) => v.field,
  instance: (v) => v.instance,
  sysid: (v) => v.sysid,
  compid: (v) => v.compid,
});

const sourceIdPlaceholders = namedPlaceholders<SourceIdVars>({
  source_id: (v) => v.sourceId,
  sysid: (v) => v.sysid,
});

type Compiled<V> = { ok: true; template: Template<V> } | { ok: false; message: string };

/**
 * Compiles a `metric` template with the kit's engine and tries it on a long record name, so a
 * name that comes out empty or past 256 characters is refused at load time rather than per point.
 */
export function compileMetricTemplate(source: string): Compiled<MetricVars> {
  const compiled = compileTemplate(source, metricPlaceholders);
  if (!compiled.ok) return compiled;
  const sample = renderMetricName(compiled.template, { message: 'global_position_int', field: 'relative_alt', instance: '', sysid: 255, compid: 255 });
  return sample.ok ? compiled : { ok: false, message: sample.message };
}

/**
 * Compiles a `source_id` template and checks that it makes valid source ids (lower-case letters,
 * digits, `.`, `_` and `-`, starting with a letter or digit) for any file source id and system id.
 */
export function compileSourceIdTemplate(source: string): Compiled<SourceIdVars> {
  const compiled = compileTemplate(source, sourceIdPlaceholders);
  if (!compiled.ok) return compiled;
  const sample = compiled.template.render({ sourceId: 'a', sysid: 255 });
  if (!sample.ok || !SOURCE_ID_PATTERN.test(sample.text)) {
    return { ok: false, message: `"${source}" does not make a valid source id (lower-case letters, digits, ".", "_" and "-", starting with a letter or digit)` };
  }
  return compiled;
}

/** A vehicle's source id, or why it cannot have one (too long once filled in). */
export function renderSourceId(template: Template<SourceIdVars>, vars: SourceIdVars): { ok: true; text: string } | { ok: false; message: string } {
  const result = template.render(vars);
  if (!result.ok) return result;
  if (!SOURCE_ID_PATTERN.test(result.text) || result.text.length > 256) {
    return { ok: false, message: `source_id template "${template.source}" gives "${result.text.slice(0, 64)}" for system ${vars.sysid}, which is not a valid source id (at most 256 characters)` };
  }
  return result;
}
