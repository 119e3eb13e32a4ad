import { renderMetricName } from '@fieldbridge/core/bridge';
import { describe, expect, it } from 'vitest';
import { compileMqttTemplate, type MqttTemplate } from '../src/placeholders.js';

const template = (text: string): MqttTemplate => {
  const parsed = compileMqttTemplate(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.template;
};

describe('templates (the kit\'s engine with bridge-mqtt\'s placeholders)', () => {
  const levels = ['plant', 'line1', 'press'];

  it('fills topic levels, the whole topic and JSON values', () => {
    const vars = { levels, json: { id: 'T-7', n: 3, ok: true, deep: { k: 'v' } } };
    expect(template('{topic.1}.{json.id}.{json.n}.{json.ok}').render(vars)).toEqual({ ok: true, text: 'line1.T-7.3.true' });
    expect(template('{topic}').render(vars)).toEqual({ ok: true, text: 'plant.line1.press' });
    expect(template("{json['deep'].k}-{ topic.0 }").render(vars)).toEqual({ ok: true, text: 'v-plant' });
  });

  it('fills field and Sparkplug names', () => {
    expect(template('{field}').render({ levels, field: 'humidity' })).toEqual({ ok: true, text: 'humidity' });
    expect(template('{group}/{edge_node}/{device}/{name}').render({ levels, group: 'g', edge_node: 'n', device: 'd', name: 'a.b' })).toEqual({ ok: true, text: 'g/n/d/a.b' });
  });

  it('explains what could not be filled', () => {
    expect(template('{topic.5}').render({ levels })).toEqual({ ok: false, message: '{topic.5}: the topic has only 3 levels' });
    expect(template('{json.x}').render({ levels, json: {} })).toEqual({ ok: false, message: '{json.x}: $.x is missing' });
    expect(template('{json.x}').render({ levels, json: { x: [1] } })).toEqual({ ok: false, message: '{json.x}: [1] is not a string, number or boolean' });
    expect(template('{json.x}').render({ levels, json: { x: 1e400 } })).toEqual({ ok: false, message: '{json.x}: Infinity is not a string, number or boolean' });
    expect(template('{json.x}').render({ levels })).toEqual({ ok: false, message: '{json.x}: the payload is not JSON' });
    expect(template('{device}').render({ levels })).toEqual({ ok: false, message: '{device} is not available here' });
  });

  it('tidies metric names: empty segments go, empty or over-long names fail', () => {
    expect(renderMetricName(template('{group}.{edge_node}.{device}.{name}'), { levels, group: 'g', edge_node: 'n', device: '', name: 'temp' })).toEqual({ ok: true, text: 'g.n.temp' });
    expect(renderMetricName(template('.{device}.'), { levels, device: '' })).toEqual({ ok: false, message: 'metric template ".{device}." gave an empty name' });
    expect(renderMetricName(template('{json.s}'), { levels, json: { s: 'x'.repeat(300) } }).ok).toBe(false);
  });

  it('refuses unknown placeholders and stray braces', () => {
    expect(compileMqttTemplate('{topic.x}')).toMatchObject({ ok: false, message: expect.stringContaining('unknown placeholder {topic.x}') });
    expect(compileMqttTemplate('{device_id}')).toMatchObject({ ok: false, message: expect.stringContaining('unknown placeholder {device_id}') });
    expect(compileMqttTemplate('{json.a..b}')).toMatchObject({ ok: false, message: expect.stringContaining('{json.a..b}: JSON path "$.a..b"') });
    expect(compileMqttTemplate('a}b')).toMatchObject({ ok: false, message: 'unbalanced "{" or "}" in "a}b"' });
    expect(template('{topic.2}.{json.a[0]}.{field}').placeholders).toEqual(['topic.2', 'json.a[0]', 'field']);
  });
});
