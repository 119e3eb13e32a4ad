// Writes schema.json, the JSON Schema of a bridge-ble mapping file, from the sources
// (`pnpm schema`). test/schema.test.ts fails when the committed file drifts from the code.
import { writeSchemaFile } from '@fieldbridge/core/cli';
import { bleBridge } from '../src/bridge.js';

writeSchemaFile(bleBridge, new URL('../schema.json', import.meta.url));
