import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startGatewayProcess } from './lib/gateway-process.mjs';
const [mode, items = '1000', warm = '8000', meas = '10000', ...flags] = process.argv.slice(2);
const pki = mkdtempSync(join(tmpdir(), 'p-'));
const srv = spawn(process.execPath, ['lib/opcua-server.mjs', items, '100', pki], { stdio: ['ignore', 'pipe', 'inherit'] });
let url, ns;
for await (const line of createInterface({ input: srv.stdout })) { const m = /^ready (\S+) (\d+)$/.exec(line); if (m) { [, url, ns] = m; break; } }
const gw = await startGatewayProcess('k', ['--count-only', '--no-page']);
const c = spawn(process.execPath, [...flags, 'lib/opcua-client.mjs', mode, url, ns, items, warm, meas, gw.url, 'k'], { stdio: ['ignore', 'inherit', 'inherit'] });
await new Promise((r) => c.once('exit', r));
await gw.stop(); srv.kill(); process.exit(0);
