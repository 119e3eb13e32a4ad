import { stringify } from 'yaml';

/**
 * `value` as YAML on one line, in flow style (`{ fields: [roll, pitch], on_change: true }`), for
 * the entries a `--scan` prints to paste into a mapping: the yaml library quotes what a plain
 * scalar would misread (`"true"`, `"{sysid}.x"`, `"007"`), so the entry reads back as it was.
 */
export function flowYaml(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
}
