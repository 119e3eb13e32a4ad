import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('loading node-opcua', () => {
  it("starts no RSA key generation (node-opcua's Node 20 self-test), leaves process.version as it was, and gives the whole module", { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, ['--conditions', 'source', '--import', 'tsx', 'test/fixtures/load-child.ts'], { cwd: packageDir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    const report = JSON.parse(/REPORT (.*)/.exec(stderr)![1]!) as Record<string, unknown>;
    expect(report).toEqual({ generated: [], versionRestored: true, client: 'function' });
  });
});
