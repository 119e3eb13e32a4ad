import { connect, createServer, type AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMavlinkReader, isMavlinkBridgeError, loadDialect, openLink, type Dialect, type MavlinkLink } from '../src/index.js';
import { cleanups } from './helpers/cleanup.js';
import { collect } from './helpers/collect.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';
import { nmFrame, nmGlobalPosition } from './helpers/node-mavlink.js';
import { tcpClient, type TcpClient } from './helpers/tcp-client.js';

const track = cleanups();
let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };

async function listening(url = 'tcpin://127.0.0.1:0', options: { maxClients?: number } = {}): Promise<{ link: MavlinkLink; got: ReturnType<typeof collect>; port: number }> {
  const link = openLink(url, options);
  track(() => link.close());
  const got = collect(createMavlinkReader({ dialect }));
  await link.start(got.handlers);
  return { link, got, port: link.localAddress()!.port };
}

async function client(port: number): Promise<TcpClient> {
  const c = await tcpClient(port);
  track(() => void c.socket.destroy());
  return c;
}

const peerOf = (c: TcpClient): string => `tcp:127.0.0.1:${c.localPort}`;

/** Writes `bytes` in pieces of `size`, each its own write, so that frames straddle TCP segments. */
async function dribble(c: TcpClient, bytes: Buffer, size: number): Promise<void> {
  for (let i = 0; i < bytes.length; i += size) await c.write(bytes.subarray(i, i + size));
}

