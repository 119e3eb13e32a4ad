import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, defineBridge, generateJsonSchema, parseMapping, substituteEnv, type ConfigIssue, type SectionDefinition } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';

const issuesOf = (text: string, env: NodeJS.ProcessEnv = {}): ConfigIssue[] => {
  try {
    parseMapping(text, 'map.yaml', counterBridge, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected the mapping to be refused');
};

const valid = `source_id: plant-a
tags: { site: plant-a }
sink:
  url: http://127.0.0.1:9/ingest
  api_key: \${KEY}
  batch: { max_points: 500, linger_ms: 200 }
  buffer: { path: ./buf, max_bytes: 64MiB, when_full: block, max_age: 2d }
counter:
  interval_ms: \${INTERVAL:-250}
  channels:
    - { name: a, metric: line1.a }
`;

describe('environment substitution', () => {
  it('expands the three forms and $$', () => {
    const env = { A: 'x', EMPTY: '' };
    expect(substituteEnv('${A}-${B}-${B:-d}-${EMPTY:-e}-$$A', env)).toBe('x--d-e-$A');
    expect(() => substituteEnv('${B:?set B to the key}', env)).toThrow('B: set B to the key');
  });

  it('refuses a ${ that starts no reference, rather than sending it as written', () => {
    const env = { A: 'x', B: 'y' };
    const hint = 'is not read from the environment: write ${NAME}, ${NAME:-default} or ${NAME:?message}';
    expect(() => substituteEnv('${NOPE', env)).toThrow(`'\${NOPE...' ${hint}`);
    expect(() => substituteEnv('key-${my-key}', env)).toThrow(`'\${my-key}' ${hint}`);
    expect(() => substituteEnv('${A:-${B}}', env)).toThrow(`'\${A:-\${B}' ${hint}`);
    expect(() => substituteEnv('${A} and ${1X}', env)).toThrow(`'\${1X}' ${hint}`);
    // Escaped, and a value that holds ${ itself, are fine.
    expect(substituteEnv('$${A}-$$', env)).toBe('${A}-$');
    expect(substituteEnv('${C}', { C: '${D' })).toBe('${D');
  });
});

describe('where a ${VAR} is', () => {
  const inList = `source_id: plant-a\ncounter:\n  interval_ms: 250\n  channels:\n    - { name: a, metric: line1.a }\n    - name: b\n      metric: "\${METRIC}"\n`;
  it('names an item of a list by its index, for an unset variable and for a required one', () => {
    const unset: ConfigIssue[] = [];
    parseMapping(inList, 'map.yaml', counterBridge, {}, { onUnsetVariable: (_v, where) => unset.push(where) });
    expect(unset).toMatchObject([{ line: 7, col: 15, path: 'counter.channels[1].metric' }]);
    expect(issuesOf(inList.replace('${METRIC}', '${METRIC:?the metric}'))).toMatchObject([{ line: 7, col: 15, path: 'counter.channels[1].metric', message: 'METRIC: the metric' }]);
  });
});

describe('warnings of a bridge\'s check', () => {
  // A start past 1000 is allowed but suspicious; two channels of one name are an error.
  const warning = {
    ...counterBridge,
    check: (c: { channels: { name: string; start: number }[] }) => [
      ...c.channels.flatMap((ch, i) => (ch.start > 1000 ? [{ path: ['channels', i, 'start'], message: `start ${ch.start} is large; keep it if meant`, warning: true }] : [])),
      ...(new Set(c.channels.map((ch) => ch.name)).size < c.channels.length ? [{ path: ['channels'], message: 'channel names repeat' }] : []),
    ],
  };
  const text = (channels: string): string => `source_id: plant-a\nsink: { url: stdout }\ncounter:\n  channels:\n${channels}`;

  it('refuse nothing; they are handed to onWarning, located like errors', () => {
    const heard: ConfigIssue[] = [];
    const config = parseMapping(text('    - { name: a, metric: m.a, start: 5000 }\n    - { name: b, metric: m.b }\n'), 'map.yaml', warning, {}, { onWarning: (w) => heard.push(w) });
    expect(config.counter).toBeDefined();
    expect(heard).toEqual([{ file: 'map.yaml', line: 5, col: 38, path: 'counter.channels[0].start', message: 'start 5000 is large; keep it if meant' }]);
    // Unheard without a listener, and still no refusal.
    expect(() => parseMapping(text('    - { name: a, metric: m.a, start: 5000 }\n'), 'map.yaml', warning, {})).not.toThrow();
  });

  it('are not said of a file refused for an error: only the errors are', () => {
    const heard: ConfigIssue[] = [];
    const refused = () => parseMapping(text('    - { name: a, metric: m.a, start: 5000 }\n    - { name: a, metric: m.b }\n'), 'map.yaml', warning, {}, { onWarning: (w) => heard.push(w) });
    expect(refused).toThrow(ConfigError);
    try {
      refused();
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.message)).toEqual(['channel names repeat']);
    }
    expect(heard).toEqual([]);
  });
});

