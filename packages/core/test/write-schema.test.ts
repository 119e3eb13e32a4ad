import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeSchemaFile } from '../src/cli/index.js';
import { captureIo } from '../src/testing/captured-io.js';
import { trackCleanups } from '../src/testing/cleanup.js';
import { expectSchemaInSync } from '../src/testing/schema-drift.js';
import { counterBridge } from './fixtures/counter-bridge.js';

const track = trackCleanups();

describe('writeSchemaFile (a bridge\'s `pnpm schema`)', () => {
  it('writes the schema.json that expectSchemaInSync accepts, and says where', async () => {
    const file = join(await track.tempDir('fb-schema-'), 'schema.json');
    const io = captureIo();
    writeSchemaFile(counterBridge, pathToFileURL(file), io.stderr);
    expectSchemaInSync(counterBridge, pathToFileURL(file));
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { properties: Record<string, unknown> };
    expect(schema.properties[counterBridge.name]).toBeDefined();
    expect(io.err()).toBe(`wrote ${file}\n`);
  });
});
