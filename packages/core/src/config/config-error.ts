import { FieldbridgeError } from '../errors.js';

/** One problem in a mapping file, located. `line` and `col` are 1-based. */
export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  /** Dotted key path, e.g. `modbus.devices[0].points[3].type`; empty for the whole file. */
  path: string;
  message: string;
}

/** Formats an issue as `file:line:col path: message`. */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.col} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** A mapping file that cannot be used: `code` CONFIG_INVALID, every issue located. */
export class ConfigError extends FieldbridgeError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super('CONFIG_INVALID', issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Formats a key path array as `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
