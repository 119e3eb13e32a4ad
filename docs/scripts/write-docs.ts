// Writes the generated pages of docs/ (each bridge's mapping reference, the common keys, the
// metrics tables). `pnpm --filter @fieldbridge/docs write`; docs/test fails when they drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedPages, ROOT } from './pages.js';

for (const [path, text] of await generatedPages()) {
  mkdirSync(dirname(join(ROOT, path)), { recursive: true });
  writeFileSync(join(ROOT, path), text);
  process.stdout.write(`wrote ${path}\n`);
}
