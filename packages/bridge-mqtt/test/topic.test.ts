import { describe, expect, it } from 'vitest';
import { filterCovers, fixedLevelCount, parseTopicFilter, topicLevels, topicMatches, type TopicFilter } from '../src/topic.js';

const filter = (text: string): TopicFilter => {
  const parsed = parseTopicFilter(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.filter;
};
const matches = (f: string, topic: string): boolean => topicMatches(filter(f), topicLevels(topic));

describe('topic filters', () => {
  it.each([
    ['a/b/c', 'a/b/c', true],
    ['a/+/c', 'a/x/c', true],
    ['a/+/c', 'a/x/y/c', false],
    ['a/+', 'a/', true],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c/d', true],
    ['#', 'anything/at/all', true],
    ['+/+', '/x', true],
    ['+', 'a/b', false],
    ['a/b', 'a/b/c', false],
    ['#', '$SYS/broker/uptime', false],
    ['+/broker/#', '$SYS/broker/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
    ['$share/g/plant/+', 'plant/m1', true],
  ])('%s matches %s: %s', (f, topic, expected) => {
    expect(matches(f, topic)).toBe(expected);
  });

  it('splits the shared-subscription prefix off', () => {
    expect(filter('$share/bridges/plant/+/temp')).toMatchObject({ shareGroup: 'bridges', filter: 'plant/+/temp', levels: ['plant', '+', 'temp'] });
    expect(fixedLevelCount(filter('$share/g/a/+/b'))).toBe(3);
    expect(fixedLevelCount(filter('a/#'))).toBeUndefined();
  });

  it.each([
    ['', 'topic must not be empty'],
    ['a/#/b', '"#" must be a whole level and the last one'],
    ['a/b#', '"#" must be a whole level and the last one'],
    ['a/b+/c', '"+" must be a whole level'],
    ['$share/g', 'names no filter after $share/g/'],
    ['$share//a', 'a shared subscription is $share/<group>/<filter>'],
    ['$share/g+/a', 'a shared subscription is $share/<group>/<filter>'],
    ['a\u0000b', 'must not contain NUL characters'],
  ])('refuses %j', (text, message) => {
    const parsed = parseTopicFilter(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });
});

describe('filterCovers', () => {
  it.each([
    ['plant/#', 'plant/+/temp', true],
    ['plant/#', 'plant', true],
    ['plant/#', 'plant/#', true],
    ['#', 'plant/line1/#', true],
    ['+/+/temp', 'plant/line1/temp', true],
    ['plant/+/#', 'plant/line1', true],
    ['$share/g/plant/#', 'plant/x', true],
    ['plant/+/temp', 'plant/line1/#', false],
    ['plant/+/temp', 'plant/+', false],
    ['plant/line1/+', 'plant/+/temp', false],
    ['plant/+', 'plant/a/b', false],
    ['plant/a', 'plant/+', false],
    ['#', '$SYS/broker/uptime', false],
    ['+/broker/uptime', '$SYS/broker/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
  ])('%s covers %s: %s', (outer, inner, covers) => {
    expect(filterCovers(filter(outer), filter(inner))).toBe(covers);
  });
});

// plant/* and plant/> subscribed to a literal level: nothing ever came, and nothing said why.
describe('wildcards of other brokers', () => {
  it.each([
    ['plant/*', 'e.g. plant/+'],
    ['plant/*/temp', 'e.g. plant/+/temp'],
    ['plant/line1/>', 'e.g. plant/line1/#'],
  ])('%s is refused, naming the MQTT filter', (raw, suggestion) => {
    const parsed = parseTopicFilter(raw);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toContain(`is no MQTT wildcard (it would match only a level named`);
    expect(parsed.ok ? '' : parsed.message).toContain(suggestion);
  });
});
