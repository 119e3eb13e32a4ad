/**
 * A float32 or float64 reading as `--probe` prints it, in a form that never reads like an
 * integer register: `digits` significant digits at most, exponent form from 10^digits up (where
 * plain digits would end in made-up zeros: `8.607946e+9`, not `8607946000`) and below 1e-6
 * (`2.3416e-41`), and `.0` after a whole number (`12352.0`). NaN and the infinities as words.
 */
export function floatText(v: number, digits: number): string {
  if (!Number.isFinite(v)) return String(v);
  const rounded = Number(v.toPrecision(digits));
  if (Math.abs(rounded) >= 10 ** digits) return rounded.toExponential();
  const text = String(rounded);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
