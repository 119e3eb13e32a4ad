import { writeFile } from 'node:fs/promises';
import { trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { pointToResend, readRecordLine } from '../src/cli/dead-letter-record.js';
import { numberedLines } from '../src/cli/ndjson-lines.js';

const track = trackCleanups();

const line = (point: unknown, sourceId = 'site-a') => JSON.stringify({ at: '2024-05-01T10:00:00.000Z', reason: 'HTTP 500', source_id: sourceId, point });

describe('a dead-letter record read to be sent again', () => {
  it('keeps the point as recorded, under its own source id, else the record one', () => {
    const own = readRecordLine(line({ metric: 'm', value: 1, timestamp: 1.7e12, source_id: 'press-7', tags: { a: 'b' } }, 'press-7'));
    expect(pointToResend(own.record!)).toEqual({ metric: 'm', value: 1, timestamp: 1.7e12, source_id: 'press-7', tags: { a: 'b' } });
    const sinks = readRecordLine(line({ metric: 'm', value: 1, timestamp: 1.7e12 }, 'line-b'));
    expect(pointToResend(sinks.record!)).toEqual({ metric: 'm', value: 1, timestamp: 1.7e12, source_id: 'line-b' });
  });

  it('gives a point recorded without a timestamp the time it was given up', () => {
    const read = readRecordLine(line({ metric: 'm', value: 1 }));
    expect(pointToResend(read.record!)).toMatchObject({ timestamp: Date.parse('2024-05-01T10:00:00.000Z') });
  });

  it.each([
    ['NaN', { metric: 'm', value: { $type: 'number', $text: 'NaN' } }, 'number NaN'],
    ['a nested BigInt', { metric: 'm', value: { a: [{ $type: 'bigint', $text: '12' }] } }, 'bigint 12'],
    ['a cut point', { truncated: true, bytes: 20000, excerpt: '{' }, 'cut to an excerpt (20000 bytes)'],
  ])('refuses to send %s, saying why', (_name, point, why) => {
    expect(pointToResend(readRecordLine(line(point)).record!)).toContain(why);
  });

  it('sends an event whose value only looks like a marker', () => {
    const point = { metric: 'e', value: { $type: 'Order', id: 3 }, timestamp: 1.7e12 };
    expect(pointToResend(readRecordLine(line(point)).record!)).toMatchObject({ value: point.value });
  });

  it.each([
    ['{', 'not JSON'],
    ['[1]', 'not a JSON object'],
    [JSON.stringify({ at: 'x', reason: 'r', source_id: 's', point: {} }), '"at" is not an ISO 8601 time'],
    [JSON.stringify({ at: '2024-05-01T10:00:00Z', source_id: 's', point: {} }), '"reason" is not a string'],
    [JSON.stringify({ at: '2024-05-01T10:00:00Z', reason: 'r', source_id: 'Bad Id', point: {} }), '"source_id" is not a source id'],
    [JSON.stringify({ at: '2024-05-01T10:00:00Z', reason: 'r', source_id: 's', point: 3 }), '"point" is not an object'],
  ])('says why %s is not a record', (text, problem) => {
    expect(readRecordLine(text).problem).toContain(problem);
  });
});

describe('numbered lines', () => {
  it('numbers lines, drops CR, keeps a last line without an end, and skips a line past the cap without holding it', async () => {
    const file = await writeTempFile(track, 'x.ndjson', '');
    await writeFile(file, `one\r\n${'x'.repeat(100)}\n\nthree${'y'.repeat(50)}\nlast`);
    const lines = [];
    for await (const l of numberedLines(file, 80)) lines.push(l);
    expect(lines).toEqual([
      { line: 1, text: 'one' },
      { line: 2, tooLong: true },
      { line: 3, text: '' },
      { line: 4, text: `three${'y'.repeat(50)}` },
      { line: 5, text: 'last' },
    ]);
  });

  it('reads lines across the chunks the file is read in', async () => {
    const file = await writeTempFile(track, 'big.ndjson', '');
    const a = 'a'.repeat(50_000);
    await writeFile(file, `${a}\n${'b'.repeat(200_000)}\n${a}\n${a}\n${'c'.repeat(150_000)}`);
    const lines = [];
    for await (const l of numberedLines(file, 100_000)) lines.push(l.tooLong ? l : { line: l.line, length: l.text.length });
    expect(lines).toEqual([{ line: 1, length: 50_000 }, { line: 2, tooLong: true }, { line: 3, length: 50_000 }, { line: 4, length: 50_000 }, { line: 5, tooLong: true }]);
  });
});
