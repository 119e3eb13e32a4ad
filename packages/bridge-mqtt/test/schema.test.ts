import { readFileSync } from 'node:fs';
import { generateJsonSchema } from '@fieldbridge/core';
import { describe, expect, it } from 'vitest';
import { mqttBridge } from '../src/bridge.js';

describe('schema.json', () => {
  it('matches generateJsonSchema(mqttBridge); run `pnpm schema` after changing the config schema', () => {
    const committed = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8')) as unknown;
    expect(committed).toEqual(generateJsonSchema(mqttBridge));
  });
});
