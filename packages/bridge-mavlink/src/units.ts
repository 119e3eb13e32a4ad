/** A unit the conversions know: its dimension and its size in the dimension's base unit. */
interface UnitDef {
  dimension: string;
  factor: number;
}

const DEG_PER_RAD = 180 / Math.PI;

/**
 * Units of the MAVLink XML (as the field tables spell them) and the targets they convert to.
 * Temperatures in kelvin are absent on purpose: they need an offset, not a factor.
 */
const UNITS: Record<string, UnitDef> = {
  deg: { dimension: 'angle', factor: 1 },
  rad: { dimension: 'angle', factor: DEG_PER_RAD },
  mrad: { dimension: 'angle', factor: DEG_PER_RAD / 1000 },
  cdeg: { dimension: 'angle', factor: 0.01 },
  ddeg: { dimension: 'angle', factor: 0.1 },
  degE5: { dimension: 'angle', factor: 1e-5 },
  degE7: { dimension: 'angle', factor: 1e-7 },
  // HIGH_LATENCY2 packs headings into a byte in steps of 2 degrees, and speeds in steps of 0.2 m/s.
  'deg/2': { dimension: 'angle', factor: 2 },
  'deg/s': { dimension: 'angular rate', factor: 1 },
  'rad/s': { dimension: 'angular rate', factor: DEG_PER_RAD },
  'mrad/s': { dimension: 'angular rate', factor: DEG_PER_RAD / 1000 },
  'cdeg/s': { dimension: 'angular rate', factor: 0.01 },
  'ddeg/s': { dimension: 'angular rate', factor: 0.1 },
  m: { dimension: 'length', factor: 1 },
  km: { dimension: 'length', factor: 1000 },
  dam: { dimension: 'length', factor: 10 },
  dm: { dimension: 'length', factor: 0.1 },
  cm: { dimension: 'length', factor: 0.01 },
  mm: { dimension: 'length', factor: 0.001 },
  'm/s': { dimension: 'speed', factor: 1 },
  'km/h': { dimension: 'speed', factor: 1 / 3.6 },
  'dm/s': { dimension: 'speed', factor: 0.1 },
  'cm/s': { dimension: 'speed', factor: 0.01 },
  'mm/s': { dimension: 'speed', factor: 0.001 },
  'm/s*5': { dimension: 'speed', factor: 0.2 },
  V: { dimension: 'voltage', factor: 1 },
  cV: { dimension: 'voltage', factor: 0.01 },
  mV: { dimension: 'voltage', factor: 0.001 },
  A: { dimension: 'current', factor: 1 },
  cA: { dimension: 'current', factor: 0.01 },
  mA: { dimension: 'current', factor: 0.001 },
  '%': { dimension: 'ratio', factor: 1 },
  'd%': { dimension: 'ratio', factor: 0.1 },
  'c%': { dimension: 'ratio', factor: 0.01 },
  degC: { dimension: 'temperature', factor: 1 },
  cdegC: { dimension: 'temperature', factor: 0.01 },
  J: { dimension: 'energy', factor: 1 },
  hJ: { dimension: 'energy', factor: 100 },
  Wh: { dimension: 'energy', factor: 3600 },
  mAh: { dimension: 'charge', factor: 1 },
  Ah: { dimension: 'charge', factor: 1000 },
  s: { dimension: 'time', factor: 1 },
  ds: { dimension: 'time', factor: 0.1 },
  cs: { dimension: 'time', factor: 0.01 },
  ms: { dimension: 'time', factor: 0.001 },
  us: { dimension: 'time', factor: 1e-6 },
  ns: { dimension: 'time', factor: 1e-9 },
  Pa: { dimension: 'pressure', factor: 1 },
  hPa: { dimension: 'pressure', factor: 100 },
  kPa: { dimension: 'pressure', factor: 1000 },
};

/**
 * The conversions applied when a field names no `to`: what users of ground stations expect to
 * read. Positions in 1e-7 degrees become degrees; millimetres, centimetres and decametres metres;
 * mm/s, cm/s and HIGH_LATENCY2's steps of 0.2 m/s m/s; centi-degrees and its steps of 2 degrees degrees; millivolts volts; centi- and milliamperes amperes; deci- and
 * centi-percent percent; centi-degrees Celsius degrees Celsius; hectojoules joules. Radians stay
 * radians, times stay in their unit (`time_boot_ms` is a count of ms, not a duration to rescale).
 */
export const DEFAULT_CONVERSIONS: Readonly<Record<string, string>> = {
  degE7: 'deg',
  degE5: 'deg',
  cdeg: 'deg',
  ddeg: 'deg',
  'deg/2': 'deg',
  'cdeg/s': 'deg/s',
  'ddeg/s': 'deg/s',
  mm: 'm',
  cm: 'm',
  dm: 'm',
  dam: 'm',
  'mm/s': 'm/s',
  'cm/s': 'm/s',
  'dm/s': 'm/s',
  'm/s*5': 'm/s',
  mV: 'V',
  cV: 'V',
  cA: 'A',
  mA: 'A',
  'd%': '%',
  'c%': '%',
  cdegC: 'degC',
  hJ: 'J',
};

/** Every unit a field can be converted from or to. */
export const KNOWN_UNITS: readonly string[] = Object.keys(UNITS);

/** A conversion from one unit to another, compiled once. */
export interface UnitConversion {
  from: string;
  to: string;
  apply(value: number): number;
}

/**
 * The conversion from `from` to `to`, or a message saying why there is none (unknown unit,
 * different dimensions). A factor that is an exact power-of-ten fraction divides instead of
 * multiplying, so 473977418 in degE7 reads 47.3977418 rather than 47.397741800000004.
 */
export function unitConversion(from: string, to: string): UnitConversion | string {
  const a = UNITS[from];
  const b = UNITS[to];
  if (!a) return `the field's unit "${from || '(none)'}" has no conversions`;
  if (!b) return `unknown unit "${to}" (known: ${KNOWN_UNITS.join(', ')})`;
  if (a.dimension !== b.dimension) return `cannot convert ${from} (${a.dimension}) to ${to} (${b.dimension})`;
  const ratio = a.factor / b.factor;
  if (ratio === 1) return { from, to, apply: (v) => v };
  const inverse = Math.round(1 / ratio);
  if (ratio < 1 && Math.abs(1 / ratio - inverse) < 1e-9 * inverse) return { from, to, apply: (v) => v / inverse };
  const whole = Math.round(ratio);
  if (Math.abs(ratio - whole) < 1e-9 * whole) return { from, to, apply: (v) => v * whole };
  return { from, to, apply: (v) => v * ratio };
}

/** The default target of `unit` (see {@link DEFAULT_CONVERSIONS}), or undefined to keep it. */
export function defaultTarget(unit: string): string | undefined {
  return DEFAULT_CONVERSIONS[unit];
}
