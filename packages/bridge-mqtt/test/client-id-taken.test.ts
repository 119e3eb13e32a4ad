// Two clients with one client id take the session from each other in turn: the broker closes the
// older connection whenever the other connects, and each reconnects and closes the other's. The
// bridge says so once, naming the client id and what to change, and counts it.
import net from 'node:net';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { createTakeoverWatch, SESSION_TAKEN_OVER } from '../src/_takeover.js';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { section, startSource, type TestSource } from './helpers/mqtt.js';

const track = trackCleanups();
const KEY = 'mqtt.client_id';

const reports = (s: TestSource) => s.t.problems.filter((p) => p.key === KEY && p.kind === 'report');

describe.each([4, 5] as const)('two bridges with one client id (real mosquitto, protocol_version %i)', (version) => {
  it('each warns once that another client takes its session over, naming the client id, and counts it', async () => {
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const config = section({
      url: broker.url,
      protocol_version: version,
      client_id: `fb-twin-v${version}`,
      clean: false,
      reconnect: { initial_ms: 20, max_ms: 200 },
      subscriptions: [{ topic: 'line/+/count', qos: 1, format: 'number', metric: '{topic.1}.count' }],
    });
    const first = await startSource(config, {}, track);
    await first.subscribed();
    const second = await startSource(config, {}, track);
    // mosquitto 2.0.11 closes the older connection without a DISCONNECT (also for MQTT 5): the pattern tells.
    await first.t.waitFor(() => reports(first).length >= 1, 'the first bridge to warn');
    await second.t.waitFor(() => reports(second).length >= 1, 'the second bridge to warn');
    for (const s of [first, second]) {
      const logged = reports(s).filter((p) => p.logged);
      expect(logged).toHaveLength(1);
      expect(logged[0]!.message).toContain(`Client id fb-twin-v${version}: two clients with one id kick each other off in turn`);
      expect(logged[0]!.message).toContain('most likely another client connects with the same client id');
      expect(logged[0]!.message).toContain('its own client_id (e.g. client_id: ${MQTT_CLIENT_ID}, set per host; ${HOSTNAME} only in a container');
      expect(await s.t.metric('fieldbridge_mqtt_sessions_taken_over_total', {})).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('a broker that says the session was taken over (MQTT 5 DISCONNECT 0x8E)', () => {
  it('warns at the first such close, with the reason in the connection line too', async () => {
    // mosquitto here sends no DISCONNECT on a takeover, so the peer is a minimal MQTT 5 server: a
    // CONNACK to each CONNECT, then a DISCONNECT with reason code 0x8E and the end of the connection.
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.once('data', () => {
        socket.write(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]));
        socket.end(Buffer.from([0xe0, 0x02, SESSION_TAKEN_OVER, 0x00]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    track.add(server, (s) => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => s.close(() => resolve()));
    });
    const source = await startSource(
      section({
        url: `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        protocol_version: 5,
        client_id: 'fb-said',
        reconnect: { initial_ms: 1000, max_ms: 1000 },
        subscriptions: [{ topic: 'a/+', format: 'number', metric: 'a' }],
      }),
      {},
      track,
    );
    await source.t.waitFor(() => reports(source).length === 1, 'the warning');
    expect(reports(source)[0]!.message).toContain('another client connected with the same client id (MQTT 5 reason code 0x8E, session taken over). Client id fb-said');
    const connection = source.t.problems.find((p) => p.key === 'mqtt.connection');
    expect(connection?.message).toContain('connection lost (the broker disconnected it: session taken over (reason code 0x8e))');
    expect(await source.t.metric('fieldbridge_mqtt_sessions_taken_over_total', {})).toBe(1);
  });
});

describe('the takeover watch', () => {
  const watch = (): { w: ReturnType<typeof createTakeoverWatch>; advance(ms: number): void } => {
    let now = 0;
    return { w: createTakeoverWatch(30_000, () => now), advance: (ms) => void (now += ms) };
  };

  it('reads the third short close in a row, without a reason, as a takeover', () => {
    const { w, advance } = watch();
    const closes = [1, 2, 3, 4].map(() => {
      w.connected();
      advance(500);
      return w.closed(undefined, false);
    });
    expect(closes).toEqual([undefined, undefined, { said: false, inARow: 3 }, { said: false, inARow: 4 }]);
  });

  it('does not read connections that lasted, errors, other reasons or failed attempts as one', () => {
    const { w, advance } = watch();
    const close = (ms: number, code?: number, error = false) => {
      w.connected();
      advance(ms);
      return w.closed(code, error);
    };
    expect([close(500), close(500), close(30_000)]).toEqual([undefined, undefined, undefined]);
    expect([close(500), close(500), close(500, undefined, true)]).toEqual([undefined, undefined, undefined]);
    expect([close(500), close(500), close(500, 0x8b)]).toEqual([undefined, undefined, undefined]);
    close(500);
    close(500);
    w.failed();
    expect(close(500)).toBeUndefined();
    expect(close(60_000, SESSION_TAKEN_OVER)).toEqual({ said: true, inARow: 2 });
  });
});
