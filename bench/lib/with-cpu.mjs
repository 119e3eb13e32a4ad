// Runs a Node script (a bridge's bin.js, a pipeline) in this process and, when the process
// exits, writes what it cost to a JSON file: CPU time (user + system, microseconds), wall time
// (ms) and peak resident memory (KiB).   node with-cpu.mjs OUT.json SCRIPT [ARGS...]
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [out, script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...args];
const started = performance.now();
process.on('exit', (code) => {
  const { user, system } = process.cpuUsage();
  writeFileSync(out, JSON.stringify({ code, cpuUs: user + system, wallMs: performance.now() - started, maxRssKiB: process.resourceUsage().maxRSS }));
});
await import(pathToFileURL(resolve(script)).href);
