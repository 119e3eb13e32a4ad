import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { BridgeDefinition } from '../runtime/define-bridge.js';

/** Options of {@link describeDecodeFixtures}. */
export interface DecodeFixtureOptions {
  /** The fixtures folder (e.g. `new URL('./fixtures/decode/', import.meta.url)`): one sub-folder per case. */
  dir: URL | string;
  /** The bridge: each case's `map.yaml` is its section, validated by its schema and its `check`. */
  definition: BridgeDefinition;
  /** The input file of each case, e.g. `registers.json`, `messages.json`, `frames.log`. */
  input: string;
  /**
   * Decodes one case the way the source would (pure: no peer): the validated section and the
   * input file's bytes in, what `expected.json` holds out (by convention the full points and
   * problems, e.g. `{ points, problems }` or one such result per message).
   */
  decode(section: unknown, input: Buffer, caseDir: string): unknown | Promise<unknown>;
  /** Cases that must be there, so a renamed or deleted folder cannot silently drop coverage. */
  required?: string[];
}

/**
 * The decode-fixture harness every bridge runs: `fixtures/decode/<case>/` holds `map.yaml` (the
 * bridge's section), the input (bytes, messages, registers) and `expected.json` (the full
 * expected output, made by something the project did not write: a peer's encoder, a
 * specification's example, values computed by hand). One test per case compares the whole
 * output. Call at the top level of a test file.
 */
export function describeDecodeFixtures(options: DecodeFixtureOptions): void {
  const root = typeof options.dir === 'string' ? options.dir : fileURLToPath(options.dir);
  const cases = readdirSync(root).filter((name) => statSync(join(root, name)).isDirectory()).sort();
  describe(`decode fixtures (${options.input} + map.yaml -> expected.json)`, () => {
    it('has every required case', () => {
      expect(cases.length).toBeGreaterThan(0);
      expect(cases).toEqual(expect.arrayContaining(options.required ?? []));
    });
    it.each(cases)('%s', async (name) => {
      const dir = join(root, name);
      const raw = parse(readFileSync(join(dir, 'map.yaml'), 'utf8')) as unknown;
      const parsed = options.definition.configSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`${name}/map.yaml is not a valid ${options.definition.name} section: ${parsed.error.message}`);
      const issues = options.definition.check?.(parsed.data) ?? [];
      expect(issues, `${name}/map.yaml fails the bridge's check`).toEqual([]);
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as unknown;
      const actual = await options.decode(parsed.data, readFileSync(join(dir, options.input)), dir);
      expect(JSON.parse(JSON.stringify(actual))).toEqual(expected);
    });
  });
}
