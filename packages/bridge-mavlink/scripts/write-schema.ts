// Writes schema.json, the JSON Schema of a bridge-mavlink mapping file, from the sources
// (`pnpm schema`). test/schema.test.ts fails when the committed file drifts from the code.
import { writeFileSync } from 'node:fs';
import { schemaFileText } from '@fieldbridge/core';
import { mavlinkBridge } from '../src/bridge.js';

const target = new URL('../schema.json', import.meta.url);
writeFileSync(target, schemaFileText(mavlinkBridge));
process.stderr.write(`wrote ${target.pathname}\n`);
