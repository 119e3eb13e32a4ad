import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseMapping, type ConfigIssue } from '../src/index.js';
import { seededRandom } from '../src/shared/seeded-random.js';
import { runBridgeCommand } from '../src/testing/captured-io.js';
import { counterBridge } from './fixtures/counter-bridge.js';

const issuesOf = (text: string): ConfigIssue[] => {
  try {
    parseMapping(text, 'map.yaml', counterBridge, {});
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected the mapping to be refused');
};

const head = 'source_id: a\n';
const channels = 'counter:\n  channels:\n    - { name: a, metric: m }\n';

/** [mistake, file text, line, col (where to edit), the message]. */
const mistakes: ReadonlyArray<readonly [string, string, number, number, string]> = [
  ['a node id with double quotes inside double quotes', `${head}tags:\n  node_id: "ns=3;s="DB_Line"."Temp""\n${channels}`, 3, 12, `the value in double quotes ends at its second ", and text follows it: to keep the " marks in the value, write it in single quotes: node_id: 'ns=3;s="DB_Line"."Temp"'`],
  ["a ' inside single quotes", `${head}tags:\n  site: 'it's'\n${channels}`, 3, 9, `the value in single quotes ends at its second ', and text follows it: inside single quotes a ' is written twice: site: 'it''s'`],
  ['a tab used for indentation', `${head}counter:\n\tinterval_ms: 5\n  channels: []\n`, 3, 1, 'line 3 is indented with a tab: YAML indents with spaces only; replace the tab with spaces (and set the editor to insert spaces for Tab)'],
  ["a list item's key indented wrong", `${head}counter:\n  channels:\n    - name: a\n     metric: m\n`, 5, 6, '"metric:" starts at column 6, but the keys above it start at column 7 ("name:" on line 4): keys of one mapping start at the same column; line it up with them, or start a new list item with "- "'],
  ["a list item's key indented wrong, after blank lines", `${head}counter:\n  channels:\n    - name: a\n\n\n     metric: m\n`, 7, 6, '"metric:" starts at column 6, but the keys above it start at column 7 ("name:" on line 4): keys of one mapping start at the same column; line it up with them, or start a new list item with "- "'],
  ['a list item indented wrong', `${head}counter:\n  channels:\n    - name: a\n      metric: m\n   - name: b\n      metric: n\n`, 6, 4, 'the list item "- name: b" starts at column 4, but the item on line 4 starts at column 5: every "- " of one list starts at the same column; move it to column 5'],
  ['a list item indented deeper than the one above it', `${head}counter:\n  channels:\n    - name: a\n      metric: m\n     - name: b\n       metric: n\n`, 6, 6, 'the list item "- name: b" starts at column 6, but the item on line 4 starts at column 5: every "- " of one list starts at the same column; move it to column 5'],
  ['a { } list item indented deeper than the one above it', `${head}counter:\n  channels:\n    - { name: a, metric: m }\n      - { name: b, metric: n }\n`, 5, 7, 'the list item "- { name: b, metric: n }" starts at column 7, but the item on line 4 starts at column 5: every "- " of one list starts at the same column; move it to column 5'],
  ['a list item without the space after its dash', `${head}counter:\n  channels:\n    -name: a\n     metric: m\n`, 4, 5, '"-name: a" reads as a key named "-name", not a list item: a list item needs a space after the dash: write - name: a'],
  ['a second list item without the space after its dash', `${head}counter:\n  channels:\n    - name: a\n      metric: m\n    -name: b\n      metric: n\n`, 6, 5, '"-name: b" reads as a key named "-name", not a list item: a list item needs a space after the dash: write - name: b'],
  ['key:value without a space', `${head}counter:\n  interval_ms:5\n  channels: []\n`, 3, 3, '"interval_ms:5" has no space after the colon, so YAML reads it as text, not a key: write interval_ms: 5'],
  ['key:value without a space on the last line', `${head}${channels}  interval_ms:5\n`, 5, 3, '"interval_ms:5" has no space after the colon, so YAML reads it as text, not a key: write interval_ms: 5'],
  ['an unquoted value holding ": "', `${head}tags:\n  note: alarm: high\n${channels}`, 3, 9, `the value "alarm: high" holds ": ", which YAML reads as the start of another key: put the value in quotes: note: 'alarm: high'`],
  ['several keys on one line without { }', `${head}counter:\n  channels:\n    - name: a, metric: m\n`, 4, 13, '"name: a, metric: m" reads as one key whose value holds ": ": to write several keys on one line, wrap them in { }: - { name: a, metric: m }; for one value holding ": ", put it in quotes'],
  ['a value starting with %', `${head}tags:\n  site: %done\n${channels}`, 3, 9, `a value cannot start with % unless it is in quotes: write site: '%done'`],
  ['a value starting with @', `${head}tags:\n  owner: @ops\n${channels}`, 3, 10, `a value cannot start with @ unless it is in quotes: write owner: '@ops'`],
  ['a value starting with a backtick', `${head}tags:\n  site: \`home\`\n${channels}`, 3, 9, "a value cannot start with ` unless it is in quotes: write site: '`home`'"],
  ['a value starting with *', `${head}counter:\n  channels:\n    - name: *all\n      metric: m\n`, 4, 13, `"*all" reads as a reference to an anchor &all (a value starting with *), and no &all is set above it: if it is meant as text, put it in quotes: - name: '*all'`],
  ['a value starting with &', `${head}tags:\n  site: &plant a\n${channels}`, 3, 9, `"&plant" reads as an anchor named plant (a value starting with &) on the value "a", and nothing refers to it with *plant: if it is meant as text, put it in quotes: site: '&plant a'`],
  ['a value starting with & inside { }', `${head}tags: { site: &s plant-a }\n${channels}`, 2, 15, `"&s" reads as an anchor named s (a value starting with &) on the value "plant-a", and nothing refers to it with *s: if it is meant as text, put it in quotes: tags: { site: '&s plant-a' }`],
  ['a value starting with !', `${head}tags:\n  site: !important\n${channels}`, 3, 9, `"!important" reads as a YAML tag (a value starting with !), not as text: if it is meant as text, put it in quotes: site: '!important'`],
  ['a text value followed by #1', `${head}tags:\n  station: Pump #2\n${channels}`, 3, 12, `"Pump #2" reads as "Pump" and a comment (a # after a space starts one): if #2 belongs to the value, put it in quotes: station: 'Pump #2'; if it is a comment, write it as # 2`],
  ['a value starting with >', `${head}tags:\n  limit: >5\n${channels}`, 3, 10, `">5" starts a block of text (a value starting with > or | is the indented lines below it), and none follows: if it is meant as text, put it in quotes: limit: '>5'`],
  ['a Windows path in double quotes, read as a line feed and a tab', `${head}sink:\n  buffer: { path: "C:\\new\\table" }\n${channels}`, 3, 19, `"C:\\new\\table" looks like a Windows path, but inside double quotes a backslash starts an escape (\\n is a line feed, \\t is a tab): write it in single quotes ('C:\\new\\table') or with forward slashes (C:/new/table)`],
  ['a relative Windows path in double quotes', `${head}sink:\n  buffer:\n    path: "data\\buffer\\new"\n${channels}`, 4, 11, `"data\\buffer\\new" looks like a Windows path, but inside double quotes a backslash starts an escape (\\b is a backspace, \\n is a line feed): write it in single quotes ('data\\buffer\\new') or with forward slashes (data/buffer/new)`],
  ['a Windows path in double quotes with an unknown escape', `${head}sink:\n  buffer: { path: "C:\\new\\data" }\n${channels}`, 3, 19, `"C:\\new\\data" looks like a Windows path, but inside double quotes a backslash starts an escape (\\d is not an escape): write it in single quotes ('C:\\new\\data') or with forward slashes (C:/new/data)`],
  ['an unknown escape in double quotes', `${head}tags:\n  site: "a\\qb"\n${channels}`, 3, 11, '\\q is not an escape YAML knows inside double quotes: write \\\\ for a backslash, or put the value in single quotes, where a backslash is just a backslash'],
  ['an unclosed double quote', `${head}tags:\n  site: "plant a\n${channels}`, 3, 9, 'this " is never closed, so the value runs on to the end of the file: end it with " (line 3 reads: site: "plant a)'],
  ['an unclosed single quote', `${head}tags:\n  site: 'plant a\n${channels}`, 3, 9, `this ' is never closed, so the value runs on to the end of the file: end it with ' (line 3 reads: site: 'plant a); a ' inside single quotes is written ''`],
  ['an unclosed [', `${head}counter:\n  channels: [{ name: a, metric: m }\n  interval_ms: 5\n`, 3, 13, 'the [ opened on line 3 is not closed: end it with ]; a [ ] or { } continued on the next lines must be indented deeper than its key'],
  ['an unclosed {', `${head}tags: { site: a\n${channels}`, 2, 7, 'the { opened on line 2 is not closed: end it with }; a [ ] or { } continued on the next lines must be indented deeper than its key'],
  ['a } too many', `${head}tags: { site: a }}\n${channels}`, 2, 18, 'this } closes nothing: remove it, or check that each { and [ on the line has its own } or ]'],
  ['a multi-line value without |', `${head}tags:\n  note: pump 3 is\n  out of service\n${channels}`, 4, 3, 'line 4 ("out of service") is not "key: value": if it continues the value above, indent it deeper than the key or write the value as a block ("note: |" then its lines indented below); if it is a key, add ": " and its value'],
  ['a key indented deeper than the key above, which has a value', `${head}counter:\n  interval_ms: 5\n   channels: []\n`, 4, 4, '"channels:" is indented deeper than "interval_ms:" on line 3, which already has a value (5): line it up with interval_ms (column 3), or, if it belongs inside interval_ms, remove that value'],
  ['a key less indented than the keys above it', `${head}counter:\n    interval_ms: 5\n  channels: []\n`, 4, 3, '"channels:" starts at column 3, but the keys above it start at column 5 ("interval_ms:" on line 3): keys of one mapping start at the same column; line it up with them'],
  ['a key without its colon', `${head}counter\n  channels: []\n`, 2, 8, '"counter" has no colon after it, so the lines indented under it are read as its text: write counter:'],
  ['a comma missing in { }', `${head}tags: { site: a owner: b }\n${channels}`, 2, 17, 'inside { } or [ ], entries are separated by commas, and a value holding ": " or starting with "- " must be in quotes: is a , missing before owner?'],
  // Inside { }, the line to write keeps the entries after the value and the closing brace.
  ["a ' inside single quotes inside { }", `${head}tags: { site: 'it's', owner: b }\n${channels}`, 2, 15, `the value in single quotes ends at its second ', and text follows it: inside single quotes a ' is written twice: tags: { site: 'it''s', owner: b }`],
  ['double quotes inside double quotes inside { }', `${head}tags: { node_id: "ns=3;s="DB"."T"" }\n${channels}`, 2, 18, `the value in double quotes ends at its second ", and text follows it: to keep the " marks in the value, write it in single quotes: tags: { node_id: 'ns=3;s="DB"."T"' }`],
  ['a value starting with % inside { }', `${head}tags: { site: %done }\n${channels}`, 2, 15, `a value cannot start with % unless it is in quotes: write tags: { site: '%done' }`],
  ['a value starting with @ inside { }, before another entry', `${head}tags: { owner: @ops, site: a }\n${channels}`, 2, 16, `a value cannot start with @ unless it is in quotes: write tags: { owner: '@ops', site: a }`],
  ['a value starting with * inside { }', `${head}counter:\n  channels:\n    - { name: *all, metric: m }\n`, 4, 15, `"*all" reads as a reference to an anchor &all (a value starting with *), and no &all is set above it: if it is meant as text, put it in quotes: - { name: '*all', metric: m }`],
  ['a value starting with ! inside { }', `${head}tags: { site: !important }\n${channels}`, 2, 15, `"!important" reads as a YAML tag (a value starting with !), not as text: if it is meant as text, put it in quotes: tags: { site: '!important' }`],
  ['a value with " #" inside { }, whose comment hides the }', `${head}tags: { station: Pump #2 }\n${channels}`, 2, 18, `"Pump #2" reads as "Pump" and a comment (a # after a space starts one), which hides the } after it: if #2 belongs to the value, put it in quotes: tags: { station: 'Pump #2' }`],
  ['a value with " #" inside { }, before another entry', `${head}tags: { station: Pump #2, site: a }\n${channels}`, 2, 18, `"Pump #2" reads as "Pump" and a comment (a # after a space starts one), which hides the } after it: if #2 belongs to the value, put it in quotes: tags: { station: 'Pump #2', site: a }`],
  ['a list on the line of its key', `${head}counter: - a\n`, 2, 10, 'a list cannot start on the line of its key ("counter: - a"): put each "- item" on its own line below, indented deeper than the key; if the - is part of the text, put the value in quotes'],
];

describe('YAML mistakes are said in plain words, at the place to edit', () => {
  it.each(mistakes)('%s', (_name, text, line, col, message) => {
    expect(issuesOf(text)).toEqual([{ file: 'map.yaml', line, col, path: '', message }]);
  });

  it('a list item of one key:value without the space after its colon is text where a mapping is wanted: said so, at the item', () => {
    expect(issuesOf(`${head}counter:\n  channels:\n    - name:a\n`)).toEqual([
      { file: 'map.yaml', line: 4, col: 7, path: 'counter.channels[0]', message: '"name:a" has no space after the colon, so YAML reads it as text, not a key: write name: a' },
    ]);
    expect(issuesOf(`${head}counter:\n  channels:\n    - name:a\n      metric:m\n`)[0]!.message).toBe('"name:a metric:m" has no space after the colon, so YAML reads it as text, not keys: write name: a, then metric: m');
  });

  it('list items without the space after their dash: each is said', () => {
    expect(issuesOf(`${head}counter:\n  channels:\n    -name: a\n    -metric: m\n`).map((i) => `${i.line}:${i.col} ${i.message}`)).toEqual([
      '4:5 "-name: a" reads as a key named "-name", not a list item: a list item needs a space after the dash: write - name: a',
      '5:5 "-metric: m" reads as a key named "-metric", not a list item: a list item needs a space after the dash: write - metric: m',
    ]);
  });

  it('a key starting with a dash in a file read without a problem is left as it is', () => {
    const config = parseMapping(`${head}tags:\n  -site: a\n${channels}`, 'map.yaml', counterBridge, {}) as { tags: Record<string, string> };
    expect(config.tags).toEqual({ '-site': 'a' });
  });

  it('reads what looks like these mistakes but is right as written', () => {
    const right = `${head}tags:\n  note: "line one\\nline two"\n  lines: "x\\ny\\nz"\n  crlf: "\\r\\n"\n  path: 'C:\\new\\table'\n  escaped: "C:\\\\new\\\\table"\n  url: http://host:80/x\n  limit: '>5'\n  text: |\n    two\n    lines\ncounter:\n  channels:\n    - &first { name: a, metric: m, start: 5 }\n    - { <<: *first, name: b }\n`;
    const config = parseMapping(right, 'map.yaml', counterBridge, {}) as { tags: Record<string, string>; counter: { channels: Array<{ name: string; start: number }> } };
    expect(config.tags).toEqual({ note: 'line one\nline two', lines: 'x\ny\nz', crlf: '\r\n', path: 'C:\\new\\table', escaped: 'C:\\new\\table', url: 'http://host:80/x', limit: '>5', text: 'two\nlines\n' });
    expect(config.counter.channels.map((c) => [c.name, c.start])).toEqual([['a', 5], ['b', 5]]);
  });
});

describe('--check prints the plain message', () => {
  it('a node id quoted twice: file:line:col and the line to write, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-yaml-'));
    try {
      const file = join(dir, 'map.yaml');
      writeFileSync(file, `${head}tags:\n  node_id: "ns=3;s="DB_Line"."Temp""\n${channels}`);
      const { code, err } = await runBridgeCommand(counterBridge, ['--config', file, '--check']);
      expect(code).toBe(2);
      expect(err).toContain(`${file}:3:12 the value in double quotes ends at its second ", and text follows it: to keep the " marks in the value, write it in single quotes: node_id: 'ns=3;s="DB_Line"."Temp"'`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const SEED = Number(process.env.FUZZ_SEED ?? 20260611);

describe(`fuzz: random edits of a valid mapping (seed ${SEED}; FUZZ_SEED reproduces)`, () => {
  const valid = `source_id: plant-a\ntags: { site: plant-a, note: "a \\"b\\" c" }\nsink:\n  url: http://127.0.0.1:9/ingest\n  buffer:\n    path: './buf'\n    max_bytes: 64MiB\ncounter:\n  interval_ms: 250\n  channels:\n    - &base { name: a, metric: line1.a, start: 5 }\n    - <<: *base\n      name: b\n      metric: 'line1.b'\n      start: 3 # comment\n`;
  const pieces = [':', ': ', ' ', '  ', '\t', '"', "'", '\\', '\\n', '[', ']', '{', '}', '- ', '-', '*', '&', '!', '%', '@', '`', '|', '>', '#', '\n', ',', '${X}', 'C:\\new', '*base', '&a '];

  it('parseMapping throws nothing but ConfigError, each issue on a line of the file', () => {
    expect(() => parseMapping(valid, 'map.yaml', counterBridge, {})).not.toThrow();
    const r = seededRandom(SEED);
    for (let i = 0; i < 1500; i++) {
      let text = valid;
      for (let edits = 1 + Math.floor(r() * 3); edits > 0; edits--) {
        const at = Math.floor(r() * text.length);
        const kind = r();
        if (kind < 0.4) text = text.slice(0, at) + pieces[Math.floor(r() * pieces.length)] + text.slice(at);
        else if (kind < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 3));
        else text = text.slice(0, at) + pieces[Math.floor(r() * pieces.length)] + text.slice(at + 1);
      }
      const lines = text.split('\n').length;
      try {
        parseMapping(text, 'map.yaml', counterBridge, {});
      } catch (err) {
        const context = `seed ${SEED}, case ${i}: ${JSON.stringify(text)}`;
        expect(err, context).toBeInstanceOf(ConfigError);
        for (const issue of (err as ConfigError).issues) {
          expect(issue.line, context).toBeGreaterThanOrEqual(1);
          expect(issue.line, context).toBeLessThanOrEqual(lines);
          expect(issue.col, context).toBeGreaterThanOrEqual(1);
          expect(issue.message.length, context).toBeGreaterThan(0);
        }
      }
    }
  });
});
