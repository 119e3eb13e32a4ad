import { describe, expect, it } from 'vitest';
import { ingest, startGateway } from './helpers.js';

const good = { metric: 'line1.motor.rpm', value: 1480 };
const long = 'x'.repeat(257);
const manyTags = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));

/** Each bad point is sent at index 1, after a good one: the error must name points[1]. */
const cases: [name: string, point: unknown, error: string][] = [
  ['a point that is not an object', 42, 'points[1] must be an object'],
  ['a missing metric', { value: 1 }, 'points[1].metric is required'],
  ['a metric that is not a string', { metric: 7, value: 1 }, 'points[1].metric must be a string'],
  ['an empty metric', { metric: '', value: 1 }, 'points[1].metric must be 1..256 characters'],
  ['a metric over 256 characters', { metric: long, value: 1 }, 'points[1].metric must be 1..256 characters'],
  ['a missing value', { metric: 'm' }, 'points[1].value is required'],
  ['a null value', { metric: 'm', value: null }, 'points[1].value must not be null'],
  ['an unknown class', { metric: 'm', value: 1, class: 'gauge' }, 'points[1].class must be "metric" or "event"'],
  ['a string metric value', { metric: 'm', value: '12', class: 'metric' }, 'points[1].value must be a finite number'],
  ['a boolean metric value', { metric: 'm', value: true, class: 'metric' }, 'points[1].value must be a finite number'],
  ['an event value over the byte cap', { metric: 'm', value: 'y'.repeat(200) }, 'points[1].value is 202 bytes of JSON'],
  ['a string timestamp', { ...good, timestamp: '1700000000000' }, 'points[1].timestamp must be a finite number'],
  ['a source_id with capitals', { ...good, source_id: 'Plant-A' }, 'points[1].source_id must match'],
  ['a source_id over 256 characters', { ...good, source_id: `a${long}` }, 'points[1].source_id must be at most 256'],
  ['tags that are an array', { ...good, tags: ['a'] }, 'points[1].tags must be an object'],
  ['17 tags', { ...good, tags: manyTags }, 'points[1].tags has 17 entries, over the limit of 16'],
  ['a numeric tag value', { ...good, tags: { site: 3 } }, 'points[1].tags.site must be a string'],
  ['a tag value over 256 characters', { ...good, tags: { site: long } }, 'points[1].tags.site must be at most 256'],
  ['a tag key over 256 characters', { ...good, tags: { [long]: 'v' } }, 'points[1].tags key'],
  ['a numeric session_id', { ...good, session_id: 5 }, 'points[1].session_id must be a string'],
];

describe('POST /ingest point validation', () => {
  it.each(cases)('rejects the whole request for %s, naming the index', async (_name, point, error) => {
    const gateway = await startGateway({ maxEventBytes: 200 });
    const answer = await ingest(gateway, { source_id: 'plant-a', points: [good, point, good] });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: expect.stringContaining(error) });
    expect((answer.json as { error: string }).error.startsWith('points[1]')).toBe(true);
    expect(gateway.points()).toHaveLength(0);
    expect(gateway.stats()).toMatchObject({ points: 0, batches: 0, byStatus: { '400': 1 } });
  });

  it('requires a source_id on the point when the body has none', async () => {
    const gateway = await startGateway();
    const answer = await ingest(gateway, { points: [{ ...good, source_id: 'a' }, good] });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: expect.stringContaining('points[1].source_id is required') });
  });

  it('accepts events of any JSON type, up to exactly the byte cap', async () => {
    const gateway = await startGateway({ maxEventBytes: 12 });
    const points = [
      { metric: 'e.text', value: '1234567890' },
      { metric: 'e.flag', value: false },
      { metric: 'e.obj', value: { a: [1, 2] } },
      { metric: 'e.num', value: 3, class: 'event' },
    ];
    const answer = await ingest(gateway, { source_id: 'plant-a', points });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ success: true, count: 4 });
    expect(gateway.points().map((p) => p.value)).toEqual(['1234567890', false, { a: [1, 2] }, 3]);
  });

  it.each([
    ['invalid JSON', '{"points": [', 'body is not valid JSON'],
    ['a body that is not an object', '[1, 2]', 'body must be a JSON object'],
    ['points that are not an array', '{"source_id": "a", "points": {}}', 'points must be an array'],
    ['no points', '{"source_id": "a", "points": []}', 'points must not be empty'],
    ['a bad body source_id', '{"source_id": "A B", "points": [{"metric": "m", "value": 1}]}', 'source_id must match'],
  ])('answers 400 for %s', async (_name, body, error) => {
    const gateway = await startGateway();
    const answer = await ingest(gateway, body);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: expect.stringContaining(error) });
  });

  it('answers 415 for a content type other than JSON', async () => {
    const gateway = await startGateway();
    const answer = await ingest(gateway, '{}', { headers: { 'content-type': 'text/plain' } });
    expect(answer.status).toBe(415);
  });
});
