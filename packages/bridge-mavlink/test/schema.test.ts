import { expectSchemaInSync } from '@fieldbridge/core/testing';
import { describe, it } from 'vitest';
import { mavlinkBridge } from '../src/bridge.js';

describe('schema.json', () => {
  it('matches the config schema; run `pnpm schema` after changing it', () => {
    expectSchemaInSync(mavlinkBridge, new URL('../schema.json', import.meta.url));
  });
});
