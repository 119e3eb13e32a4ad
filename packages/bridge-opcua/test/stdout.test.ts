import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createCleanup } from './helpers/cleanup.js';

const cleanup = createCleanup();
afterAll(() => cleanup.run());
const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('stdout carries data only', () => {
  it('nothing node-opcua or the client prints reaches stdout; node-opcua loads only when a client starts', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, ['--conditions', 'source', '--import', 'tsx', 'test/fixtures/stdout-child.ts', cleanup.dir('stdout')], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toMatch(/REPORT /);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe('');
    const report = JSON.parse(/REPORT (.*)/.exec(stderr)![1]!) as Record<string, unknown>;
    expect(report).toMatchObject({ loadedByImport: false, loadedAfterConnect: true });
    const lines = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; msg: string; opcua?: string });
    expect(lines.some((l) => l.level === 'info' && l.msg.startsWith('connected to opc.tcp://127.0.0.1:'))).toBe(true);
    expect(lines.some((l) => l.level === 'warn' && l.msg.includes('missing: the server refused to monitor ns=1;s=Missing'))).toBe(true);
    // node-opcua's own messages arrive through the logger, tagged with the file that logged them.
    if (report.selfTestLogged) expect(lines.find((l) => l.msg.includes('NODE-OPCUA-W27'))).toMatchObject({ level: 'debug', opcua: 'verify_pcks1' });
  });
});
