import { describe, expect, it } from 'vitest';
import { parseTemplate, placeholdersOf, renderMetricName, renderTemplate, type Template } from '../src/template.js';

const template = (text: string): Template => {
  const parsed = parseTemplate(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.template;
};

describe('templates', () => {
  const levels = ['plant', 'line1', 'press'];

  it('fills topic levels, the whole topic and JSON values', () => {
    const vars = { levels, json: { id: 'T-7', n: 3, ok: true, deep: { k: 'v' } } };
    expect(renderTemplate(template('{topic.1}.{json.id}.{json.n}.{json.ok}'), vars)).toEqual({ ok: true, text: 'line1.T-7.3.true' });
    expect(renderTemplate(template('{topic}'), vars)).toEqual({ ok: true, text: 'plant.line1.press' });
    expect(renderTemplate(template("{json['deep'].k}-{ topic.0 }"), vars)).toEqual({ ok: true, text: 'v-plant' });
  });

  it('fills field and Sparkplug names', () => {
    expect(renderTemplate(template('{field}'), { levels, field: 'humidity' })).toEqual({ ok: true, text: 'humidity' });
    expect(renderTemplate(template('{group}/{edge_node}/{device}/{name}'), { levels, group: 'g', edge_node: 'n', device: 'd', name: 'a.b' })).toEqual({ ok: true, text: 'g/n/d/a.b' });
  });

  it('explains what could not be filled', () => {
    expect(renderTemplate(template('{topic.5}'), { levels })).toEqual({ ok: false, message: '{topic.5}: the topic has only 3 levels' });
    expect(renderTemplate(template('{json.x}'), { levels, json: {} })).toEqual({ ok: false, message: '{json.x}: $.x is missing' });
    expect(renderTemplate(template('{json.x}'), { levels, json: { x: [1] } })).toEqual({ ok: false, message: '{json.x}: [1] is not a string, number or boolean' });
    expect(renderTemplate(template('{json.x}'), { levels })).toEqual({ ok: false, message: '{json.x}: the payload is not JSON' });
    expect(renderTemplate(template('{device}'), { levels })).toEqual({ ok: false, message: '{device} is not available here' });
  });

  it('tidies metric names: empty segments go, empty or over-long names fail', () => {
    expect(renderMetricName(template('{group}.{edge_node}.{device}.{name}'), { levels, group: 'g', edge_node: 'n', device: '', name: 'temp' })).toEqual({ ok: true, text: 'g.n.temp' });
    expect(renderMetricName(template('.{device}.'), { levels, device: '' })).toEqual({ ok: false, message: 'metric template ".{device}." gave an empty name' });
    expect(renderMetricName(template('{json.s}'), { levels, json: { s: 'x'.repeat(300) } }).ok).toBe(false);
  });

  it('refuses unknown placeholders and stray braces', () => {
    expect(parseTemplate('{topic.x}')).toMatchObject({ ok: false, message: expect.stringContaining('unknown placeholder {topic.x}') });
    expect(parseTemplate('{device_id}')).toMatchObject({ ok: false, message: expect.stringContaining('unknown placeholder {device_id}') });
    expect(parseTemplate('{json.a..b}')).toMatchObject({ ok: false, message: expect.stringContaining('{json.a..b}: JSON path "$.a..b"') });
    expect(parseTemplate('a}b')).toMatchObject({ ok: false, message: 'unbalanced "{" or "}" in "a}b"' });
    expect(placeholdersOf(template('{topic.2}.{json.a[0]}.{field}'))).toEqual(['topic.2', 'json.a[0]', 'field']);
  });
});
