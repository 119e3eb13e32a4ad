// Runs every benchmark; each writes its table to bench/results/<name>.md.
import { readdirSync } from 'node:fs';

const only = process.argv[2];
/** Run only when named (`pnpm bench soak`): the soak runs every bridge for minutes on end. */
const ON_REQUEST = new Set(['soak.mjs']);
const files = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && (only ? f.includes(only) : !ON_REQUEST.has(f)));
for (const file of files.sort()) {
  console.log(`\n## ${file}\n`);
  const mod = await import(new URL(file, import.meta.url).href);
  await mod.run();
}