describe('tcpin link', () => {
  it('listens on the port the system gives for 0 and is open while it listens, before any client', async () => {
    const { link, got, port } = await listening();
    expect(port).toBeGreaterThan(0);
    expect(link.localAddress()).toEqual({ host: '127.0.0.1', port });
    expect(got.states).toEqual([{ state: 'open' }]);
    expect(link.peers()).toEqual([]);
    expect(await link.send(encodeV2('HEARTBEAT', { type: 6, autopilot: 8 }, { sysid: 254 }))).toBe(0);
  });

  it('reads two clients at once, each its own stream: a frame split over segments survives the other client\'s garbage and frames arriving in between', async () => {
    const { link, got, port } = await listening();
    const a = await client(port);
    const b = await client(port);
    await got.until(() => got.clients.length === 2, 'both clients');
    expect(got.clients.map((e) => [e.kind, e.peer, e.clients])).toEqual([['connected', peerOf(a), 1], ['connected', peerOf(b), 2]]);
    // Client A (node-mavlink's serializer): the first 10 bytes of a GLOBAL_POSITION_INT, the rest later.
    const position = nmFrame(nmGlobalPosition(1_000), { sysid: 1, seq: 0 });
    await a.write(position.subarray(0, 10));
    await got.until(() => link.stats().bytes === 10, 'the first part of the frame');
    // Client B (the test's encoder), meanwhile: garbage, then a whole HEARTBEAT.
    await b.write(Buffer.concat([Buffer.from('garbage from b'), encodeV2('HEARTBEAT', hb, { sysid: 2 })]));
    await got.until(() => got.messages.length === 1, 'the heartbeat of client B');
    await dribble(a, position.subarray(10), 3);
    await got.until(() => got.messages.length === 2, 'the position of client A');
    expect(got.messages.map((m) => `${m.sysid}:${m.name}`)).toEqual(['2:HEARTBEAT', '1:GLOBAL_POSITION_INT']);
    // 473977418 degE7 on the wire is 47.3977418 degrees.
    expect(got.messages[1]!.fields.find((f) => f.name === 'lat')?.value).toBe(47.3977418);
    expect(got.messages[0]!.fields.find((f) => f.name === 'flight_mode')?.value).toBe('GUIDED');
    expect(got.problems.map((p) => [p.kind, p.bytes])).toEqual([['garbage', 14]]);
    expect(new Set(got.chunks.map((c) => c.peer))).toEqual(new Set([peerOf(a), peerOf(b)]));
    expect(new Set(got.chunks.map((c) => c.stream)).size).toBe(2);
    expect(got.chunks.every((c) => !c.datagram)).toBe(true);
  });

  it('sends to every client connected, or to one', async () => {
    const { link, got, port } = await listening();
    const a = await client(port);
    const b = await client(port);
    await got.until(() => got.clients.length === 2, 'both clients');
    expect(link.peers().sort()).toEqual([peerOf(a), peerOf(b)].sort());
    const gcs = encodeV2('HEARTBEAT', { type: 6, autopilot: 8, system_status: 4, mavlink_version: 3 }, { sysid: 254, compid: 191 });
    expect(await link.send(gcs)).toBe(2);
    await Promise.all([a.receivedAtLeast(gcs.length), b.receivedAtLeast(gcs.length)]);
    expect(a.received()).toEqual(gcs);
    expect(b.received()).toEqual(gcs);
    expect(await link.send(gcs, peerOf(b))).toBe(1);
    await b.receivedAtLeast(2 * gcs.length);
    expect(a.received()).toEqual(gcs);
  });

  it('a client that drops mid-frame: its cut frame is counted when it leaves, the link stays open, and it reads the client again when it reconnects', async () => {
    const { link, got, port } = await listening();
    const first = await client(port);
    await first.write(Buffer.concat([encodeV2('HEARTBEAT', hb, { seq: 0 }), encodeV2('ATTITUDE', { time_boot_ms: 5, roll: 1 }, { seq: 1 }).subarray(0, 15)]));
    await got.until(() => got.messages.length === 1 && link.stats().bytes === 21 + 15, 'the heartbeat and the cut frame');
    first.socket.destroy();
    await got.until(() => got.clients.some((e) => e.kind === 'disconnected'), 'the client to leave');
    // Settled when it left, not joined to the bytes of the next connection.
    expect(got.problems).toMatchObject([{ kind: 'truncated', msgid: 30, bytes: 15 }]);
    expect(got.clients.at(-1)).toMatchObject({ kind: 'disconnected', peer: peerOf(first), clients: 0, reason: 'the client closed the connection' });
    const again = await client(port);
    await again.write(encodeV2('HEARTBEAT', hb, { seq: 2 }));
    await got.until(() => got.messages.length === 2, 'a heartbeat on the new connection');
    expect(got.problems).toHaveLength(1);
    expect(got.states).toEqual([{ state: 'open' }]);
    expect(got.clients.map((e) => e.kind)).toEqual(['connected', 'disconnected', 'connected']);
    expect(link.stats()).toMatchObject({ accepted: 2, disconnected: 1, refused: 0 });
  });

  it('turns away a client past maxClients, and serves the others', async () => {
    const { link, got, port } = await listening('tcpin://127.0.0.1:0', { maxClients: 1 });
    const a = await client(port);
    await got.until(() => got.clients.length === 1, 'the first client');
    const extra = await client(port);
    await extra.closed;
    await got.until(() => got.clients.length === 2, 'the refusal');
    expect(got.clients[1]).toMatchObject({ kind: 'refused', peer: peerOf(extra), clients: 1 });
    await a.write(encodeV2('HEARTBEAT', hb));
    await got.until(() => got.messages.length === 1, 'the first client read');
    expect(link.stats()).toMatchObject({ accepted: 1, refused: 1 });
  });

  it('close() ends every connection and frees the port, promptly', async () => {
    const { link, got, port } = await listening();
    const a = await client(port);
    const b = await client(port);
    await got.until(() => got.clients.length === 2, 'both clients');
    await link.close();
    await Promise.all([a.closed, b.closed]);
    expect(got.states.map((s) => s.state)).toEqual(['open', 'closed']);
    expect(link.localAddress()).toBeUndefined();
    expect(await link.send(Buffer.from([1]))).toBe(0);
    // Nobody listens there any more.
    const refused = await new Promise<string>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).toBe('ECONNREFUSED');
    await link.close();
  });

  it('close() while it is starting lets the port go and never says it opened (a stop or reload during start)', async () => {
    // A port free a moment ago: the link is told to listen there, and closed before it does.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const link = openLink(`tcpin://127.0.0.1:${port}`);
    const got = collect(createMavlinkReader({ dialect }));
    const starting = link.start(got.handlers);
    await link.close();
    await starting;
    expect(got.states.map((s) => s.state)).toEqual(['closed']);
    expect(link.localAddress()).toBeUndefined();
    // The port is free: another server takes it.
    const next = createServer();
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => next.close(resolve));
  });

  it('refuses a port that is taken, saying so', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    track(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const link = openLink(`tcpin://127.0.0.1:${(holder.address() as AddressInfo).port}`);
    track(() => link.close());
    const error = await link.start({ data: () => undefined }).then(() => undefined, (err: unknown) => err);
    expect(isMavlinkBridgeError(error, 'OPEN_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/could not listen on TCP 127\.0\.0\.1:\d+: .*EADDRINUSE.*another program/);
  });
});