describe('a file of several bridges read by one bridge\'s command', () => {
  const several = `${valid}modbus:\n  devices: [{ name: plc }]\n`;
  it('names another bridge\'s section as such, and says which command runs the file', () => {
    expect(issuesOf(several, { KEY: 'k' })).toEqual([
      {
        file: 'map.yaml',
        line: 12,
        col: 1,
        path: 'modbus',
        message: "unknown key (another bridge's section? this command reads counter: only; `fieldbridge run` runs a file of several bridges, and a look at the source such as --probe or --browse sets the others aside)",
      },
    ]);
    // A typo of a common key already in the file: the keys the top level may hold.
    expect(issuesOf(`${valid}sinks: [1]\n`, { KEY: 'k' })[0]!.message).toBe("unknown key (the top level of a mapping file holds source_id, tags, sink, observe, log, rules and its bridge's section, counter; check the spelling)");
  });

  it('sets it aside for a look at the source', () => {
    const config = parseMapping(several, 'map.yaml', counterBridge, { KEY: 'k' }, { inspecting: true });
    expect(config.counter.channels).toHaveLength(1);
    expect(config).not.toHaveProperty('modbus');
  });
});

describe('an unknown top-level key names the section meant, or the keys the top level may hold', () => {
  const channels = 'counter:\n  channels: [{ name: a, metric: m }]\n';
  const gauge: SectionDefinition = { name: 'gauge', configSchema: counterBridge.configSchema };
  const topIssue = (text: string, read: SectionDefinition | readonly SectionDefinition[] = counterBridge, knownSections?: string[]): string => {
    try {
      if (Array.isArray(read)) parseMapping(text, 'map.yaml', read as readonly SectionDefinition[], {}, knownSections ? { knownSections } : {});
      else parseMapping(text, 'map.yaml', read as SectionDefinition, {}, knownSections ? { knownSections } : {});
    } catch (err) {
      return (err as ConfigError).issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join('\n');
    }
    throw new Error('expected the mapping to be refused');
  };

  it('a misspelt section, of the bridge read or of one the command knows', () => {
    expect(topIssue('source_id: a\ncounterr:\n  channels: [{ name: a, metric: m }]\n')).toBe('1:1 counter: required key is missing\n2:1 counterr: unknown key (did you mean counter?)');
    expect(topIssue(`source_id: a\n${channels}gauges:\n  channels: []\n`, [counterBridge, gauge])).toBe('4:1 gauges: unknown key (did you mean gauge?)');
    expect(topIssue(`source_id: a\n${channels}modbuss:\n  devices: []\n`, [counterBridge], ['modbus', 'mqtt'])).toBe('4:1 modbuss: unknown key (did you mean modbus?)');
    expect(topIssue(`source_id: a\n${channels}mqtt_bridge:\n  brokers: []\n`, [counterBridge], ['modbus', 'mqtt'])).toBe('4:1 mqtt_bridge: unknown key (did you mean mqtt?)');
    expect(topIssue(`source_id: a\n${channels}snk:\n  url: http://127.0.0.1:9/\n`)).toBe('4:1 snk: unknown key (did you mean sink?)');
  });

  it('nothing close: the keys the top level of the file may hold', () => {
    expect(topIssue(`source_id: a\n${channels}plc_settings:\n  x: 1\n`, [counterBridge, gauge], ['modbus'])).toBe(
      '4:1 plc_settings: unknown key (the top level of a mapping file holds source_id, tags, sink, observe, log, rules and one or more bridge sections: counter, gauge, modbus; check the spelling)',
    );
  });
});

