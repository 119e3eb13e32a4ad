import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createGateway } from '@fieldbridge/gateway-dev';
import { trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeFreePort } from '../src/testing/mosquitto.js';
import { BIN, requireBuiltCli, runCli as run, type CliRun as Run } from './helpers/cli.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

const track = trackCleanups();
const broker = sharedMosquitto();
beforeAll(requireBuiltCli);

/** A running command whose output the test watches. */
interface Spawned {
  stdout(): string;
  stderr(): string;
  /** Resolves once `predicate` holds for the output so far (checked on every chunk). */
  until(predicate: () => boolean, what: string): Promise<void>;
  /** Sends `signal` (SIGHUP: reload the mapping). */
  signal(signal: NodeJS.Signals): void;
  stop(): Promise<Run>;
}

function spawnBin(args: string[]): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  const waiting = new Set<() => void>();
  const changed = (): void => waiting.forEach((check) => check());
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    changed();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    changed();
  });
  const done = new Promise<Run>((resolve) => child.once('exit', (code) => resolve({ code: code ?? 1, stdout, stderr })));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    until: (predicate, what) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        void done.then(() => reject(new Error(`exited before ${what}: ${stderr}`)));
        check();
      }),
    signal(signal) {
      child.kill(signal);
    },
    stop() {
      child.kill('SIGTERM');
      return done;
    },
  };
}

const mapping = (body: string): Promise<string> => writeTempFile(track, 'map.yaml', body);

const section = (url: string, extra = ''): string => `
mqtt:
  url: ${url}
  once_timeout_ms: 5000${extra}
  subscriptions:
    - { topic: 'cli/+/temp', metric: '{topic.1}.temp', value: $.t }
    - { name: counters, topic: 'cli/+/count', format: number, metric: '{topic.1}.count' }
`;

