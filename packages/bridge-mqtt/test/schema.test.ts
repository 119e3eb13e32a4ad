import { expectSchemaInSync } from '@fieldbridge/core/testing';
import { describe, it } from 'vitest';
import { mqttBridge } from '../src/bridge.js';

describe('schema.json', () => {
  it('matches the config schema; run `pnpm schema` after changing it', () => {
    expectSchemaInSync(mqttBridge, new URL('../schema.json', import.meta.url));
  });
});