describe('parseMapping', () => {
  it('says a file with no mapping in it (empty, or only comments) is one, with the command that writes a starter', () => {
    const message = 'the file holds no mapping (it is empty, or only comments): write source_id, sink and a bridge section; `fieldbridge init counter` writes a commented starter';
    for (const text of ['', '\n\n', '# a mapping, one day\n', '---\n']) expect(issuesOf(text), JSON.stringify(text)).toEqual([{ file: 'map.yaml', line: 1, col: 1, path: '', message }]);
  });

  it('validates, fills defaults, converts units and reads env values with their YAML type', () => {
    const config = parseMapping(valid, '/etc/fb/map.yaml', counterBridge, { KEY: 'k1' });
    expect(config.sink.api_key).toBe('k1');
    expect(config.counter!.interval_ms).toBe(250);
    expect(config.sink.buffer).toEqual({ path: './buf', max_bytes: 64 * 1024 ** 2, when_full: 'block', max_age: 2 * 86_400_000 });
    expect(config.counter!.channels[0]).toEqual({ name: 'a', metric: 'line1.a', start: 0 });
  });

  it('names file, line, column and key of an unknown key', () => {
    const issues = issuesOf(valid.replace('linger_ms: 200', 'linger: 200'));
    expect(issues).toEqual([{ file: 'map.yaml', line: 6, col: 29, path: 'sink.batch.linger', message: 'unknown key (did you mean linger_ms?)' }]);
  });

  it('points at the value of a wrong type', () => {
    const [issue] = issuesOf(valid.replace('max_points: 500', 'max_points: many'));
    expect(issue).toMatchObject({ line: 6, col: 24, path: 'sink.batch.max_points' });
  });

  it('reports a missing required key at its parent', () => {
    const [issue] = issuesOf('source_id: a\ncounter:\n  interval_ms: 5\n');
    expect(issue).toMatchObject({ line: 3, col: 3, path: 'counter.channels', message: 'required key is missing' });
  });

  it('reports a broken ${ where it stands', () => {
    const [issue] = issuesOf(valid.replace('${KEY}', '${KEY'));
    expect(issue).toMatchObject({ line: 5, col: 12, path: 'sink.api_key' });
    expect(issue!.message).toMatch(/^'\$\{KEY\.\.\.' is not read from the environment/);
  });

  it('reports ${VAR:?message} where it stands', () => {
    const [issue] = issuesOf(valid.replace('${KEY}', '${KEY:?set KEY to your ingest key}'));
    expect(issue).toMatchObject({ line: 5, col: 12, path: 'sink.api_key', message: 'KEY: set KEY to your ingest key' });
  });

  it('reports YAML syntax errors with their position', () => {
    const [issue] = issuesOf('source_id: a\ncounter: { channels: [\n');
    expect(issue!.line).toBeGreaterThanOrEqual(2);
  });

  it('reports only the first syntax error, with a hint for ${VAR} inside a flow map', () => {
    const issues = issuesOf('source_id: a\nobserve: { listen: ${LISTEN} }\ncounter:\n  channels: []\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.line).toBe(2);
    expect(issues[0]!.message).toMatch(/must be quoted/);
  });

  it('rejects a bad source_id and a bad size', () => {
    const issues = issuesOf(valid.replace('source_id: plant-a', 'source_id: Plant A').replace('64MiB', 'lots'));
    expect(issues.map((i) => i.path)).toEqual(['source_id', 'sink.buffer.max_bytes']);
  });

  it('formats the message as file:line:col key: message', () => {
    expect(() => parseMapping(valid.replace('source_id: plant-a', 'source_id: Plant A'), 'map.yaml', counterBridge, {})).toThrow(/^map\.yaml:1:12 source_id: /);
  });

  it('names the key an unknown one was most likely meant to be', () => {
    const message = (text: string): string => issuesOf(text).map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join('\n');
    expect(message(valid.replace('linger_ms', 'lingerMs'))).toBe('6:29 sink.batch.lingerMs: unknown key (did you mean linger_ms?)');
    expect(message(valid.replace('linger_ms', 'lnger_ms'))).toBe('6:29 sink.batch.lnger_ms: unknown key (did you mean linger_ms?)');
    expect(message(valid.replace('source_id', 'sourceid'))).toMatch(/sourceid: unknown key \(did you mean source_id\?\)/);
    // Nothing close: no guess; camelCase is told the keys there are, not sent to flush_every, no key either.
    expect(message(valid.replace('linger_ms', 'wait'))).toBe('6:29 sink.batch.wait: unknown key');
    expect(message(valid.replace('linger_ms', 'flushEvery'))).toBe('6:29 sink.batch.flushEvery: unknown key (nor is flush_every: the keys not given here are max_bytes, linger_ms)');
  });
});

describe('a file of several bridge sections', () => {
  const tally = defineBridge({ ...counterBridge, name: 'tally' });
  const file = (tags: number) =>
    `source_id: site\ntags: { ${Array.from({ length: tags }, (_, i) => `t${i}: v`).join(', ')} }\ncounter:\n  channels: [{ name: a, metric: a.x }]\ntally:\n  channels: [{ name: b, metric: b.x }]\n`;
  it('leaves room in the file\'s tags for the bridge and channel tags every point gets', () => {
    expect(() => parseMapping(file(14), 'map.yaml', [counterBridge, tally], {})).not.toThrow();
    const error = (() => {
      try {
        parseMapping(file(15), 'map.yaml', [counterBridge, tally], {});
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected the mapping to be refused');
    })();
    expect(error.issues).toEqual([expect.objectContaining({ line: 2, path: 'tags', message: expect.stringMatching(/^at most 14 tags in a file of several bridge sections \(it has 15\): every point also carries bridge and channel/) })]);
    // One section: no such tags, so 16 are fine.
    expect(() => parseMapping(file(16).replace(/tally:\n.*\n$/, ''), 'map.yaml', [counterBridge, tally], {})).not.toThrow();
  });
});

describe('generateJsonSchema', () => {
  it('describes the whole file, strict, with the input forms of sizes', () => {
    const schema = generateJsonSchema(counterBridge) as { properties: Record<string, unknown>; additionalProperties: boolean; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(['source_id', 'tags', 'sink', 'observe', 'log', 'rules', 'counter']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toContain('counter');
    // Sizes and durations accept their string forms (256MiB, 30s) besides numbers.
    const text = JSON.stringify(schema);
    expect(text).toContain('(b|kb|kib|mb|mib|gb|gib|tb|tib)');
    expect(text).toContain('(ms|s|m|h|d|w)');
  });
});

describe('a wrong type or range says what to write', () => {
  const file = (counter: string) => `source_id: plant-a
sink: { url: stdout }
counter:
${counter}`;
  it('a number where text is wanted: quote it; text where a number is wanted: no quotes; a bound in words', () => {
    const issues = issuesOf(file(`  interval_ms: '250'
  end_after: 0
  channels:
    - { name: 1809, metric: line1.a }
`));
    const say = Object.fromEntries(issues.map((i) => [i.path, `${i.line}:${i.col} ${i.message}`]));
    expect(say['counter.channels[0].name']).toBe('7:15 expected text, found the number 1809: quote it ("1809") to write it as text');
    expect(say['counter.interval_ms']).toBe('4:16 expected a number, found the text "250": write it without quotes');
    expect(say['counter.end_after']).toBe('5:14 must be more than 0 (found 0)');
  });

  it('one value where a list is wanted: write it as a list of one', () => {
    const issues = issuesOf(file(`  channels: 7
`));
    const say = Object.fromEntries(issues.map((i) => [i.path, `${i.line}:${i.col} ${i.message}`]));
    expect(say['counter.channels']).toBe('4:13 expected a list, found the number 7: write it as a list, [7], even of one');
  });

  it('a section with nothing under it (its keys at its own column), an empty list, a list where keys are wanted: what to write', () => {
    const say = (text: string) => Object.fromEntries(issuesOf(text).map((i) => [i.path, `${i.line}:${i.col} ${i.message}`]));
    expect(say('source_id: plant-a\nsink: { url: stdout }\ncounter:\ninterval_ms: 20\n')['counter']).toBe(
      '3:9 has nothing under it: write its keys on the lines below, indented deeper than this key',
    );
    expect(say(file('  channels:\n  interval_ms: 20\n'))['counter.channels']).toBe(
      '4:12 has nothing under it: write its items, each starting with "- ", on the lines below, indented deeper than this key',
    );
    expect(say(file('  channels: []\n'))['counter.channels']).toBe('4:13 is an empty list: give at least 1 item');
    expect(say(file('  - channels: [{ name: a, metric: m }]\n'))['counter']).toBe('4:3 expected keys (key: value), found a list: write the keys without "- " before them');
  });

  it('a fraction where a whole number is wanted, and a word not among a choice\'s: what to write instead', () => {
    const picker = defineBridge({
      name: 'picker',
      version: '0.0.0-test',
      configSchema: z.strictObject({ table: z.enum(['coil', 'holding', 'input'], { error: 'table must be one of coil, holding, input' }), order: z.enum(['ABCD', 'CDAB']).optional(), address: z.number().int().optional() }),
      describe: () => [],
      create: () => ({ start: async () => undefined, stop: async () => undefined }),
    });
    const say = (section: string): string[] => {
      try {
        parseMapping(`source_id: plant-a\npicker: ${section}\n`, 'map.yaml', picker, {});
      } catch (err) {
        return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      throw new Error('expected the mapping to be refused');
    };
    expect(say('{ table: holding, address: 1.5 }')).toEqual(['picker.address: must be a whole number (found 1.5)']);
    // The schema's own message stays, with the nearest choice: misspelt, in another case, or none close.
    expect(say('{ table: holdings }')).toEqual(['picker.table: table must be one of coil, holding, input (did you mean holding?)']);
    expect(say('{ table: Coils }')).toEqual(['picker.table: table must be one of coil, holding, input (did you mean coil?)']);
    expect(say('{ table: input, order: cdab }')).toEqual([expect.stringMatching(/^picker\.order: .* \(did you mean CDAB\?\)$/)]);
    expect(say('{ table: registers }')).toEqual(['picker.table: table must be one of coil, holding, input']);
  });
});

describe('a bare - as a value', () => {
  it('is said to need quotes, in flow style and in block style; the ${VAR} hint only where there is a ${VAR}', () => {
    const flow = issuesOf(`source_id: plant-a
sink: { url: stdout }
counter: { channels: [{ name: -, metric: x }] }
`);
    expect(flow[0]!.message).toMatch(/a value of a bare - is read as a list item: quote it, "-"\)$/);
    expect(flow[0]!.message).not.toMatch(/VAR/);
    const block = issuesOf(`source_id: plant-a
sink: { url: stdout }
counter:
  channels: -
`);
    expect(block[0]!.message).toMatch(/quote it, "-"\)$/);
  });
});
