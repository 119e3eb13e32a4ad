import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectOpcua } from '../src/client.js';
import { OpcuaBridgeError } from '../src/errors.js';
import { capturingLogger } from './helpers/logger.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A TCP service on a port the OS chose that is not an OPC UA server: `onConnection` is all it does. */
async function notOpcua(onConnection: (socket: Socket) => void): Promise<string> {
  const server = createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `opc.tcp://127.0.0.1:${address.port}`;
}

async function connectError(endpointUrl: string, logger = capturingLogger()): Promise<OpcuaBridgeError> {
  const err = await connectOpcua({ endpointUrl, pki: { trust: 'always' }, logger, connectTimeoutMs: 60_000 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpcuaBridgeError);
  return err as OpcuaBridgeError;
}

describe('an endpoint that is not an OPC UA server', () => {
  it('says that the peer answers, but not as an OPC UA server, and what it sent', async () => {
    const url = await notOpcua((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
    });
    const logger = capturingLogger();
    const err = await connectError(url, logger);
    expect(err.code).toBe('CONNECT_FAILED');
    // Retried: the right server may take the address later.
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(
      `${url} answers, but not as an OPC UA server (it sent an HTTP response: "HTTP/1.1 400 Bad Request"): check the endpoint's host and port`,
    );
    // node-opcua's own line about the bytes it could not read as a chunk is chatter here.
    expect(logger.lines.filter((l) => /maximum chunk size exceeded/.test(l.msg)).map((l) => l.level)).toEqual(['debug']);
    expect(logger.messages('warn')).toEqual([]);
  });

  it('shows bytes that are not text in hex', async () => {
    const url = await notOpcua((socket) => {
      socket.once('data', () => socket.write(Buffer.from([0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01, 0x81, 0x01])));
    });
    const err = await connectError(url);
    expect(err.message).toBe(`${url} answers, but not as an OPC UA server (it sent 9 bytes: 00 01 00 00 00 03 01 81 01): check the endpoint's host and port`);
  });

  it('says so when the peer closes every connection without answering the Hello', async () => {
    const url = await notOpcua((socket) => socket.destroy());
    const err = await connectError(url);
    expect(err.code).toBe('CONNECT_FAILED');
    expect(err.message).toBe(
      `${url} accepts connections but closed this one without answering the OPC UA Hello: it may not be an OPC UA server (check the endpoint's host and port), or it refuses this client`,
    );
  });
});
