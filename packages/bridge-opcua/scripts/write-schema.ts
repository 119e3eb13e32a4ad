// Writes schema.json, the JSON Schema of a bridge-opcua mapping file, from the sources
// (`pnpm schema`). test/schema.test.ts fails when the committed file drifts from the code.
import { writeFileSync } from 'node:fs';
import { schemaFileText } from '@fieldbridge/core';
import { opcuaBridge } from '../src/bridge.js';

const target = new URL('../schema.json', import.meta.url);
writeFileSync(target, schemaFileText(opcuaBridge));
process.stderr.write(`wrote ${target.pathname}\n`);
