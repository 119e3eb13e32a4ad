import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigIssue } from '../config/config-error.js';
import { loadMapping } from '../config/load-mapping.js';
import type { BridgeDefinition } from '../runtime/define-bridge.js';

/** How a mapping file was refused: the message printed by the command, and each located issue. */
export interface MappingRefusal {
  message: string;
  issues: ConfigIssue[];
}

/**
 * Loads `file` for `definition` expecting it to be refused, and returns how. Throws when the
 * file is accepted, or fails for another reason than `CONFIG_INVALID`.
 */
export function mappingRefusal(file: string, definition: BridgeDefinition, env: NodeJS.ProcessEnv = {}): MappingRefusal {
  try {
    loadMapping(file, definition, env);
  } catch (err) {
    if (err instanceof ConfigError) return { message: err.message, issues: err.issues };
    throw err;
  }
  throw new Error(`${file} was accepted, but a refusal was expected`);
}

/** Where a refused mapping file must be reported: 1-based line and column, key path, message. */
export interface ExpectedRefusal {
  line: number;
  col: number;
  path: string;
  message: RegExp;
}

/**
 * Asserts that `file` is refused with exactly one issue, located at `expected`, and that the
 * printed message starts with `file:line:col path: `, as the command prints it.
 */
export function expectRefusedAt(file: string, definition: BridgeDefinition, expected: ExpectedRefusal): void {
  const { message: text, issues } = mappingRefusal(file, definition);
  const { line, col, path, message } = expected;
  expect(issues).toHaveLength(1);
  expect(issues[0]).toMatchObject({ file, line, col, path });
  expect(issues[0]?.message).toMatch(message);
  expect(text.startsWith(`${file}:${line}:${col} ${path}: `)).toBe(true);
}

/** One bad mapping file and where it must be refused: file name, 1-based line and column, key path, message. */
export type RefusedMapping = readonly [file: string, line: number, col: number, path: string, message: RegExp];

/**
 * One test per bad mapping file in `dir` (e.g. `new URL('./fixtures/bad/', import.meta.url)`):
 * each is refused with one issue at its location ({@link expectRefusedAt}). Call at the top level
 * of a test file.
 */
export function describeRefusedMappings(definition: BridgeDefinition, dir: URL, cases: readonly RefusedMapping[]): void {
  describe(`bad ${definition.name} mappings are refused with file:line:col`, () => {
    it.each(cases)('%s', (name, line, col, path, message) => {
      expectRefusedAt(fileURLToPath(new URL(name, dir)), definition, { line, col, path, message });
    });
  });
}