describe('bridge-mqtt command', () => {
  it('--once waits for each subscription\'s first message, then delivers to gateway-dev', async () => {
    const gw = await createGateway({ apiKeys: ['k'] });
    track.defer(() => gw.close());
    const file = await mapping(`source_id: cli-test\nsink: { url: '${gw.url}', api_key: k }\n${section(broker.url)}`);
    // Retained messages reach the bridge as soon as it subscribes.
    const pub = await broker.publisher(track);
    await pub.retain('cli/m1/temp', JSON.stringify({ t: 20.5 }));
    await pub.retain('cli/m1/count', '3');
    track.defer(async () => {
      await pub.retain('cli/m1/temp', '');
      await pub.retain('cli/m1/count', '');
    });
    const result = await run(['--config', file, '--once']);
    expect(result.code, result.stderr).toBe(0);
    expect(gw.points().map((p) => [p.metric, p.value]).sort()).toEqual([
      ['m1.count', 3],
      ['m1.temp', 20.5],
    ]);
  });

  it('--once exits 1 naming the broker when it cannot connect', async () => {
    const port = await probeFreePort();
    const file = await mapping(`source_id: cli-test\n${section(`mqtt://127.0.0.1:${port}`, '\n  reconnect: { initial_ms: 50, max_ms: 100 }').replace('once_timeout_ms: 5000', 'once_timeout_ms: 500')}`);
    const result = await run(['--config', file, '--once']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`read nothing within 500 ms (cli/+/temp connecting: connection refused (is the broker running and listening there?), counters connecting: connection refused`);
    expect(result.stderr).toContain(`mqtt://127.0.0.1:${port}: connection refused (is the broker running and listening there?); next attempt in`);
  });

  it('--dry-run prints decoded points as NDJSON on stdout and sends nothing', async () => {
    const file = await mapping(`source_id: cli-test\nsink: { url: 'http://127.0.0.1:9/ingest' }\n${section(broker.url)}`);
    const bridge = spawnBin(['--config', file, '--dry-run', '--log-level', 'info']);
    track.defer(async () => void (await bridge.stop()));
    await bridge.until(() => /counters: connected/.test(bridge.stderr()) && /cli\/\+\/temp: connected/.test(bridge.stderr()), 'both subscriptions');
    const pub = await broker.publisher(track);
    await pub.publish('cli/m9/temp', JSON.stringify({ t: 1.5 }));
    await pub.publish('cli/m9/temp', '{broken');
    await pub.publish('cli/m9/count', '9');
    await bridge.until(() => bridge.stdout().trim().split('\n').length === 2, 'two NDJSON lines');
    const result = await bridge.stop();
    expect(result.code).toBe(0);
    const points = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; value: unknown; source_id: string });
    expect(points.map((p) => [p.metric, p.value, p.source_id])).toEqual([
      ['m9.temp', 1.5, 'cli-test'],
      ['m9.count', 9, 'cli-test'],
    ]);
    expect(result.stderr).toContain('cli/m9/temp: the payload is not valid JSON');
  });

  it('SIGHUP: a retained value is not sent again at each reload, and a subscription removed is unsubscribed', async () => {
    const pub = await broker.publisher(track);
    await pub.retain('hup/line1/press1/counter', '615');
    track.defer(() => pub.retain('hup/line1/press1/counter', ''));
    // A run, not a dry run (which leaves the persistent session alone): the points come on stdout.
    // The keepalive changes at the second reload: a file unchanged but for its rules would not restart the bridge.
    const body = (multi: boolean, keepalive = 30) => `source_id: cli-test
sink: { url: stdout }
mqtt:
  url: ${broker.url}
  client_id: fb-cli-hup
  clean: false
  keepalive_s: ${keepalive}
  subscriptions:
    - { name: counters, topic: 'hup/+/+/counter', format: number, metric: '{topic.1}.{topic.2}.parts' }
${multi ? "    - { name: multi, topic: 'hupdev/+/multi', metric: 'dev.{topic.1}', value: $.v }\n" : ''}`;
    const file = await mapping(body(true));
    const bridge = spawnBin(['--config', file, '--log-level', 'info']);
    track.defer(async () => void (await bridge.stop()));
    const connected = (): number => bridge.stderr().split('counters: connected').length - 1;
    await bridge.until(() => bridge.stdout().includes('"line1.press1.parts"'), 'the retained value');
    for (const reload of [1, 2]) {
      await writeFile(file, body(false, 30 + reload));
      bridge.signal('SIGHUP');
      await bridge.until(() => connected() === reload + 1, `the subscription again after reload ${reload}`);
    }
    expect(bridge.stderr()).toContain("unsubscribed hupdev/+/multi: no longer in the mapping (the broker's session still held it)");
    // Published now, the broker holds nothing for dev/+/multi any more: only the counter comes, and once.
    await pub.publish('hupdev/d1/multi', JSON.stringify({ v: 1 }));
    await pub.publish('hup/line1/press2/counter', '7');
    await bridge.until(() => bridge.stdout().includes('"line1.press2.parts"'), 'the live counter');
    const result = await bridge.stop();
    const points = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; value: unknown });
    expect(points.map((p) => [p.metric, p.value])).toEqual([
      ['line1.press1.parts', 615],
      ['line1.press2.parts', 7],
    ]);
    expect(result.stderr).not.toContain('no_rule');
    expect(result.stderr).not.toContain('matches no subscription filter');
  });

  it('SIGHUP that changes only the rules keeps the connection: QoS 0 messages published through the reload all arrive, and the new rule reads them', async () => {
    const pub = await broker.publisher(track);
    const body = (rules: string) => `source_id: cli-test
sink: { url: stdout, batch: { linger_ms: 20 } }
rules:
  - { name: started, when: seq.d1 >= 0 }
${rules}mqtt:
  url: ${broker.url}
  subscriptions:
    - { name: seq, topic: 'hupseq/+', qos: 0, format: number, metric: 'seq.{topic.1}' }
`;
    const file = await mapping(body(''));
    const bridge = spawnBin(['--config', file, '--log-level', 'info']);
    track.defer(async () => void (await bridge.stop()));
    await bridge.until(() => bridge.stderr().includes('seq: connected'), 'the subscription');
    await writeFile(file, body('  - { name: many, when: seq.d1 >= 100 }\n'));
    // Published at QoS 0 while the reload happens: a bridge that reconnected (a clean session) would miss those sent meanwhile.
    let sent = 0;
    const reloaded = (): boolean => bridge.stderr().includes('SIGHUP: mapping reloaded');
    const publishing = (async () => {
      let after = 0;
      while (after < 50) {
        await pub.publish('hupseq/d1', String(sent++), 0);
        if (sent === 50) bridge.signal('SIGHUP');
        // A turn of the event loop between messages: the bridge's log is read meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
        if (reloaded()) after += 1;
      }
    })();
    await publishing;
    const last = sent - 1;
    await bridge.until(() => bridge.stdout().includes(`"value":${last},`), 'the last message published');
    const result = await bridge.stop();
    const points = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; value: unknown });
    const values = points.filter((p) => p.metric === 'seq.d1').map((p) => p.value);
    expect(values).toEqual(Array.from({ length: sent }, (_, i) => i));
    expect(result.stderr).toContain('SIGHUP: mapping reloaded; the bridges run on, their connections kept');
    expect(result.stderr.split('seq: connected').length - 1).toBe(1);
    expect(points.filter((p) => p.metric === 'alert.started')).toHaveLength(1);
    expect(points.filter((p) => p.metric === 'alert.many')).toHaveLength(1);
  });

  it('--check prints the connection and the subscriptions without connecting or showing the password', async () => {
    const file = await mapping(`source_id: cli-test\n${section('mqtts://broker.example.com', '\n  username: bridge\n  password: ${MQTT_PASSWORD}')}`);
    const result = await run(['--config', file, '--check'], { MQTT_PASSWORD: 'hunter2' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('broker mqtts://broker.example.com:8883 (MQTT 3.1.1, client id fieldbridge-<random>, clean session, keepalive 30 s, user bridge with a password, TLS: system CAs, verified, reconnect 500-30000 ms, packets up to 1MiB)');
    expect(result.stdout).toContain("cli/+/temp (qos 1, json): '{topic.1}.temp' = $.t (number), timestamp at receipt");
    expect(result.stdout).toContain("counters: cli/+/count (qos 1, number): payload as a number -> '{topic.1}.count'");
    expect(result.stdout).not.toContain('hunter2');
  });

  it('refuses a bad mapping with exit code 2 and file:line:col', async () => {
    const file = await mapping('source_id: cli-test\nmqtt:\n  url: mqtt://127.0.0.1:1883\n  subscriptions:\n    - { topic: a/#/b, metric: x }\n');
    const result = await run(['--config', file, '--check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:5:`);
    expect(result.stderr).toContain('mqtt.subscriptions[0].topic: "a/#/b": "#" must be a whole level and the last one');
  });
});
