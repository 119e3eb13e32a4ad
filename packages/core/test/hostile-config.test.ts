import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadMapping, parseMapping, type ConfigIssue } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const issuesOf = (text: string, env: NodeJS.ProcessEnv = {}): ConfigIssue[] => {
  try {
    parseMapping(text, 'map.yaml', counterBridge, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected the mapping to be refused');
};

const withSink = (sink: string): string => `source_id: a\nsink:\n${sink}\ncounter:\n  channels: [{ name: a, metric: m }]\n`;

describe('hostile and mistaken mapping files (issue 10)', () => {
  it('#12: a YAML alias bomb is refused as a configuration error naming the cause', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`), 'source_id: a', 'counter: { channels: [{ name: a, metric: m }] }'].join('\n');
    expect(issuesOf(bomb)[0]?.message).toMatch(/expands YAML aliases .* more than 10000 times/);
  });

  it('#12: a legitimate file using an anchor more than 100 times loads', () => {
    const channels = Array.from({ length: 150 }, (_, i) => `    - { <<: *base, name: c${i}, metric: m.${i} }`).join('\n');
    const text = `source_id: a\nx-defaults: &base { start: 5 }\ncounter:\n  channels:\n${channels}\n`;
    // x-defaults is not a key of the file: the point is that the alias count is not what refuses it.
    expect(issuesOf(text).map((i) => i.message)).toEqual([expect.stringMatching(/^unknown key \(the top level of a mapping file holds /)]);
  });

  it('#12: a duplicate key is named, at its place', () => {
    expect(issuesOf('source_id: a\nsource_id: b\ncounter: { channels: [{ name: a, metric: m }] }\n')[0]).toMatchObject({ line: 2, col: 1, message: expect.stringMatching(/duplicate key "source_id"/) });
  });

  it('#12: a file that never ends (/dev/zero) or is too large is refused without reading it all', () => {
    expect(() => loadMapping('/dev/zero', counterBridge, {})).toThrow(/larger than 1024 KiB/);
    const dir = mkdtempSync(join(tmpdir(), 'fb-map-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'big.yaml'), `source_id: a\n# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    expect(() => loadMapping(join(dir, 'big.yaml'), counterBridge, {})).toThrow(/larger than 1024 KiB/);
  });

  it('#10: every duration has a range, named in the message (Node timers overflow past 24.8 days)', () => {
    expect(issuesOf(withSink('  timeout_ms: 3000000000'))[0]).toMatchObject({ path: 'sink.timeout_ms', message: expect.stringMatching(/at most 10m/) });
    expect(issuesOf(withSink('  retry: { max_delay_ms: 1000000000000 }'))[0]?.message).toMatch(/at most 1h/);
    expect(issuesOf(withSink('  websocket: { heartbeat_s: 3000000 }'))[0]?.message).toMatch(/at most 1h/);
    expect(issuesOf(withSink('  batch: { linger_ms: 10d }'))[0]?.message).toMatch(/at most 1m/);
  });

  it('#10: durations accept their unit, or a bare number in the key\'s unit', () => {
    const config = parseMapping(withSink('  batch: { linger_ms: 2s }\n  websocket: { heartbeat_s: 45, time_sync_interval_s: 2m }\n  buffer: { max_age: 7d }'), 'map.yaml', counterBridge, {});
    expect(config.sink.batch?.linger_ms).toBe(2000);
    expect(config.sink.websocket?.heartbeat_s).toBe(45_000);
    expect(config.sink.websocket?.time_sync_interval_s).toBe(120_000);
    expect(config.sink.buffer?.max_age).toBe(7 * 86_400_000);
  });

  it('#11: --check refuses what the runtime would: batch.max_bytes, max_frame_bytes, max_age 0', () => {
    expect(issuesOf(withSink('  batch: { max_bytes: 100 }'))[0]).toMatchObject({ path: 'sink.batch.max_bytes', message: expect.stringMatching(/at least 1KiB/) });
    expect(issuesOf(withSink('  batch: { max_bytes: 10MiB }'))[0]?.message).toMatch(/at most 5MiB/);
    expect(issuesOf(withSink('  websocket: { max_frame_bytes: 2MiB }'))[0]?.message).toMatch(/at most 1MiB/);
    expect(issuesOf(withSink('  buffer: { max_age: 0 }'))[0]?.message).toMatch(/at least 1s/);
  });

  it('#19: an api_key with a newline is refused at load', () => {
    expect(issuesOf(withSink('  api_key: "abc\\n"'))[0]).toMatchObject({ path: 'sink.api_key', message: expect.stringMatching(/control character/) });
  });

  it('#23: sink.tls files must exist, and a client certificate needs its key', () => {
    expect(issuesOf(withSink('  url: https://gw.example.com/ingest\n  tls: { ca: ./no-such-ca.pem }'))[0]).toMatchObject({ path: 'sink.tls.ca', message: expect.stringMatching(/not found/) });
    expect(issuesOf(withSink('  tls: { cert: "-----BEGIN CERTIFICATE-----" }'))[0]).toMatchObject({ message: 'a client certificate needs both cert and key' });
  });
});
