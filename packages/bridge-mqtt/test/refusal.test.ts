import { isFieldbridgeError, startBridge, type FileConfig } from '@fieldbridge/core';
import { captureLogs, createCollectingSink, trackCleanups, until } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { mqttBridge } from '../src/bridge.js';
import { startAedes, type AedesBroker } from './helpers/aedes.js';
import { collectingLogger, section, startSource } from './helpers/mqtt.js';

const track = trackCleanups();

/** Aedes taking the password `s3cret` while `allow.ok` holds, refusing with Bad username or password (code 4) otherwise. */
async function guardedBroker(allow = { ok: true }): Promise<AedesBroker> {
  return track.add(
    await startAedes({
      authenticate: (_client, _username, password, done) => {
        const ok = allow.ok && password?.toString() === 's3cret';
        done(ok ? null : Object.assign(new Error('bad credentials'), { returnCode: 4 as const }), ok);
      },
    }),
    (b) => b.close(),
  );
}

describe('a connection refused for a reason someone must fix', () => {
  it('--once stops at wrong credentials, saying they are not tried again, instead of waiting out its timeout announcing the next attempt', async () => {
    const aedes = await guardedBroker();
    const { logger, messages } = captureLogs('warn');
    const { sink } = createCollectingSink({ sourceId: 'once' });
    track.defer(() => sink.close());
    const mqtt = section({ url: aedes.url, username: 'bridge', password: 'wrong', reconnect: { initial_ms: 20, max_ms: 50 }, subscriptions: [{ topic: 'x', metric: 'x' }] });
    const config = { source_id: 'once', sink: { url: 'stdout' }, mqtt } as unknown as FileConfig<typeof mqttBridge>;
    const running = track.add(await startBridge(mqttBridge, config, { sink, deferStart: true, logger }), (r) => r.stop());
    const err = await running.once(20_000).then(
      () => new Error('once() resolved'),
      (e: unknown) => e as Error,
    );
    expect(isFieldbridgeError(err, 'BRIDGE_FAILED')).toBe(true);
    expect(err.message).toMatch(/because every required channel failed \(x failed: the broker refused the connection: Bad username or password \(check username and password, and the broker's ACL\)\)/);
    const said = messages('warn').filter((m) => m.includes('Bad username or password'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+: the broker refused the connection: Bad username or password \(check username and password, and the broker's ACL\); not tried again: --once stops here\b/);
    expect(said[0]).not.toMatch(/next attempt/);
    // Nothing follows it: the line does not say that further occurrences are counted.
    expect(said[0]).toMatch(/not tried again: --once stops here$/);
  });

  it('a run names the refusal that follows a lost connection (a password changed on the broker), where only the loss was said', async () => {
    const allow = { ok: true };
    const aedes = await guardedBroker(allow);
    const mqtt = section({ url: aedes.url, client_id: 'refused-after-loss', username: 'bridge', password: 's3cret', reconnect: { initial_ms: 20, max_ms: 50 }, subscriptions: [{ topic: 'x', metric: 'x' }] });
    const { t, subscribed } = await startSource(mqtt, {}, track);
    await subscribed();
    allow.ok = false;
    // aedes keeps its clients by id without typing them.
    (aedes.broker as unknown as { clients: Record<string, { close(): void }> }).clients['refused-after-loss']!.close();
    const refusals = () => t.problems.filter((p) => p.kind === 'report' && p.message?.includes('Bad username or password'));
    await until(() => refusals().length >= 2, 'two refused attempts');
    const logged = t.problems.filter((p) => p.kind === 'report' && p.logged).map((p) => p.message);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(/: connection lost \(/);
    expect(logged[1]).toMatch(/: the broker refused the connection: Bad username or password \(check username and password, and the broker's ACL\); next attempt in \d+ ms$/);
    expect(t.states.at(-1)).toEqual({ channel: 'x', state: 'failed' });
    // Put right on the broker: the bridge, still trying, subscribes again.
    allow.ok = true;
    await t.waitFor(() => t.channels()['x']?.state === 'connected', 'connected again');
  });
});
