// Writes schema.json, the JSON Schema of a bridge-mqtt mapping file, from the sources
// (`pnpm schema`). test/schema.test.ts fails when the committed file drifts from the code.
import { writeSchemaFile } from '@fieldbridge/core/cli';
import { mqttBridge } from '../src/bridge.js';

writeSchemaFile(mqttBridge, new URL('../schema.json', import.meta.url));
