// One folder per case under fixtures/fields: input.json (a message's wire values, how the
// expected records were computed by hand) and expected.json (the records). Frames are made by
// the test's own encoder, parsed, and turned into records by the message plan.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMessagePlan, createMavlinkParser, loadDialect, type Dialect, type FieldSelection } from '../src/index.js';
import { encodeV1, encodeV2, type Values } from './helpers/mavlink-encoder.js';

interface Input {
  how: string;
  message: string;
  version?: 1 | 2;
  sysid?: number;
  compid?: number;
  selection?: FieldSelection;
  values: Values;
}

const root = join(import.meta.dirname, 'fixtures/fields');
const cases = readdirSync(root).sort();

let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

const read = <T>(dir: string, file: string): T => JSON.parse(readFileSync(join(root, dir, file), 'utf8'), (_k, v) => (v === 'NaN' ? Number.NaN : v)) as T;

describe('message records from fixtures', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(10));

  it.each(cases)('%s', (name) => {
    const input = read<Input>(name, 'input.json');
    const expected = read<{ fields: unknown[]; instance?: number }>(name, 'expected.json');
    expect(input.how.length).toBeGreaterThan(10);
    const options = { sysid: input.sysid ?? 1, compid: input.compid ?? 1 };
    const frame = input.version === 1 ? encodeV1(input.message, input.values, options) : encodeV2(input.message, input.values, options);
    const { frames, problems } = createMavlinkParser({ dialect }).push(frame);
    expect(problems).toEqual([]);
    const plan = compileMessagePlan(dialect, { [input.message]: input.selection ?? 'default' });
    const result = plan.fields(frames[0]!.message, frames[0]!.payload);
    expect(result).toEqual(expected);
  });
});
